"""Automatic tags: what an image says about itself, as ordinary tag names.

From the facts found at ingest: the named colours its dominant colours match, its orientation,
the year it was taken and the camera make. The Library stores them marked as automatic.
"""

from __future__ import annotations

from repo.core.errors import Invalid
from repo.core.palette import names_for
from repo.core.validation import normalize_tag
from repo.imaging import ImageFacts

SQUARE_WITHIN = 1.05  # long side / short side up to this is 'square' (5%)
PANORAMA_FROM = 2.0  # from 2:1 either way an image is also a 'panorama'
# EXIF clocks that were never set say 1970 or 2000-01-01 and broken ones say anything. Years
# outside photography's history are noise, not tags.
FIRST_YEAR, LAST_YEAR = 1826, 2999


def auto_tags(facts: ImageFacts) -> list[str]:
    """Colour names (most dominant first), orientation, year taken, camera make; valid tags.

    A panorama keeps its orientation too ('landscape' + 'panorama'), so filtering by
    orientation still finds it.
    """
    tags = [*names_for(facts.colors), *orientation_tags(facts.width, facts.height)]
    if facts.taken_at is not None and FIRST_YEAR <= facts.taken_at.year <= LAST_YEAR:
        tags.append(str(facts.taken_at.year))
    make = camera_make(facts.camera)
    if make:
        tags.append(make)
    out: list[str] = []
    for tag in tags:
        try:
            name = normalize_tag(tag)
        except Invalid:
            continue
        if name not in out:
            out.append(name)
    return out


def orientation_tags(width: int, height: int) -> list[str]:
    """'square', 'landscape' or 'portrait', plus 'panorama' when one side is twice the other."""
    if width <= 0 or height <= 0:
        return []
    long_side, short_side = max(width, height), min(width, height)
    if long_side <= SQUARE_WITHIN * short_side:
        return ['square']
    tags = ['landscape' if width > height else 'portrait']
    if long_side >= PANORAMA_FROM * short_side:
        tags.append('panorama')
    return tags


def camera_make(camera: str | None) -> str | None:
    """The first word of the camera name, lower-cased: 'Canon EOS 5D' -> 'canon'."""
    if not camera:
        return None
    words = camera.replace(',', ' ').split()
    word = words[0].strip('.-_()[]"\'').lower() if words else ''
    return word or None


__all__ = ['auto_tags', 'camera_make', 'orientation_tags']
