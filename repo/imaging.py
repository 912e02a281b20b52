"""Pure Pillow work for one upload: probe, decode, renditions, facts. Runs in a worker process.

Everything here is module-level and returns plain picklable dataclasses, so the Library can
submit `process_image` to a ProcessPoolExecutor ('spawn'). No DB, no settings, no UI.
Bad input never raises: it comes back as an `ImageRejection` carrying an HTTP status.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import struct
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from PIL import Image, UnidentifiedImageError

from repo.core.cielab import srgb_to_lab
from repo.core.errors import DiskFull, is_disk_full

log = logging.getLogger(__name__)

# Pillow format names. HEIF (HEIC, the iPhone default) comes from the pillow-heif plugin.
ACCEPTED_FORMATS: tuple[str, ...] = ('JPEG', 'PNG', 'WEBP', 'GIF', 'AVIF', 'HEIF')
ACCEPTED_LABEL = 'JPEG, PNG, WebP, GIF, AVIF or HEIC'

WEBP_QUALITY = 80
# WebP `method` trades encoder effort for bytes. Measured on a 1500x1000 photo-like preview:
# method 0 ~33 ms, 1 ~41, 2 ~58, 3/4 ~140 ms, for 215/213/201/191/191 KB at PSNR 36.2 vs 36.6 dB.
# Method 0 is ~4x faster than the default 4 for ~12% more bytes and no visible difference.
# The 400 px thumb behaves the same (4 ms vs 11 ms, 26 KB vs 24 KB).
PREVIEW_METHOD = 0
THUMB_METHOD = 0
# A JPEG may decode at 1/2, 1/4 or 1/8 scale (DCT scaling) when the result is still at least
# this share of the preview box. A 3000x2000 photo (6 MP) then decodes at 1500x1000 and is used
# as the preview as is: ~20 ms instead of ~27 ms decoding plus ~60 ms resizing to 1600 px.
PREVIEW_SLACK = 0.9
# Decompression-bomb heuristic on top of Pillow's pixel cap. Photos hold < 10 pixels per byte
# of file (a 6 MP q90 JPEG is ~2 MB: 3 px/byte) and even a solid-colour RGB PNG is ~350 px/byte
# (deflate tops out near 1000:1 on 3 bytes per pixel). More than 1000 px/byte is only reached
# by flat 1-bit or greyscale planes, and from 16 MP up such a file costs far more memory to
# decode than it is worth: refuse it.
BOMB_MIN_PIXELS = 16_000_000
BOMB_PIXELS_PER_BYTE = 1000
# ICC profiles travel with the renditions so wide-gamut photos keep their colours; bigger ones
# than this are print/LUT profiles that would bloat every thumbnail.
MAX_ICC_BYTES = 64 * 1024
# The thumb is made from the preview: a box-filter reduce() by an integer factor, then BICUBIC
# for the last >= 1.5x. 1500 -> 400 px: 4 ms and 46.5 dB against LANCZOS, where thumbnail()'s
# default gap of 2.0 skips the reduce and takes 9 ms for 48.9 dB. Both look the same.
THUMB_REDUCING_GAP = 1.5
SNIFF_BYTES = 512
MIN_COLOR_SHARE = 0.03  # a colour on less than 3% of the picture is not 'dominant'
# The visual signature beside the dHash: the mean CIELAB colour of each cell of a 4x4 grid over
# the thumbnail, 3 bytes per cell, row-major: L* x 2.55 (0..255), a* + 128, b* + 128 (clipped).
# dHash sees structure but not colour and moves a lot under small crops; the colour layout is
# the opposite. repo.similarity combines the two (bench/similar.py has the figures).
SIGNATURE_GRID = 4
SIGNATURE_BYTES = SIGNATURE_GRID * SIGNATURE_GRID * 3
SIGNATURE_L_SCALE = 2.55
SIGNATURE_AB_OFFSET = 128

_TAG_MAKE, _TAG_MODEL, _TAG_ORIENTATION, _TAG_DATETIME = 0x010F, 0x0110, 0x0112, 0x0132
_IFD_EXIF, _TAG_DATETIME_ORIGINAL = 0x8769, 0x9003
# Same table as ImageOps.exif_transpose; we need the orientation for the facts as well.
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
# The seven orientations besides the picture as it is (see turned_signals).
TURNS = (
    Image.Transpose.ROTATE_90,
    Image.Transpose.ROTATE_180,
    Image.Transpose.ROTATE_270,
    Image.Transpose.FLIP_LEFT_RIGHT,
    Image.Transpose.FLIP_TOP_BOTTOM,
    Image.Transpose.TRANSPOSE,
    Image.Transpose.TRANSVERSE,
)
_CORRUPT = 'The image data is truncated or corrupt'
_GENERIC = 'The image could not be processed'
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error)
_BOMB_ERRORS = (Image.DecompressionBombError, Image.DecompressionBombWarning)


@dataclass(frozen=True)
class ImageFacts:
    format: str  # Pillow's name, one of ACCEPTED_FORMATS
    width: int  # as displayed, i.e. after EXIF orientation
    height: int
    taken_at: datetime | None  # EXIF DateTimeOriginal, else DateTime; naive local time
    camera: str | None  # 'Make Model', de-duplicated
    colors: tuple[str, ...]  # up to 5 '#rrggbb', most dominant first
    dhash: int  # 64-bit difference hash as a signed 64-bit int (fits SQLite INTEGER)
    signature: bytes = b''  # colour layout, see signature_of(); b'' when not computed


Signals = tuple[int, bytes]  # (dhash, signature) of one orientation


@dataclass(frozen=True)
class QueryFacts:
    """What a search-by-image query needs: the same signals an upload stores, and the same for
    the picture turned and mirrored (see turned_signals)."""

    dhash: int  # signed 64-bit, as ImageFacts.dhash
    signature: bytes  # as ImageFacts.signature
    turned: tuple[Signals, ...] = ()


@dataclass(frozen=True)
class ImageRejection:
    status: int  # 413 too large / bomb, 415 unsupported type, 422 corrupt, truncated or empty,
    # 507 the disk filled up while a rendition was written
    message: str  # user-facing: what was wrong and what is accepted


class _Rejected(Exception):
    """Internal: unwinds the pipeline with a rejection."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.rejection = ImageRejection(status, message)


def ready() -> bool:
    """A no-op job for a fresh worker process: unpickling it imports this module (and Pillow)."""
    Image.init()
    _register_heif()
    return True


@functools.cache
def _register_heif() -> None:
    """Teach Pillow HEIC/HEIF, once per process, in the processes that decode (the workers):
    the web server itself imports this module but never needs libheif loaded."""
    from pillow_heif import register_heif_opener

    register_heif_opener(thumbnails=False)  # the full picture only, never an embedded preview


def process_image(
    src: str,
    thumb_out: str | None,
    preview_out: str | None,
    *,
    max_pixels: int,
    thumb_size: int = 400,
    preview_size: int = 1600,
    on_thumb: Callable[[Image.Image], None] | None = None,
) -> ImageFacts | ImageRejection:
    """Probe and decode src, write thumb_out and/or preview_out (WebP, fsynced), return facts.
    `on_thumb` is shown the thumbnail the facts come from.

    At ingest only the thumbnail is made (the decode then runs at the smallest JPEG DCT scale);
    the preview is made on first view by calling this again with only preview_out.

    Never raises for bad input: returns ImageRejection, having removed any partial outputs.
    Meant for a worker process: Pillow's pixel cap and the warnings filters are process-wide
    (the pixel limit is also checked explicitly, so it holds even when called from threads).
    """
    _register_heif()
    created: list[str] = []
    old_limit = Image.MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            # Pillow's UserWarnings (corrupt EXIF, odd palettes) are about the upload, not us.
            warnings.filterwarnings('ignore', category=UserWarning, module=r'PIL\.')
            warnings.simplefilter('error', Image.DecompressionBombWarning)
            Image.MAX_IMAGE_PIXELS = max_pixels
            return _process(
                src, thumb_out, preview_out, max_pixels, thumb_size, preview_size, created, on_thumb
            )
    except _Rejected as exc:
        result = exc.rejection
    except OSError as exc:
        if is_disk_full(exc):
            result = ImageRejection(507, DiskFull().message)
        else:
            log.exception('Unexpected failure processing %s', src)
            result = ImageRejection(422, _GENERIC)
    except Exception:
        log.exception('Unexpected failure processing %s', src)
        result = ImageRejection(422, _GENERIC)
    finally:
        Image.MAX_IMAGE_PIXELS = old_limit
    for path in created:
        with contextlib.suppress(OSError):
            os.unlink(path)
    return result


def _process(
    src: str,
    thumb_out: str | None,
    preview_out: str | None,
    max_pixels: int,
    thumb_size: int,
    preview_size: int,
    created: list[str],
    on_thumb: Callable[[Image.Image], None] | None = None,
) -> ImageFacts:
    file_bytes = os.path.getsize(src)
    if file_bytes == 0:
        raise _Rejected(422, 'The file is empty')
    with _open(src, max_pixels) as im:
        # Multi-picture JPEGs (MPO: cameras' stereo/depth/preview extras) are JPEGs to users.
        fmt = 'JPEG' if im.format == 'MPO' else im.format or ''
        width, height = im.size
        _check_pixels(width, height, file_bytes, max_pixels)
        box = preview_size if preview_out else thumb_size
        if fmt == 'JPEG':
            scale = _draft_scale(width, height, box)
            if scale > 1:
                im.draft(None, (width // scale, height // scale))
        try:
            im.load()  # full decode of frame 0, at draft scale for JPEG
        except _BOMB_ERRORS:  # GIF frames are checked against the cap as they load
            raise _Rejected(413, _bomb_message(width, height, file_bytes)) from None
        except _DECODE_ERRORS:
            raise _Rejected(422, _CORRUPT) from None
        orientation, taken_at, camera = _exif_facts(im)
        icc = im.info.get('icc_profile')
        preview = _shrink(_decodable_mode(im), box)
    preview = _output_mode(preview)
    if orientation in _TRANSPOSE:
        preview = preview.transpose(_TRANSPOSE[orientation])
        if orientation >= 5:
            width, height = height, width
    thumb = _shrink(preview, thumb_size, THUMB_REDUCING_GAP)
    icc = icc if _icc_fits(icc, preview.mode) else None
    if preview_out:
        _write_webp(preview, preview_out, PREVIEW_METHOD, icc, created)
    if thumb_out:
        _write_webp(thumb, thumb_out, THUMB_METHOD, icc, created)
    if on_thumb is not None:
        on_thumb(thumb)
    return ImageFacts(
        format=fmt,
        width=width,
        height=height,
        taken_at=taken_at,
        camera=camera,
        colors=dominant_colors(thumb),
        dhash=to_signed64(dhash(thumb)),
        signature=signature_of(thumb),
    )


def query_signature(
    src: str, *, max_pixels: int, thumb_size: int = 400
) -> QueryFacts | ImageRejection:
    """The visual signals of a query image, with exactly the checks and messages of an upload.

    Runs the upload pipeline without writing any rendition, so nothing is stored; pass the
    thumb size the library uses so the signals come from the same small image.
    """
    thumbs: list[Image.Image] = []
    facts = process_image(
        src, None, None, max_pixels=max_pixels, thumb_size=thumb_size, on_thumb=thumbs.append
    )
    if isinstance(facts, ImageRejection):
        return facts
    return QueryFacts(
        dhash=facts.dhash, signature=facts.signature, turned=turned_signals(thumbs[0])
    )


def turned_signals(im: Image.Image) -> tuple[Signals, ...]:
    """(dhash, signature) of the picture in each of its seven other orientations (rotated by
    90, 180 or 270 degrees, mirrored, and mirrored then rotated).

    A copy turned without an EXIF orientation (an editor's rotate button, a scanner) or
    mirrored (a selfie camera) has a dHash that shares only chance bits with the original's;
    comparing the query in all eight orientations finds it. Stored images keep one signature.
    """
    return tuple(
        (to_signed64(dhash(turned)), signature_of(turned))
        for turned in (im.transpose(t) for t in TURNS)
    )


def turned_signals_of_file(path: str | os.PathLike[str]) -> tuple[Signals, ...]:
    """turned_signals of a stored thumbnail (our own small WebP); () if it cannot be read."""
    try:
        with Image.open(path, formats=('WEBP',)) as im:
            im.load()
            return turned_signals(im)
    except (OSError, SyntaxError, ValueError):
        log.warning('Thumbnail %s could not be read for a look-alike search', path)
        return ()


def _open(src: str, max_pixels: int) -> Image.Image:
    """Image.open restricted to the accepted formats, with every failure mapped to a rejection."""
    try:
        return Image.open(src, formats=ACCEPTED_FORMATS)
    except _BOMB_ERRORS:
        size = _header_size(src)
        file_bytes = os.path.getsize(src)
        if size is not None:
            _check_pixels(*size, file_bytes, max_pixels)
        raise _Rejected(413, f'The image is over the {_mp(max_pixels)} MP limit') from None
    except UnidentifiedImageError:
        head = _head(src)
        if _looks_accepted(head):
            raise _Rejected(422, _CORRUPT) from None
        raise _Rejected(415, _unsupported_message(sniff_unsupported(head))) from None
    except _DECODE_ERRORS:
        raise _Rejected(422, _CORRUPT) from None


def _header_size(src: str) -> tuple[int, int] | None:
    """Width and height from the header alone, with Pillow's pixel cap off (nothing is decoded)."""
    limit = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None
    try:
        with Image.open(src, formats=ACCEPTED_FORMATS) as im:
            return im.size
    except Exception:
        return None
    finally:
        Image.MAX_IMAGE_PIXELS = limit


def _check_pixels(width: int, height: int, file_bytes: int, max_pixels: int) -> None:
    pixels = width * height
    if pixels > max_pixels:
        raise _Rejected(
            413,
            f'{width}\u00d7{height} pixels ({_mp(pixels, max_pixels)} MP) '
            f'is over the {_mp(max_pixels)} MP limit',
        )
    if pixels >= BOMB_MIN_PIXELS and pixels > BOMB_PIXELS_PER_BYTE * file_bytes:
        raise _Rejected(413, _bomb_message(width, height, file_bytes))


def _bomb_message(width: int, height: int, file_bytes: int) -> str:
    return (
        f'This image looks like a decompression bomb: {width}\u00d7{height} pixels '
        f'({_mp(width * height)} MP) packed into {_kb(file_bytes)}, so it was refused'
    )


def _mp(pixels: int, limit: int | None = None) -> str:
    """Megapixels, with just enough decimals not to print '100 MP is over the 100 MP limit'."""
    for decimals in range(4):
        text = f'{pixels / 1e6:.{decimals}f}'
        if limit is None or pixels == limit or text != f'{limit / 1e6:.{decimals}f}':
            return text
    return text


def _kb(n: int) -> str:
    return f'{n} bytes' if n < 10_000 else f'{n // 1000} KB'


def _draft_scale(width: int, height: int, box: int) -> int:
    """The largest JPEG DCT scale (8, 4, 2, 1) keeping the preview >= PREVIEW_SLACK x box."""
    fit = min(box / width, box / height, 1.0)
    for scale in (8, 4, 2):
        if 1 / scale >= fit * PREVIEW_SLACK:
            return scale
    return 1


def _shrink(im: Image.Image, box: int, reducing_gap: float = 2.0) -> Image.Image:
    """Fit within box x box keeping the aspect ratio; never upscales. BICUBIC, as thumbnail()."""
    w, h = im.size
    scale = min(box / w, box / h)
    if scale >= 1:
        return im
    size = (max(1, min(box, round(w * scale))), max(1, min(box, round(h * scale))))
    return im.resize(size, Image.Resampling.BICUBIC, reducing_gap=reducing_gap)


def _decodable_mode(im: Image.Image) -> Image.Image:
    """Bring exotic modes to L/LA/RGB/RGBA before resizing (P and 1 would resize as NEAREST)."""
    mode = im.mode
    if mode in ('RGB', 'RGBA', 'L', 'LA'):
        return im
    if mode == '1':
        return im.convert('L')
    if mode.startswith('I'):  # 16-bit greyscale PNG: scale 0..65535 down rather than clip at 255
        return im.convert('I').point(lambda v: v * (1 / 256)).convert('L')
    if mode == 'F':
        return im.convert('L')
    if mode in ('CMYK', 'YCbCr', 'LAB', 'HSV', 'RGBX'):
        return im.convert('RGB')
    return im.convert('RGBA' if im.has_transparency_data else 'RGB')  # P, PA, La, RGBa ...


def _output_mode(im: Image.Image) -> Image.Image:
    """RGB or RGBA for WebP; alpha is kept only when some pixel is not fully opaque."""
    if im.mode in ('RGBA', 'LA'):
        lo, _hi = im.getchannel('A').getextrema()
        if lo == 255:
            return im.convert('RGB')
        return im if im.mode == 'RGBA' else im.convert('RGBA')
    return im if im.mode == 'RGB' else im.convert('RGB')


def _icc_fits(icc: object, mode: str) -> bool:
    """Keep an RGB ICC profile for RGB output (never a CMYK or grey one), if it is modest."""
    return (
        isinstance(icc, bytes)
        and len(icc) <= MAX_ICC_BYTES
        and icc[16:20] == b'RGB '
        and mode in ('RGB', 'RGBA')
    )


def _write_webp(
    im: Image.Image, path: str, method: int, icc: bytes | None, created: list[str]
) -> None:
    """Encode straight into the file, then flush and fsync. No EXIF, XMP or comment is written."""
    created.append(path)
    with open(path, 'wb') as fh:
        im.save(fh, 'WEBP', quality=WEBP_QUALITY, method=method, icc_profile=icc)
        fh.flush()
        os.fsync(fh.fileno())


# --- EXIF facts -------------------------------------------------------------------------------


def _exif_facts(im: Image.Image) -> tuple[int, datetime | None, str | None]:
    """Orientation, taken_at and camera. Broken EXIF only costs these facts, not the upload."""
    try:
        exif = im.getexif()
    except Exception:
        log.debug('Unreadable EXIF', exc_info=True)
        return 1, None, None
    orientation = 1
    taken_at = camera = None
    try:
        value = exif.get(_TAG_ORIENTATION)
        orientation = value if isinstance(value, int) and value in _TRANSPOSE else 1
    except Exception:
        log.debug('Unreadable EXIF orientation', exc_info=True)
    try:
        original = exif.get_ifd(_IFD_EXIF).get(_TAG_DATETIME_ORIGINAL)
        taken_at = parse_exif_datetime(original) or parse_exif_datetime(exif.get(_TAG_DATETIME))
    except Exception:
        log.debug('Unreadable EXIF date', exc_info=True)
    try:
        camera = camera_name(exif.get(_TAG_MAKE), exif.get(_TAG_MODEL))
    except Exception:
        log.debug('Unreadable EXIF camera', exc_info=True)
    return orientation, taken_at, camera


def parse_exif_datetime(value: object) -> datetime | None:
    """'2024:06:01 14:30:05' (also with '-' or 'T', fractions, or no seconds) -> naive datetime."""
    text = _exif_text(value)
    if not text:
        return None
    text = text.replace('T', ' ').replace('-', ':')[:19]
    for pattern in ('%Y:%m:%d %H:%M:%S', '%Y:%m:%d %H:%M', '%Y:%m:%d'):
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    return None  # includes the common '0000:00:00 00:00:00' placeholder


def camera_name(make: object, model: object) -> str | None:
    """'Make Model' without the brand twice.

    'Canon' + 'Canon EOS 5D' -> 'Canon EOS 5D'; 'NIKON CORPORATION' + 'NIKON D750' -> 'NIKON D750'.
    """
    make_text, model_text = _exif_text(make), _exif_text(model)
    if make_text and model_text:
        brand = make_text.split()[0].lower()
        if model_text.lower().split()[0] == brand:
            return model_text[:100]
        return f'{make_text} {model_text}'[:100]
    return (make_text or model_text)[:100] or None


def _exif_text(value: object) -> str:
    if isinstance(value, bytes):
        value = value.decode('utf-8', 'replace')
    if not isinstance(value, str):
        return ''
    value = value.replace('\x00', ' ')
    return ' '.join(''.join(c for c in value if c.isprintable()).split())


# --- colours and perceptual hash --------------------------------------------------------------


def dominant_colors(im: Image.Image, k: int = 5) -> tuple[str, ...]:
    """Up to k '#rrggbb' colours by share of the (opaque) pixels, most dominant first.

    Median-cut to k colours on a 64 px copy; near-identical colours (resampling and edge blends)
    are merged into the bigger one and slivers under MIN_COLOR_SHARE are dropped.
    """
    small = im.copy()
    small.thumbnail((64, 64))
    mask = None
    if small.mode in ('RGBA', 'LA'):
        mask = small.getchannel('A').point(lambda a: 255 if a >= 128 else 0)
    quantized = small.convert('RGB').quantize(colors=k, method=Image.Quantize.MEDIANCUT)
    palette = quantized.getpalette() or []
    counts = quantized.histogram(mask)[: len(palette) // 3]
    total = sum(counts)
    kept: list[tuple[int, tuple[int, ...]]] = []  # (count, rgb), biggest first
    for count, i in sorted(((c, i) for i, c in enumerate(counts) if c), key=lambda ci: -ci[0]):
        rgb = tuple(palette[3 * i : 3 * i + 3])
        near = next((j for j, (_, kr) in enumerate(kept) if _distance(rgb, kr) < 24), None)
        if near is None:
            kept.append((count, rgb))
        else:
            kept[near] = (kept[near][0] + count, kept[near][1])
    kept.sort(key=lambda c: -c[0])
    return tuple(_hex(rgb) for count, rgb in kept if count >= MIN_COLOR_SHARE * total)


def _distance(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    return sum((x - y) ** 2 for x, y in zip(a, b, strict=True)) ** 0.5


def _hex(rgb: tuple[int, ...]) -> str:
    return '#' + ''.join(f'{v:02x}' for v in rgb)


def dhash(im: Image.Image, size: int = 8) -> int:
    """Difference hash, bit-identical to imagehash.dhash: row-major, first bit most significant.

    Distance is (a ^ b).bit_count(); <= 10 of 64 is a near-duplicate.
    """
    px = im.convert('L').resize((size + 1, size), Image.Resampling.LANCZOS).tobytes()
    value = 0
    for row in range(size):
        for col in range(size):
            i = row * (size + 1) + col
            value = (value << 1) | (px[i + 1] > px[i])
    return value


def signature_of(im: Image.Image) -> bytes:
    """Colour layout: the mean CIELAB colour of each cell of a 4x4 grid (SIGNATURE_BYTES bytes).

    The BOX filter averages every pixel of a cell, so resizing, recompression and a few percent
    of cropping barely move it. Transparent pixels don't count: Pillow weights colours by alpha
    when it resizes RGBA.
    """
    side = SIGNATURE_GRID
    cells = im.resize((side, side), Image.Resampling.BOX).convert('RGB').tobytes()
    out = bytearray()
    for i in range(0, len(cells), 3):
        lightness, a, b = srgb_to_lab(tuple(cells[i : i + 3]))
        out += bytes(
            min(255, max(0, round(v)))
            for v in (
                lightness * SIGNATURE_L_SCALE,
                a + SIGNATURE_AB_OFFSET,
                b + SIGNATURE_AB_OFFSET,
            )
        )
    return bytes(out)


def to_signed64(value: int) -> int:
    """An unsigned 64-bit value as the signed int SQLite stores; XOR/bit_count still work on it."""
    return value - (1 << 64) if value & (1 << 63) else value


def hamming(a: int, b: int) -> int:
    """Bits that differ between two 64-bit hashes, signed or not."""
    return ((a ^ b) & 0xFFFF_FFFF_FFFF_FFFF).bit_count()


# --- content sniffing --------------------------------------------------------------------------


def _head(src: str) -> bytes:
    with open(src, 'rb') as fh:
        return fh.read(SNIFF_BYTES)


def _looks_accepted(head: bytes) -> bool:
    """Magic bytes of an accepted format (so a failed open means corrupt, not unsupported)."""
    if head.startswith((b'\xff\xd8\xff', b'\x89PNG\r\n\x1a\n', b'GIF87a', b'GIF89a')):
        return True
    if head[:4] == b'RIFF' and head[8:12] == b'WEBP':
        return True
    return head[4:8] == b'ftyp' and _ftyp_brands(head) & _ACCEPTED_BRANDS != set()


def _ftyp_brands(head: bytes) -> set[bytes]:
    box_len = int.from_bytes(head[:4], 'big')
    end = min(max(box_len, 16), len(head))
    return {head[8:12]} | {head[i : i + 4] for i in range(16, end - 3, 4)}


_HEIC_BRANDS = {b'heic', b'heix', b'hevc', b'hevx', b'heim', b'heis', b'hevm', b'hevs'}
_ACCEPTED_BRANDS = {b'avif', b'avis', b'mif1', b'msf1', *_HEIC_BRANDS}  # AVIF, HEIC, HEIF
_VIDEO_BRANDS = {b'isom', b'iso2', b'mp41', b'mp42', b'qt  ', b'M4V ', b'3gp4', b'3gp5', b'avc1'}
_MAGIC: tuple[tuple[tuple[bytes, ...], str], ...] = (
    ((b'%PDF-',), 'a PDF document'),
    ((b'%!PS', b'\xc5\xd0\xd3\xc6'), 'an EPS/PostScript file'),
    ((b'II*\x00', b'MM\x00*', b'II+\x00', b'MM\x00+'), 'a TIFF image'),
    ((b'8BPS',), 'a PSD file'),
    ((b'BM',), 'a BMP image'),
    ((b'\x00\x00\x01\x00',), 'an icon file'),
    ((b'\x00\x00\x00\x0cjP  \r\n\x87\n', b'\xff\x4f\xff\x51'), 'a JPEG 2000 image'),
    ((b'\xff\x0a', b'\x00\x00\x00\x0cJXL \r\n\x87\n'), 'a JPEG XL image'),
    ((b'PK\x03\x04',), 'a ZIP archive'),
    ((b'\x1f\x8b',), 'a gzip archive'),
    ((b'MZ', b'\x7fELF'), 'a program'),
)
_HTML_STARTS = (b'<!doctype html', b'<html', b'<head', b'<body', b'<script', b'<iframe', b'<div')


def sniff_unsupported(head: bytes) -> str | None:
    """From the first ~512 bytes: a friendly name for a known refused type, or None."""
    if not head or _looks_accepted(head):
        return None
    for magics, name in _MAGIC:
        if head.startswith(magics):
            return name
    if head[4:8] == b'ftyp':
        if _ftyp_brands(head) & _VIDEO_BRANDS:
            return 'a video'
        return None
    text = head.lstrip(b'\xef\xbb\xbf \t\r\n').lower()
    if b'<svg' in text:
        return 'an SVG drawing'
    if text.startswith(_HTML_STARTS) or b'<html' in text:
        return 'an HTML page'
    if text.startswith(b'<?xml'):
        return 'an XML document'
    if _is_text(head):
        return 'plain text'
    return None


def _is_text(head: bytes) -> bool:
    if b'\x00' in head:
        return False
    try:
        text = head.decode('utf-8')
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # allow a multi-byte character cut off at the end
            return False
        text = head[: exc.start].decode('utf-8')
    printable = sum(c.isprintable() or c in '\t\r\n\f' for c in text)
    return bool(text) and printable >= 0.95 * len(text)


def _unsupported_message(what: str | None) -> str:
    if what is None:
        return f"This file isn't an image Shoebox can read; Shoebox accepts {ACCEPTED_LABEL}"
    return f'This is {what}; Shoebox accepts {ACCEPTED_LABEL}'


__all__ = [
    'ACCEPTED_FORMATS',
    'ACCEPTED_LABEL',
    'ImageFacts',
    'ImageRejection',
    'QueryFacts',
    'camera_name',
    'dhash',
    'dominant_colors',
    'hamming',
    'parse_exif_datetime',
    'process_image',
    'query_signature',
    'signature_of',
    'sniff_unsupported',
    'to_signed64',
    'turned_signals',
    'turned_signals_of_file',
]
