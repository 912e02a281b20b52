"""How many pixels an upload may have: the configured cap, and the decompression-bomb rule
(many pixels packed into very few bytes), with the messages that say which was passed."""

from __future__ import annotations

# Decompression-bomb heuristic on top of Pillow's pixel cap. Photos hold < 10 pixels per byte
# of file (a 6 MP q90 JPEG is ~2 MB: 3 px/byte) and even a solid-colour RGB PNG is ~350 px/byte
# (deflate tops out near 1000:1 on 3 bytes per pixel). More than 1000 px/byte is only reached
# by flat 1-bit or greyscale planes, and from 16 MP up such a file costs far more memory to
# decode than it is worth: refuse it.
BOMB_MIN_PIXELS = 16_000_000
BOMB_PIXELS_PER_BYTE = 1000


def pixel_refusal(width: int, height: int, file_bytes: int, max_pixels: int) -> str | None:
    """Why an image of this size is refused (413), or None when it may be decoded."""
    pixels = width * height
    if pixels > max_pixels:
        return (
            f'{width}\u00d7{height} pixels ({megapixels(pixels, max_pixels)} MP) '
            f'is over the {megapixels(max_pixels)} MP limit'
        )
    if pixels >= BOMB_MIN_PIXELS and pixels > BOMB_PIXELS_PER_BYTE * file_bytes:
        return bomb_message(width, height, file_bytes)
    return None


def bomb_message(width: int, height: int, file_bytes: int) -> str:
    return (
        f'This image looks like a decompression bomb: {width}\u00d7{height} pixels '
        f'({megapixels(width * height)} MP) packed into {_kb(file_bytes)}, so it was refused'
    )


def megapixels(pixels: int, limit: int | None = None) -> str:
    """Megapixels, with just enough decimals not to print '100 MP is over the 100 MP limit'."""
    for decimals in range(4):
        text = f'{pixels / 1e6:.{decimals}f}'
        if limit is None or pixels == limit or text != f'{limit / 1e6:.{decimals}f}':
            return text
    return text


def _kb(n: int) -> str:
    return f'{n} bytes' if n < 10_000 else f'{n // 1000} KB'
