"""The job an image worker process runs for one upload: Pillow's facts plus what follows from
them (colour names, automatic tags), so that the server process, which every request shares,
does none of that arithmetic."""

from __future__ import annotations

from dataclasses import dataclass

from repo import autotags, imaging
from repo.core import palette


@dataclass(frozen=True)
class UploadFacts:
    facts: imaging.ImageFacts
    color_names: tuple[str, ...]  # palette names the dominant colours match
    auto_tags: tuple[str, ...]  # colours, orientation, year, camera make


def derive(facts: imaging.ImageFacts) -> UploadFacts:
    return UploadFacts(
        facts, tuple(palette.names_for(facts.colors)), tuple(autotags.auto_tags(facts))
    )


def process_upload(
    src: str, thumb_out: str, *, max_pixels: int, thumb_size: int
) -> UploadFacts | imaging.ImageRejection:
    """Probe, decode and thumbnail `src` (see imaging.process_image), then derive the rest."""
    outcome = imaging.process_image(
        src, thumb_out, None, max_pixels=max_pixels, thumb_size=thumb_size
    )
    return outcome if isinstance(outcome, imaging.ImageRejection) else derive(outcome)
