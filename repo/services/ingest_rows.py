"""The image row an upload becomes, and the facts a stored row already knows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from repo import imaging
from repo.db.tables import Image, timeline_at
from repo.imaging.camera import CameraFacts
from repo.ingest_job import UploadFacts


def new_image_row(
    owner_id: int, prepared: Any, sha256: str, size: int, derived: UploadFacts
) -> Image:
    facts = derived.facts
    camera = facts.settings
    row = Image(
        owner_id=owner_id,
        title=prepared.title,
        description=prepared.description,
        filename=prepared.filename,
        visibility=prepared.visibility.value,
        sha256=sha256,
        format=facts.format,
        width=facts.width,
        height=facts.height,
        size_bytes=size,
        taken_at=facts.taken_at,
        camera=facts.camera,
        colors=','.join(facts.colors),
        dhash=facts.dhash,
        signature=facts.signature,
        color_names=color_names_column(derived.color_names),
        iso=camera.iso,
        exposure_s=camera.exposure_s,
        f_number=camera.f_number,
        focal_mm=camera.focal_mm,
        latitude=camera.latitude,
        longitude=camera.longitude,
    )
    row.sort_at = timeline_at(row.taken_at, row.created_at)
    return row


def facts_of(image: Image) -> imaging.ImageFacts:
    """What Pillow found when these bytes were first added (another owner's copy)."""
    return imaging.ImageFacts(
        format=image.format,
        width=image.width,
        height=image.height,
        taken_at=image.taken_at,
        camera=image.camera,
        colors=tuple(c for c in image.colors.split(',') if c),
        dhash=image.dhash,
        signature=image.signature,
        settings=CameraFacts(
            iso=image.iso,
            exposure_s=image.exposure_s,
            f_number=image.f_number,
            focal_mm=image.focal_mm,
            latitude=image.latitude,
            longitude=image.longitude,
        ),
    )


def color_names_column(names: Sequence[str]) -> str:
    """',blue,white,' so that one colour is found with LIKE '%,blue,%'."""
    return f',{",".join(names)},' if names else ''
