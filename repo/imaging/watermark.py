"""The shop's watermark: a name tiled faintly across a preview, diagonally, so that a cropped
corner still carries it. Only previews of images on sale get it (repo.services.images decides
for whom); originals never do."""

from __future__ import annotations

import math
from io import BytesIO

from PIL import Image, ImageDraw, ImageFont

FILL = (255, 255, 255, 60)  # light text ...
STROKE = (0, 0, 0, 45)  # ... with a dark edge: faint on dark and light pictures alike
ANGLE = 30


def watermark_webp(data: bytes, text: str, quality: int = 80) -> bytes:
    """A WebP preview with `text` tiled over it; the result is WebP too."""
    with Image.open(BytesIO(data), formats=['WEBP']) as im:
        base = im.convert('RGBA')
    width, height = base.size
    size = max(12, min(width, height) // 12)
    font = ImageFont.load_default(size=size)
    label = f' {text} '
    left, top, right, bottom = font.getbbox(label)
    step_x, step_y = (right - left) + size, (bottom - top) * 3
    side = int(math.hypot(width, height)) + 2 * step_x
    layer = Image.new('RGBA', (side, side), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for row, y in enumerate(range(0, side, step_y)):
        shift = (step_x // 2) * (row % 2)
        for x in range(-shift, side, step_x):
            draw.text((x, y), label, font=font, fill=FILL, stroke_width=1, stroke_fill=STROKE)
    turned = layer.rotate(ANGLE, resample=Image.Resampling.BICUBIC)
    offset_x, offset_y = (side - width) // 2, (side - height) // 2
    overlay = turned.crop((offset_x, offset_y, offset_x + width, offset_y + height))
    marked = Image.alpha_composite(base, overlay).convert('RGB')
    out = BytesIO()
    marked.save(out, 'WEBP', quality=quality)
    return out.getvalue()
