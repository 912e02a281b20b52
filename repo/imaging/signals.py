"""The visual signals of a picture: dominant colours, the dHash and the colour layout (its
signature), also in the seven other orientations for a search by image."""

from __future__ import annotations

import logging
import os

from PIL import Image

from repo.core.cielab import srgb_to_lab

log = logging.getLogger(__name__)

MIN_COLOR_SHARE = 0.03  # a colour on less than 3% of the picture is not 'dominant'
# The visual signature beside the dHash: the mean CIELAB colour of each cell of a 4x4 grid over
# the thumbnail, 3 bytes per cell, row-major: L* x 2.55 (0..255), a* + 128, b* + 128 (clipped).
# dHash sees structure but not colour and moves a lot under small crops; the colour layout is
# the opposite. repo.similarity combines the two (bench/similar.py has the figures).
SIGNATURE_GRID = 4
SIGNATURE_BYTES = SIGNATURE_GRID * SIGNATURE_GRID * 3
SIGNATURE_L_SCALE = 2.55
SIGNATURE_AB_OFFSET = 128

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

Signals = tuple[int, bytes]  # (dhash, signature) of one orientation


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
