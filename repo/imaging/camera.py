"""What the camera recorded besides the date: ISO, exposure, aperture, focal length and the
GPS position. Each fact is None when missing or unreadable; broken EXIF never fails an upload.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

from PIL import Image

log = logging.getLogger(__name__)

_IFD_EXIF, _IFD_GPS = 0x8769, 0x8825
_ISO, _EXPOSURE, _F_NUMBER, _FOCAL = 0x8827, 0x829A, 0x829D, 0x920A
_LAT_REF, _LAT, _LON_REF, _LON = 1, 2, 3, 4


@dataclass(frozen=True)
class CameraFacts:
    iso: int | None = None
    exposure_s: float | None = None  # seconds
    f_number: float | None = None
    focal_mm: float | None = None
    latitude: float | None = None  # decimal degrees, north positive
    longitude: float | None = None  # east positive


NO_FACTS = CameraFacts()


def camera_facts(im: Image.Image) -> CameraFacts:
    try:
        exif = im.getexif()
        settings = exif.get_ifd(_IFD_EXIF)
        gps = exif.get_ifd(_IFD_GPS)
    except Exception:
        log.debug('Unreadable EXIF', exc_info=True)
        return NO_FACTS
    iso = settings.get(_ISO)
    if isinstance(iso, tuple | list):
        iso = iso[0] if iso else None
    latitude = _degrees(gps.get(_LAT), gps.get(_LAT_REF), 90)
    longitude = _degrees(gps.get(_LON), gps.get(_LON_REF), 180)
    if latitude is None or longitude is None:
        latitude = longitude = None
    return CameraFacts(
        iso=int(iso) if isinstance(iso, int) and 0 < iso < 10_000_000 else None,
        exposure_s=_positive(settings.get(_EXPOSURE), 3600),
        f_number=_positive(settings.get(_F_NUMBER), 1000),
        focal_mm=_positive(settings.get(_FOCAL), 100_000),
        latitude=latitude,
        longitude=longitude,
    )


def _number(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]  # IFDRational, int or float
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return number if math.isfinite(number) else None


def _positive(value: object, limit: float) -> float | None:
    number = _number(value)
    return number if number is not None and 0 < number <= limit else None


def _degrees(value: object, ref: object, limit: float) -> float | None:
    """(degrees, minutes, seconds) and 'N'/'S'/'E'/'W' -> signed decimal degrees."""
    if not isinstance(value, tuple | list) or len(value) != 3:
        return None
    parts = [_number(v) for v in value]
    if any(p is None or p < 0 for p in parts):
        return None
    d, m, s = parts  # type: ignore[misc]
    degrees = d + m / 60 + s / 3600  # type: ignore[operator]
    if isinstance(ref, bytes):
        ref = ref.decode('ascii', 'replace')
    if isinstance(ref, str) and ref.strip().upper() in ('S', 'W'):
        degrees = -degrees
    return round(degrees, 6) if abs(degrees) <= limit else None
