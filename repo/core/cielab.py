"""sRGB <-> CIELAB (D65) and the CIE76 colour difference, in plain Python.

Used where colours are compared the way people see them: the visual signature of an image
(repo.imaging) and the named-colour palette (repo.core.palette). A handful of colours per call, so
no numpy here: the imaging worker processes stay light to import.
"""

from __future__ import annotations

import math

# sRGB (D65) linear RGB -> XYZ, and the D65 reference white (IEC 61966-2-1).
_M = (
    (0.4124564, 0.3575761, 0.1804375),
    (0.2126729, 0.7151522, 0.0721750),
    (0.0193339, 0.1191920, 0.9503041),
)
_WHITE = (0.95047, 1.0, 1.08883)
_EPS = (6 / 29) ** 3
_KAPPA = 3 * (6 / 29) ** 2

Lab = tuple[float, float, float]


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _f(t: float) -> float:
    return math.cbrt(t) if t > _EPS else t / _KAPPA + 4 / 29


def srgb_to_lab(rgb: tuple[int, int, int] | tuple[int, ...]) -> Lab:
    """An 8-bit sRGB triple -> (L* 0..100, a*, b*)."""
    r, g, b = (_linear(v) for v in rgb[:3])
    fx, fy, fz = (
        _f((m[0] * r + m[1] * g + m[2] * b) / white) for m, white in zip(_M, _WHITE, strict=True)
    )
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def hex_to_rgb(color: str) -> tuple[int, int, int]:
    """'#rrggbb' (or 'rrggbb') -> (r, g, b); raises ValueError for anything else."""
    text = color.removeprefix('#')
    if len(text) != 6:
        raise ValueError(f'Not a #rrggbb colour: {color!r}')
    value = int(text, 16)
    return value >> 16, (value >> 8) & 0xFF, value & 0xFF


def hex_to_lab(color: str) -> Lab:
    return srgb_to_lab(hex_to_rgb(color))


def delta_e(a: Lab, b: Lab) -> float:
    """CIE76 difference: Euclidean distance in Lab; about 2.3 is just noticeable."""
    return math.dist(a, b)


def chroma(lab: Lab) -> float:
    return math.hypot(lab[1], lab[2])


def hue_degrees(lab: Lab) -> float:
    """Hue angle h_ab in degrees, 0..360 (0 = magenta-red, 90 = yellow, 180 = green, 270 = blue)."""
    return math.degrees(math.atan2(lab[2], lab[1])) % 360
