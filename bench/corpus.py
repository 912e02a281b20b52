"""A deterministic corpus of photo-like test images for the benchmarks, cached on disk.

Mix: ~80% JPEG (q90, half 6 MP 3000x2000, half 2 MP 1728x1152, with camera EXIF, some rotated
via orientation 6) and ~20% PNG (1200x800, a few with alpha). Content is smooth gradients,
blurred shapes and grain, so file sizes are realistic (a 6 MP JPEG is ~1-3 MB at q90), and
generation uses Pillow's C paths only (no per-pixel Python loops).

Usage: `make_corpus(Path('bench/out/corpus'), n=200)`; `python bench/corpus.py DIR [N]`.
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter

SIZE_6MP = (3000, 2000)
SIZE_2MP = (1728, 1152)
SIZE_PNG = (1200, 800)
JPEG_QUALITY = 90
# Grain amplitude (+-GRAIN around 0, uniform): real photos carry sensor noise and fine texture,
# which is what makes JPEGs 1-3 MB rather than 200 KB. Tuned so a 6 MP q90 file is ~2 MB.
GRAIN = 14
CAMERAS = [
    ('Canon', 'Canon EOS 5D Mark IV'),
    ('NIKON CORPORATION', 'NIKON D750'),
    ('Apple', 'iPhone 15'),
]


def make_corpus(dirpath: Path, n: int = 200, seed: int = 1) -> list[Path]:
    """Create (or reuse) n images in dirpath; same (n, seed) gives the same files, in order."""
    dirpath = Path(dirpath)
    dirpath.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        kind = _kind(i, seed)
        ext = 'png' if kind == 'png' else 'jpg'
        path = dirpath / f's{seed}-{i:04d}-{kind}.{ext}'
        if not path.exists():
            _write(path, _make_image(kind, random.Random(f'{seed}:{i}'), ext))
        paths.append(path)
    return paths


def _kind(i: int, seed: int) -> str:
    if i % 5 == 4:
        return 'png'
    return '6mp' if random.Random(f'{seed}:{i}:kind').random() < 0.5 else '2mp'


def _make_image(kind: str, rng: random.Random, ext: str) -> tuple[Image.Image, dict]:
    size = {'6mp': SIZE_6MP, '2mp': SIZE_2MP, 'png': SIZE_PNG}[kind]
    im = _photo_like(size, rng)
    if ext == 'jpg':
        return im, {'format': 'JPEG', 'quality': JPEG_QUALITY, 'exif': _exif(rng)}
    if rng.random() < 0.25:
        alpha = Image.radial_gradient('L').resize(size).point(lambda v: 255 - v // 2)
        im.putalpha(alpha)
    return im, {'format': 'PNG', 'compress_level': 6}


def _photo_like(size: tuple[int, int], rng: random.Random) -> Image.Image:
    w, h = size
    # Sky-to-ground colour wash: three differently rotated gradients as R, G, B.
    # Rotating a 512 px gradient and keeping its centre 256 px leaves no empty corners.
    grad = Image.linear_gradient('L').resize((512, 512))
    bands = [
        grad.rotate(rng.uniform(0, 360)).crop((128, 128, 384, 384)).resize(size) for _ in 'RGB'
    ]
    im = Image.merge('RGB', bands)
    tint = Image.new('RGB', size, tuple(rng.randrange(256) for _ in range(3)))
    im = Image.blend(im, tint, 0.45)
    # Objects: soft-edged ellipses and rectangles.
    shapes = Image.new('RGB', size)
    mask = Image.new('L', size)
    draw, mdraw = ImageDraw.Draw(shapes), ImageDraw.Draw(mask)
    for _ in range(rng.randint(6, 14)):
        x0, y0 = rng.randrange(w), rng.randrange(h)
        box = (x0, y0, x0 + rng.randint(w // 20, w // 3), y0 + rng.randint(h // 20, h // 3))
        fill = tuple(rng.randrange(256) for _ in range(3))
        shape = draw.ellipse if rng.random() < 0.6 else draw.rectangle
        shape(box, fill=fill)
        (mdraw.ellipse if shape == draw.ellipse else mdraw.rectangle)(
            box, fill=rng.randint(150, 255)
        )
    mask = mask.filter(ImageFilter.BoxBlur(max(2, w // 600)))
    im.paste(shapes, (0, 0), mask)
    # Texture: coarse blotches (upscaled random) plus fine grain, shared by all channels.
    coarse = _noise((w // 16, h // 16), rng, 40).resize(size, Image.Resampling.BICUBIC)
    fine = _noise(size, rng, GRAIN)
    grain = ImageChops.add(coarse, fine, 1.0, -128)
    return ImageChops.add(im, Image.merge('RGB', [grain] * 3), 1.0, -128)


def _noise(size: tuple[int, int], rng: random.Random, amplitude: int) -> Image.Image:
    """Uniform noise 128 +- amplitude as an 'L' image, from a seeded Python RNG (deterministic)."""
    raw = Image.frombytes('L', size, rng.randbytes(size[0] * size[1]))
    lut = [128 + (v - 128) * amplitude // 128 for v in range(256)]
    return raw.point(lut)


def _exif(rng: random.Random) -> Image.Exif:
    exif = Image.Exif()
    make, model = rng.choice(CAMERAS)
    exif[0x010F] = make
    exif[0x0110] = model
    exif[0x0112] = 6 if rng.random() < 0.2 else 1
    stamp = f'2024:{rng.randint(1, 12):02d}:{rng.randint(1, 28):02d} {rng.randint(0, 23):02d}:10:00'
    exif[0x0132] = stamp
    exif.get_ifd(0x8769)[0x9003] = stamp
    return exif


def _write(path: Path, made: tuple[Image.Image, dict]) -> None:
    """Write via a temporary name so an interrupted run never leaves a half file in the cache."""
    im, params = made
    tmp = path.with_name(path.name + '.part')
    im.save(tmp, **params)
    os.replace(tmp, path)


if __name__ == '__main__':
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / 'out' / 'corpus'
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    files = make_corpus(target, count)
    total = sum(p.stat().st_size for p in files)
    print(f'{len(files)} files, {total / 1e6:.1f} MB in {target}')
