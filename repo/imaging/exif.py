"""EXIF facts of an upload: orientation, date taken and camera. Broken EXIF costs only these."""

from __future__ import annotations

import logging
from datetime import datetime

from PIL import Image

log = logging.getLogger(__name__)

_TAG_MAKE, _TAG_MODEL, _TAG_ORIENTATION, _TAG_DATETIME = 0x010F, 0x0110, 0x0112, 0x0132
_IFD_EXIF, _TAG_DATETIME_ORIGINAL = 0x8769, 0x9003
# Same table as ImageOps.exif_transpose; we need the orientation for the facts as well.
TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


# --- EXIF facts -------------------------------------------------------------------------------


def exif_facts(im: Image.Image) -> tuple[int, datetime | None, str | None]:
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
        orientation = value if isinstance(value, int) and value in TRANSPOSE else 1
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
