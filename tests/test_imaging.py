"""repo.imaging: every accepted format yields facts and clean WebP renditions; bad input is refused
with the right status and a useful message. All images are generated here with Pillow."""

from __future__ import annotations

import multiprocessing
import random
import struct
import zlib
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFilter

from repo import imaging
from repo.imaging import (
    ACCEPTED_LABEL,
    ImageFacts,
    ImageRejection,
    camera_name,
    dhash,
    hamming,
    parse_exif_datetime,
    process_image,
    sniff_unsupported,
    to_signed64,
)

MAX_PIXELS = 100_000_000


# --- helpers --------------------------------------------------------------------------------


def photo(size: tuple[int, int] = (1200, 800), seed: int = 1) -> Image.Image:
    """Photo-like RGB content: a colour wash, soft shapes and grain (deterministic)."""
    rng = random.Random(seed)
    w, h = size
    grad = Image.linear_gradient('L').resize((512, 512))
    bands = [grad.rotate(rng.uniform(0, 360)).crop((128, 128, 384, 384)) for _ in 'RGB']
    im = Image.merge('RGB', [b.resize(size) for b in bands])
    draw = ImageDraw.Draw(im)
    for _ in range(12):
        x, y = rng.randrange(w), rng.randrange(h)
        box = (x, y, x + rng.randint(w // 8, w // 2), y + rng.randint(h // 8, h // 2))
        draw.ellipse(box, fill=tuple(rng.randrange(256) for _ in range(3)))
    im = im.filter(ImageFilter.GaussianBlur(2))
    grain = Image.frombytes('L', size, rng.randbytes(w * h)).point(lambda v: v // 16)
    return ImageChops.add(im, Image.merge('RGB', [grain] * 3))


def camera_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = 'Canon'
    exif[0x0110] = 'Canon EOS 5D'
    exif[0x0112] = orientation
    exif[0x0132] = '2022:01:01 00:00:00'
    exif.get_ifd(0x8769)[0x9003] = '2021:07:04 10:11:12'
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = 'N', (52.0, 22.0, 1.5), 'E', (4.0, 53.0, 0.0)
    return exif


def save(im: Image.Image, path: Path, fmt: str, **params) -> Path:
    im.save(path, fmt, **params)
    return path


def run(src: Path, tmp_path: Path, **kwargs) -> ImageFacts | ImageRejection:
    kwargs.setdefault('max_pixels', MAX_PIXELS)
    return process_image(
        str(src), str(tmp_path / 'thumb.webp'), str(tmp_path / 'preview.webp'), **kwargs
    )


def facts_of(src: Path, tmp_path: Path, **kwargs) -> ImageFacts:
    result = run(src, tmp_path, **kwargs)
    assert isinstance(result, ImageFacts), result
    return result


def rejection_of(src: Path, tmp_path: Path, **kwargs) -> ImageRejection:
    result = run(src, tmp_path, **kwargs)
    assert isinstance(result, ImageRejection), result
    assert not (tmp_path / 'thumb.webp').exists()
    assert not (tmp_path / 'preview.webp').exists()
    return result


def rendition(tmp_path: Path, name: str) -> Image.Image:
    im = Image.open(tmp_path / f'{name}.webp')
    assert im.format == 'WEBP'
    return im


def assert_clean_webp(path: Path) -> None:
    """No EXIF, XMP or GPS in the bytes or in what Pillow reads back."""
    data = path.read_bytes()
    assert data[:4] == b'RIFF' and data[8:12] == b'WEBP'
    assert b'EXIF' not in data and b'Exif' not in data and b'XMP ' not in data
    with Image.open(path) as im:
        assert 'exif' not in im.info and 'xmp' not in im.info
        assert not im.getexif()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares width x height in a valid IHDR (correct CRC) but holds no pixel data."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack('>I', len(body)) + kind + body + struct.pack('>I', crc)

    ihdr = struct.pack('>IIBBBBB', width, height, 8, 2, 0, 0, 0)
    return b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', ihdr) + chunk(b'IEND', b'')


# --- accepted formats -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ('fmt', 'params'),
    [
        ('JPEG', {'quality': 90}),
        ('PNG', {}),
        ('WEBP', {'quality': 90}),
        ('AVIF', {'quality': 70}),
    ],
)
def test_each_format_gives_facts_and_two_webp_renditions(tmp_path, fmt, params):
    src = save(photo((1200, 800)), tmp_path / 'upload.bin', fmt, **params)
    facts = facts_of(src, tmp_path, thumb_size=400, preview_size=1600)
    assert facts.format == fmt
    assert (facts.width, facts.height) == (1200, 800)
    assert 1 <= len(facts.colors) <= 5
    assert all(len(c) == 7 and c.startswith('#') for c in facts.colors)
    assert -(1 << 63) <= facts.dhash < (1 << 63)
    assert rendition(tmp_path, 'preview').size == (1200, 800)  # never upscaled
    assert rendition(tmp_path, 'thumb').size == (400, 267)
    assert_clean_webp(tmp_path / 'preview.webp')
    assert_clean_webp(tmp_path / 'thumb.webp')


def heic(im: Image.Image, path: Path, exif: Image.Exif | None = None) -> Path:
    """A real HEIC file, encoded by pillow-heif (as an iPhone would write it)."""
    import pillow_heif

    heif = pillow_heif.from_pillow(im)
    heif.save(path, quality=80, exif=exif.tobytes() if exif is not None else None)
    return path


def test_heic_gives_facts_and_two_webp_renditions(tmp_path):
    src = heic(photo((1200, 800)), tmp_path / 'IMG_0001.HEIC', camera_exif())
    assert src.read_bytes()[4:12] == b'ftypheic'
    facts = facts_of(src, tmp_path, thumb_size=400, preview_size=1600)
    assert facts.format == 'HEIF'
    assert (facts.width, facts.height) == (1200, 800)
    assert facts.camera == 'Canon EOS 5D' and facts.taken_at == datetime(2021, 7, 4, 10, 11, 12)
    assert rendition(tmp_path, 'thumb').size == (400, 267)
    assert_clean_webp(tmp_path / 'preview.webp')
    assert_clean_webp(tmp_path / 'thumb.webp')


def test_heic_orientation_is_applied_once(tmp_path):
    src = heic(photo((600, 400)), tmp_path / 'portrait.heic', camera_exif(orientation=6))
    facts = facts_of(src, tmp_path)
    assert (facts.width, facts.height) == (400, 600)
    assert rendition(tmp_path, 'thumb').size == (267, 400)


def test_truncated_heic_is_corrupt_not_unsupported(tmp_path):
    whole = heic(photo((600, 400)), tmp_path / 'whole.heic').read_bytes()
    src = tmp_path / 'cut.heic'
    src.write_bytes(whole[: len(whole) // 2])
    rejection = rejection_of(src, tmp_path)
    assert rejection.status == 422


def test_big_images_fit_the_boxes(tmp_path):
    src = save(photo((2400, 1200)), tmp_path / 'wide.png', 'PNG')
    facts = facts_of(src, tmp_path, thumb_size=400, preview_size=1600)
    assert (facts.width, facts.height) == (2400, 1200)
    assert rendition(tmp_path, 'preview').size == (1600, 800)
    assert rendition(tmp_path, 'thumb').size == (400, 200)


def test_big_jpeg_uses_draft_scale_and_stays_close_to_the_box(tmp_path):
    src = save(photo((3000, 2000)), tmp_path / 'six-mp.jpg', 'JPEG', quality=90)
    facts = facts_of(src, tmp_path)
    assert (facts.width, facts.height) == (3000, 2000)
    w, h = rendition(tmp_path, 'preview').size
    assert max(w, h) <= 1600 and max(w, h) >= imaging.PREVIEW_SLACK * 1600
    assert max(rendition(tmp_path, 'thumb').size) == 400


def test_multi_picture_jpeg_counts_as_jpeg(tmp_path):
    src = tmp_path / 'camera.jpg'
    photo((600, 400)).save(src, 'MPO', save_all=True, append_images=[photo((600, 400), seed=2)])
    assert Image.open(src).format == 'MPO'
    facts = facts_of(src, tmp_path)
    assert facts.format == 'JPEG' and (facts.width, facts.height) == (600, 400)


def test_animated_gif_uses_the_first_frame(tmp_path):
    frames = [Image.new('RGB', (300, 200), c) for c in ('#ff0000', '#0000ff', '#00ff00')]
    src = tmp_path / 'anim.gif'
    frames[0].save(src, 'GIF', save_all=True, append_images=frames[1:], duration=100, loop=0)
    facts = facts_of(src, tmp_path)
    assert facts.format == 'GIF'
    assert (facts.width, facts.height) == (300, 200)
    assert facts.colors[0] == '#ff0000'
    r, g, b = rendition(tmp_path, 'thumb').convert('RGB').getpixel((150, 100))
    assert r > 200 and g < 50 and b < 50


def test_animated_webp_uses_the_first_frame(tmp_path):
    frames = [Image.new('RGB', (300, 200), c) for c in ('#00ff00', '#0000ff')]
    src = tmp_path / 'anim.webp'
    frames[0].save(src, 'WEBP', save_all=True, append_images=frames[1:], duration=100)
    facts = facts_of(src, tmp_path)
    assert facts.format == 'WEBP'
    r, g, b = rendition(tmp_path, 'preview').convert('RGB').getpixel((150, 100))
    assert g > 200 and r < 50 and b < 50


def test_jpeg_exif_is_read_then_stripped_and_orientation_applied(tmp_path):
    im = photo((1200, 800))
    ImageDraw.Draw(im).rectangle((0, 0, 199, 199), fill='#ff0000')  # marks the top-left corner
    src = save(im, tmp_path / 'phone.jpg', 'JPEG', quality=90, exif=camera_exif(orientation=6))
    facts = facts_of(src, tmp_path)
    assert (facts.width, facts.height) == (800, 1200)  # as displayed
    assert facts.taken_at == datetime(2021, 7, 4, 10, 11, 12)
    assert facts.camera == 'Canon EOS 5D'
    preview, thumb = rendition(tmp_path, 'preview'), rendition(tmp_path, 'thumb')
    assert preview.size == (800, 1200)
    assert thumb.size == (267, 400)
    # Orientation 6 = rotate 90 degrees clockwise to display: the marked corner ends up top-right.
    r, g, b = preview.convert('RGB').getpixel((800 - 50, 50))
    assert r > 200 and g < 60 and b < 60
    assert_clean_webp(tmp_path / 'preview.webp')
    assert_clean_webp(tmp_path / 'thumb.webp')


def test_date_falls_back_to_datetime_and_bad_exif_does_not_fail(tmp_path):
    exif = Image.Exif()
    exif[0x0132] = '2019:12:31 23:59:58'
    exif[0x0110] = 'Pixel 8'
    exif[0x0112] = 9  # out-of-range orientation is ignored
    src = save(photo((300, 200)), tmp_path / 'a.jpg', 'JPEG', exif=exif)
    facts = facts_of(src, tmp_path)
    assert facts.taken_at == datetime(2019, 12, 31, 23, 59, 58)
    assert facts.camera == 'Pixel 8'
    assert (facts.width, facts.height) == (300, 200)

    garbage = b'Exif\x00\x00MM\x00*\x00\x00\x00\x08\xff\xff' + b'\x00' * 20
    src = save(photo((300, 200)), tmp_path / 'b.jpg', 'JPEG', exif=garbage)
    facts = facts_of(src, tmp_path)
    assert facts.taken_at is None and facts.camera is None


def test_png_with_transparency_keeps_alpha_and_ignores_transparent_pixels(tmp_path):
    im = Image.new('RGBA', (400, 300), (0, 0, 0, 0))
    ImageDraw.Draw(im).rectangle((100, 100, 299, 199), fill=(0, 200, 0, 255))
    src = save(im, tmp_path / 'logo.png', 'PNG')
    facts = facts_of(src, tmp_path)
    assert facts.colors == ('#00c800',)
    assert rendition(tmp_path, 'preview').mode == 'RGBA'


def test_opaque_rgba_is_encoded_without_alpha(tmp_path):
    src = save(photo((300, 200)).convert('RGBA'), tmp_path / 'opaque.png', 'PNG')
    facts_of(src, tmp_path)
    assert rendition(tmp_path, 'preview').mode == 'RGB'


@pytest.mark.parametrize('mode', ['P', '1', 'L', 'LA', 'I;16'])
def test_other_modes_are_converted(tmp_path, mode):
    # For I;16: mid grey in 16 bits.
    im = Image.new(mode, (300, 200), 32768) if mode == 'I;16' else photo((300, 200)).convert(mode)
    src = save(im, tmp_path / 'mode.png', 'PNG')
    facts = facts_of(src, tmp_path)
    assert facts.format == 'PNG'
    preview = rendition(tmp_path, 'preview')
    assert preview.size == (300, 200)
    if mode == 'I;16':
        assert 120 <= preview.convert('L').getpixel((150, 100)) <= 136  # scaled, not clipped


def test_cmyk_jpeg_becomes_rgb(tmp_path):
    src = save(Image.new('CMYK', (300, 200), (0, 255, 255, 0)), tmp_path / 'print.jpg', 'JPEG')
    facts = facts_of(src, tmp_path)
    r, g, b = rendition(tmp_path, 'preview').convert('RGB').getpixel((150, 100))
    assert r > 200 and g < 60 and b < 60
    red, green, blue = (int(facts.colors[0][i : i + 2], 16) for i in (1, 3, 5))
    assert red > 200 and green < 60 and blue < 60


def test_dominant_colours_are_ordered_by_area(tmp_path):
    im = Image.new('RGB', (400, 300), '#ff0000')
    ImageDraw.Draw(im).rectangle((0, 0, 119, 299), fill='#0000ff')  # 30% blue
    src = save(im, tmp_path / 'two.png', 'PNG')
    assert facts_of(src, tmp_path).colors == ('#ff0000', '#0000ff')


# --- refusals ---------------------------------------------------------------------------------


def test_header_over_the_pixel_limit_is_refused_without_decoding(tmp_path):
    src = tmp_path / 'huge.png'
    src.write_bytes(png_header_only(20000, 20000))  # no IDAT: decoding would fail with 422
    assert src.stat().st_size < 100
    rejection = rejection_of(src, tmp_path)
    assert rejection.status == 413
    assert rejection.message == '20000\u00d720000 pixels (400 MP) is over the 100 MP limit'


def test_between_one_and_two_times_the_limit_is_refused_too(tmp_path):
    src = tmp_path / 'big.png'
    src.write_bytes(png_header_only(12000, 10000))  # 120 MP: Pillow only warns by default
    rejection = rejection_of(src, tmp_path)
    assert rejection.status == 413
    assert '12000\u00d710000 pixels (120 MP)' in rejection.message


def test_pixel_limit_is_a_parameter(tmp_path):
    src = save(photo((1200, 1000)), tmp_path / 'a.jpg', 'JPEG')
    rejection = rejection_of(src, tmp_path, max_pixels=1_000_000)
    assert rejection.status == 413
    assert rejection.message == '1200\u00d71000 pixels (1.2 MP) is over the 1 MP limit'
    assert Image.MAX_IMAGE_PIXELS != 1_000_000  # the global is restored


def test_decompression_bomb_under_the_limit_is_refused(tmp_path):
    src = save(Image.new('1', (10000, 10000), 0), tmp_path / 'bomb.png', 'PNG')
    assert src.stat().st_size < 20_000
    rejection = rejection_of(src, tmp_path)  # exactly 100 MP: not over the limit
    assert rejection.status == 413
    assert 'decompression bomb' in rejection.message


@pytest.mark.parametrize('preview_size', [1600, 200])  # 200 makes the JPEG decode in draft mode
def test_truncated_jpeg_is_refused(tmp_path, preview_size):
    src = save(photo((1200, 800)), tmp_path / 'cut.jpg', 'JPEG', quality=90)
    data = src.read_bytes()
    src.write_bytes(data[: len(data) // 2])
    rejection = rejection_of(src, tmp_path, thumb_size=100, preview_size=preview_size)
    assert rejection == ImageRejection(422, 'The image data is truncated or corrupt')


def test_truncated_png_and_corrupt_header_are_refused(tmp_path):
    src = save(photo((600, 400)), tmp_path / 'cut.png', 'PNG')
    data = src.read_bytes()
    src.write_bytes(data[: len(data) // 2])
    assert rejection_of(src, tmp_path).status == 422
    src.write_bytes(data[:8] + b'\x00' * 100)  # PNG signature, garbage after
    assert rejection_of(src, tmp_path).status == 422


def test_empty_file_is_refused(tmp_path):
    src = tmp_path / 'empty.jpg'
    src.write_bytes(b'')
    assert rejection_of(src, tmp_path) == ImageRejection(422, 'The file is empty')


def test_text_renamed_to_jpg_is_refused(tmp_path):
    src = tmp_path / 'notes.jpg'
    src.write_text('Shopping list:\n- milk\n- eggs\n')
    rejection = rejection_of(src, tmp_path)
    assert rejection.status == 415
    assert rejection.message == f'This is plain text; Shoebox accepts {ACCEPTED_LABEL}'


SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.mark.parametrize(
    ('data', 'what'),
    [
        (SVG, 'SVG'),
        (b'<!DOCTYPE html><html><body><img src=x onerror=alert(1)></body></html>', 'HTML'),
        (b'%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n', 'PDF'),
        (b'%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n', 'EPS'),
        (b'8BPS\x00\x01' + b'\x00' * 40, 'PSD'),
        (b'\x00\x00\x00\x18ftypqt  \x00\x00\x02\x00qt  ' + b'\x00' * 40, 'video'),
    ],
)
def test_refused_types_are_named(tmp_path, data, what):
    src = tmp_path / 'upload.png'
    src.write_bytes(data)
    rejection = rejection_of(src, tmp_path)
    assert rejection.status == 415
    assert what in rejection.message
    assert ACCEPTED_LABEL in rejection.message


def test_real_tiff_is_refused(tmp_path):
    src = save(photo((300, 200)), tmp_path / 'scan.jpg', 'TIFF')
    rejection = rejection_of(src, tmp_path)
    assert rejection.status == 415
    assert rejection.message == f'This is a TIFF image; Shoebox accepts {ACCEPTED_LABEL}'


def test_unknown_binary_is_refused_with_the_accepted_list(tmp_path):
    src = tmp_path / 'blob.jpg'
    src.write_bytes(bytes(range(256)) * 4)
    rejection = rejection_of(src, tmp_path)
    assert rejection.status == 415
    assert ACCEPTED_LABEL in rejection.message


def test_unexpected_failure_is_a_generic_422_and_partial_output_is_removed(tmp_path):
    src = save(photo((300, 200)), tmp_path / 'ok.jpg', 'JPEG')
    result = process_image(
        str(src),
        str(tmp_path / 'no-such-dir' / 'thumb.webp'),  # the thumb write fails after the preview
        str(tmp_path / 'preview.webp'),
        max_pixels=MAX_PIXELS,
    )
    assert result == ImageRejection(422, 'The image could not be processed')
    assert not (tmp_path / 'preview.webp').exists()


def test_missing_source_does_not_raise(tmp_path):
    assert run(tmp_path / 'gone.jpg', tmp_path).status == 422


# --- sniffing, EXIF text ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ('head', 'name'),
    [
        (SVG, 'an SVG drawing'),
        (b'\xef\xbb\xbf  <svg width="10"></svg>', 'an SVG drawing'),
        (b'<!doctype html>\n<title>x</title>', 'an HTML page'),
        (b'%PDF-1.4', 'a PDF document'),
        (b'%!PS-Adobe-3.0', 'an EPS/PostScript file'),
        (b'\xc5\xd0\xd3\xc6' + b'\x00' * 28, 'an EPS/PostScript file'),
        (b'II*\x00\x08\x00\x00\x00', 'a TIFF image'),
        (b'MM\x00*\x00\x00\x00\x08', 'a TIFF image'),
        (b'8BPS\x00\x01', 'a PSD file'),
        (b'\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic', None),  # accepted
        (b'\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2', 'a video'),
        (b'hello, world\n', 'plain text'),
        ('caf\u00e9 cr\u00e8me'.encode()[:-1], 'plain text'),  # UTF-8 cut mid-character
        (b'\xff\xd8\xff\xe0\x00\x10JFIF', None),
        (b'\x89PNG\r\n\x1a\n', None),
        (b'RIFF\x00\x00\x00\x00WEBPVP8 ', None),
        (b'GIF89a', None),
        (b'\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf', None),
        (b'', None),
        (bytes(range(256)), None),
    ],
)
def test_sniff_unsupported(head, name):
    assert sniff_unsupported(head) == name


@pytest.mark.parametrize(
    ('value', 'expected'),
    [
        ('2024:06:01 14:30:05', datetime(2024, 6, 1, 14, 30, 5)),
        ('2024-06-01T14:30:05.123', datetime(2024, 6, 1, 14, 30, 5)),
        ('2024:06:01 14:30', datetime(2024, 6, 1, 14, 30)),
        (b'2024:06:01 14:30:05\x00', datetime(2024, 6, 1, 14, 30, 5)),
        ('0000:00:00 00:00:00', None),
        ('    :  :     :  :  ', None),
        ('', None),
        (None, None),
        (12345, None),
    ],
)
def test_parse_exif_datetime(value, expected):
    assert parse_exif_datetime(value) == expected


@pytest.mark.parametrize(
    ('make', 'model', 'expected'),
    [
        ('Canon', 'Canon EOS 5D', 'Canon EOS 5D'),
        ('NIKON CORPORATION', 'NIKON D750', 'NIKON D750'),
        ('Apple', 'iPhone 15 Pro', 'Apple iPhone 15 Pro'),
        ('  SONY\x00\x00', 'ILCE-7M3 ', 'SONY ILCE-7M3'),
        (None, 'Pixel 8', 'Pixel 8'),
        ('Fujifilm', None, 'Fujifilm'),
        ('', '   ', None),
        (None, None, None),
    ],
)
def test_camera_name(make, model, expected):
    assert camera_name(make, model) == expected


# --- dHash --------------------------------------------------------------------------------------


def test_dhash_bit_order_matches_imagehash():
    # imagehash.dhash: pixels[:, 1:] > pixels[:, :-1], flattened row-major, first bit most
    # significant. Here only row 0, column 0 increases (10 -> 20): the top bit alone is set.
    rows = [[10, 20] + [5] * 7] + [[50] * 9 for _ in range(7)]
    im = Image.frombytes('L', (9, 8), bytes(v for row in rows for v in row))
    assert dhash(im) == 1 << 63
    assert to_signed64(dhash(im)) == -(1 << 63)
    rising = Image.frombytes('L', (9, 8), bytes(list(range(0, 90, 10)) * 8))
    assert dhash(rising) == (1 << 64) - 1 and to_signed64(dhash(rising)) == -1
    assert dhash(rising.transpose(Image.Transpose.FLIP_LEFT_RIGHT)) == 0


def test_dhash_finds_near_duplicates_and_separates_different_images(tmp_path):
    original = photo((1200, 800), seed=3)
    a = facts_of(save(original, tmp_path / 'a.jpg', 'JPEG', quality=92), tmp_path).dhash
    small = original.resize((600, 400))
    b = facts_of(save(small, tmp_path / 'b.jpg', 'JPEG', quality=40), tmp_path).dhash
    other = photo((1200, 800), seed=4)
    c = facts_of(save(other, tmp_path / 'c.jpg', 'JPEG', quality=92), tmp_path).dhash
    assert hamming(a, b) <= 10
    assert hamming(a, c) > 16


# --- runs in a spawned worker process -------------------------------------------------------------


def test_process_image_works_through_a_spawned_process_pool(tmp_path):
    good = save(photo((600, 400)), tmp_path / 'good.jpg', 'JPEG', exif=camera_exif())
    bad = tmp_path / 'bad.jpg'
    bad.write_bytes(b'%PDF-1.7\n')
    ctx = multiprocessing.get_context('spawn')
    with ProcessPoolExecutor(1, mp_context=ctx) as pool:
        facts = pool.submit(
            process_image,
            str(good),
            str(tmp_path / 't.webp'),
            str(tmp_path / 'p.webp'),
            max_pixels=MAX_PIXELS,
        ).result()
        refused = pool.submit(
            process_image, str(bad), str(tmp_path / 't2'), str(tmp_path / 'p2'), max_pixels=10
        ).result()
    assert isinstance(facts, ImageFacts)
    assert facts.camera == 'Canon EOS 5D' and (facts.width, facts.height) == (600, 400)
    assert refused.status == 415 and 'PDF' in refused.message
    here = process_image(
        str(good), str(tmp_path / 't3.webp'), str(tmp_path / 'p3.webp'), max_pixels=MAX_PIXELS
    )
    assert here == facts


def test_a_panorama_gets_a_wide_thumbnail_not_a_sliver(tmp_path):
    """The gallery's justified rows are ~200 px high: a panorama's thumbnail keeps a short side
    that tall (issue 10), while ordinary shapes keep the 400 px box (see the tests above)."""
    src = save(photo((2400, 400)), tmp_path / 'pano.png', 'PNG')
    facts = facts_of(src, tmp_path, thumb_size=400, preview_size=1600)
    assert (facts.width, facts.height) == (2400, 400)
    width, height = rendition(tmp_path, 'thumb').size
    assert height == 200 and abs(width - 1200) <= 2  # 1600x267 preview -> 1199x200
    tall = save(photo((300, 1500)), tmp_path / 'tower.png', 'PNG')
    facts_of(tall, tmp_path, thumb_size=400, preview_size=1600)
    width, height = rendition(tmp_path, 'thumb').size
    assert width == 200 and abs(height - 1000) <= 2
