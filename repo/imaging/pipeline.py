"""One upload through Pillow: probe, decode, write the renditions, gather the facts.

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

from repo.core.errors import DiskFull, is_disk_full
from repo.imaging.camera import NO_FACTS, CameraFacts, camera_facts
from repo.imaging.exif import TRANSPOSE, exif_facts
from repo.imaging.pixel_limits import bomb_message, megapixels, pixel_refusal
from repo.imaging.signals import (
    Signals,
    dhash,
    dominant_colors,
    signature_of,
    to_signed64,
    turned_signals,
)
from repo.imaging.sniff import (
    ACCEPTED_FORMATS,
    looks_accepted,
    read_head,
    sniff_unsupported,
    unsupported_message,
)

log = logging.getLogger(__name__)


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
# ICC profiles travel with the renditions so wide-gamut photos keep their colours; bigger ones
# than this are print/LUT profiles that would bloat every thumbnail.
MAX_ICC_BYTES = 64 * 1024
# The thumb is made from the preview: a box-filter reduce() by an integer factor, then BICUBIC
# for the last >= 1.5x. 1500 -> 400 px: 4 ms and 46.5 dB against LANCZOS, where thumbnail()'s
# default gap of 2.0 skips the reduce and takes 9 ms for 48.9 dB. Both look the same.
THUMB_REDUCING_GAP = 1.5
# Thumbnails go by their short side for shapes wider than 2:1 (see thumb_box). Measured by
# bench/thumb_sizes.py: the full rule (short side = thumb_size) costs ordinary photos 75% more
# bytes and 30% more time per upload for no visible gain at the gallery's 200 px rows.
THUMB_MIN_SHORT = 0.5
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
    settings: CameraFacts = NO_FACTS  # ISO, exposure, aperture, focal length, GPS


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
        # At ingest the decode only has to reach the thumbnail (wider than the box for a
        # panorama, see thumb_box).
        box = preview_size if preview_out else thumb_box(width, height, thumb_size, preview_size)
        if fmt == 'JPEG':
            scale = _draft_scale(width, height, box)
            if scale > 1:
                im.draft(None, (width // scale, height // scale))
        try:
            im.load()  # full decode of frame 0, at draft scale for JPEG
        except _BOMB_ERRORS:  # GIF frames are checked against the cap as they load
            raise _Rejected(413, bomb_message(width, height, file_bytes)) from None
        except _DECODE_ERRORS:
            raise _Rejected(422, _CORRUPT) from None
        orientation, taken_at, camera = exif_facts(im)
        settings = camera_facts(im)
        icc = im.info.get('icc_profile')
        preview = _shrink(_decodable_mode(im), box)
    preview = _output_mode(preview)
    if orientation in TRANSPOSE:
        preview = preview.transpose(TRANSPOSE[orientation])
        if orientation >= 5:
            width, height = height, width
    thumb = _shrink(preview, thumb_box(*preview.size, thumb_size, preview_size), THUMB_REDUCING_GAP)
    # The looks (colours, dHash, colour layout) from the picture fitted in thumb_size x
    # thumb_size, as before panoramas got wider thumbnails: signatures stay comparable.
    looks = _shrink(thumb, thumb_size, THUMB_REDUCING_GAP)
    icc = icc if _icc_fits(icc, preview.mode) else None
    if preview_out:
        _write_webp(preview, preview_out, PREVIEW_METHOD, icc, created)
    if thumb_out:
        _write_webp(thumb, thumb_out, THUMB_METHOD, icc, created)
    if on_thumb is not None:
        on_thumb(looks)
    return ImageFacts(
        format=fmt,
        width=width,
        height=height,
        taken_at=taken_at,
        camera=camera,
        colors=dominant_colors(looks),
        dhash=to_signed64(dhash(looks)),
        signature=signature_of(looks),
        settings=settings,
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


def _open(src: str, max_pixels: int) -> Image.Image:
    """Image.open restricted to the accepted formats, with every failure mapped to a rejection."""
    try:
        return Image.open(src, formats=ACCEPTED_FORMATS)
    except _BOMB_ERRORS:
        size = _header_size(src)
        file_bytes = os.path.getsize(src)
        if size is not None:
            _check_pixels(*size, file_bytes, max_pixels)
        raise _Rejected(413, f'The image is over the {megapixels(max_pixels)} MP limit') from None
    except UnidentifiedImageError:
        head = read_head(src)
        if looks_accepted(head):
            raise _Rejected(422, _CORRUPT) from None
        raise _Rejected(415, unsupported_message(sniff_unsupported(head))) from None
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
    refusal = pixel_refusal(width, height, file_bytes, max_pixels)
    if refusal is not None:
        raise _Rejected(413, refusal)


def _draft_scale(width: int, height: int, box: int) -> int:
    """The largest JPEG DCT scale (8, 4, 2, 1) keeping the preview >= PREVIEW_SLACK x box."""
    fit = min(box / width, box / height, 1.0)
    for scale in (8, 4, 2):
        if 1 / scale >= fit * PREVIEW_SLACK:
            return scale
    return 1


def thumb_box(width: int, height: int, thumb_size: int, limit: int) -> int:
    """The box (longest side) of the thumbnail: thumb_size, grown for wide or tall pictures so
    their short side is still THUMB_MIN_SHORT x thumb_size (200 px at 400, the gallery's row
    height). A 3:2 photo stays 400x267; a 4:1 panorama gets 800x200, not a 400x100 sliver that
    a justified row would blow up; never past `limit` (the preview's size)."""
    short, long = min(width, height), max(width, height)
    if short <= 0:
        return thumb_size
    return max(thumb_size, min(limit, round(thumb_size * THUMB_MIN_SHORT * long / short)))


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
