"""What one upload is made of, and what became of it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Literal

from repo.core.errors import DuplicateImage, ShoeboxError
from repo.core.schemas import ImagePublic

AddStatus = Literal['added', 'duplicate', 'refused']


@dataclass
class UploadItem:
    """One file to add: exactly one of `path`, `data` or `stream` carries the bytes."""

    filename: str
    path: Path | None = None
    data: bytes | None = None
    stream: BinaryIO | None = None
    title: str | None = None
    description: str = ''
    tags: Sequence[str] = field(default_factory=tuple)
    visibility: str = 'private'


@dataclass
class AddResult:
    filename: str
    status: AddStatus
    image: ImagePublic | None = None
    error: ShoeboxError | None = None

    @property
    def existing_id(self) -> str | None:
        return self.error.existing_id if isinstance(self.error, DuplicateImage) else None

    @property
    def message(self) -> str:
        if self.image is not None:
            return f'added as {self.image.id}'
        return self.error.message if self.error else ''
