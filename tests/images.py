"""Test images made with Pillow on the fly (no binary files in git)."""

from __future__ import annotations

import io
import random
import struct
import zlib

from PIL import Image, ImageDraw


def picture(size: tuple[int, int] = (96, 64), seed: int = 0, mode: str = 'RGB') -> Image.Image:
    """A small image with distinct content per seed (shapes on a gradient)."""
    rnd = random.Random(seed)
    w, h = size
    im = Image.new('RGB', size, (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)))
    draw = ImageDraw.Draw(im)
    for _ in range(6):
        x0, y0 = rnd.randrange(w), rnd.randrange(h)
        x1, y1 = x0 + rnd.randrange(5, w), y0 + rnd.randrange(5, h)
        colour = (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256))
        draw.rectangle((x0, y0, x1, y1), fill=colour)
    return im.convert(mode) if mode != 'RGB' else im


def noise(size: tuple[int, int], seed: int = 0) -> Image.Image:
    """Incompressible content, for files that must be big."""
    rnd = random.Random(seed)
    return Image.frombytes('RGB', size, rnd.randbytes(size[0] * size[1] * 3))


def encode(im: Image.Image, fmt: str, **params: object) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **params)
    return buf.getvalue()


def image_bytes(fmt: str = 'JPEG', seed: int = 0, size: tuple[int, int] = (96, 64)) -> bytes:
    im = picture(size, seed)
    if fmt == 'GIF':
        frames = [im, picture(size, seed + 1000)]
        buf = io.BytesIO()
        frames[0].save(buf, 'GIF', save_all=True, append_images=frames[1:], duration=100)
        return buf.getvalue()
    return encode(im, fmt)


def heic_bytes(seed: int = 0, size: tuple[int, int] = (96, 64)) -> bytes:
    """A real HEIC (HEVC in HEIF, the iPhone default), encoded by pillow-heif."""
    import pillow_heif

    buf = io.BytesIO()
    pillow_heif.from_pillow(picture(size, seed)).save(buf, quality=80)
    return buf.getvalue()


def own_tags(image) -> list[str]:  # type: ignore[no-untyped-def]
    """The tags a person gave, without the ones Shoebox added from the image itself."""
    return [t for t in image.tags if t not in image.auto_tags]


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares width x height (pixels are never there)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack('>I', len(data)) + body + struct.pack('>I', zlib.crc32(body))

    ihdr = struct.pack('>IIBBBBB', width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b'\x00' * 64)
    return b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', ihdr) + chunk(b'IDAT', idat) + chunk(b'IEND', b'')


def flat_png_bomb(side: int = 10_000) -> bytes:
    """A real side x side 1-bit PNG that compresses to a few KB: a decompression bomb."""
    return encode(Image.new('1', (side, side), 0), 'PNG', optimize=True)


def truncated_jpeg(seed: int = 0) -> bytes:
    data = image_bytes('JPEG', seed, size=(400, 300))
    return data[: len(data) // 2]


SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>'
HTML = b'<!DOCTYPE html><html><body><script>alert(1)</script></body></html>'
PDF = b'%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n'
TEXT = b'just some notes, not a picture\n' * 10


def tiff_bytes(seed: int = 0) -> bytes:
    return encode(picture((32, 32), seed), 'TIFF')


def exif_photo(
    seed: int = 0,
    *,
    taken: str | None = None,
    gps: tuple[float, float] | None = None,
    iso: int | None = None,
    exposure: tuple[int, int] | None = None,
    f_number: float | None = None,
    focal_mm: float | None = None,
    size: tuple[int, int] = (96, 64),
) -> bytes:
    """A JPEG carrying the EXIF a camera writes: the date taken ('2019:05:01 10:00:00'), ISO,
    exposure (1, 250) for 1/250 s, aperture, focal length, and a GPS position in degrees."""
    from fractions import Fraction

    from PIL.TiffImagePlugin import IFDRational

    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = 'Canon', 'Canon EOS R6'
    settings = exif.get_ifd(0x8769)
    if taken:
        settings[0x9003] = taken
    if iso:
        settings[0x8827] = iso
    if exposure:
        settings[0x829A] = IFDRational(*exposure)
    if f_number:
        settings[0x829D] = IFDRational(Fraction(f_number).limit_denominator(100))
    if focal_mm:
        settings[0x920A] = IFDRational(Fraction(focal_mm).limit_denominator(100))
    if gps:
        place = exif.get_ifd(0x8825)

        def dms(value: float) -> tuple[IFDRational, IFDRational, IFDRational]:
            value = abs(value)
            d = int(value)
            m = int((value - d) * 60)
            s = round(((value - d) * 60 - m) * 60 * 1000)
            return IFDRational(d, 1), IFDRational(m, 1), IFDRational(s, 1000)

        place[1], place[2] = ('N' if gps[0] >= 0 else 'S'), dms(gps[0])
        place[3], place[4] = ('E' if gps[1] >= 0 else 'W'), dms(gps[1])
    return encode(picture(size, seed), 'JPEG', exif=exif.tobytes())
