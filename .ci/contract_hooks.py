"""schemathesis hooks for .ci/contract: real images for the image media types of the schema.

The upload forms say their `file` is one of image/jpeg, png, webp, gif or avif (the `encoding`
of the multipart body); without these strategies schemathesis would send random bytes under
those labels. Small pictures of random size and content, encoded by Pillow.
"""

from __future__ import annotations

import io

import schemathesis
from hypothesis import strategies as st
from PIL import Image

FORMATS = {
    'image/jpeg': 'JPEG',
    'image/png': 'PNG',
    'image/webp': 'WEBP',
    'image/gif': 'GIF',
    'image/avif': 'AVIF',
}


def encode(fmt: str, width: int, height: int, colour: tuple[int, int, int], seed: int) -> bytes:
    im = Image.new('RGB', (width, height), colour)
    im.putpixel((seed % width, (seed // width) % height), (255 - colour[0], 0, colour[2]))
    buf = io.BytesIO()
    im.save(buf, fmt)
    return buf.getvalue()


def pictures(fmt: str) -> st.SearchStrategy[bytes]:
    channel = st.integers(0, 255)
    return st.builds(
        encode,
        st.just(fmt),
        st.integers(1, 48),
        st.integers(1, 48),
        st.tuples(channel, channel, channel),
        st.integers(0, 2**16),
    )


for media_type, pillow_format in FORMATS.items():
    schemathesis.openapi.media_type(media_type, pictures(pillow_format))
