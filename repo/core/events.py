"""Domain events: facts a use case emits inside its transaction (`tx.emit`), handled after the
commit by the consumers (search index, similarity cache, blob clean-up).

Each is also written to the database's event table in the same transaction, so a consumer that
missed it (a crash, another process) catches up from its cursor. `KIND` names it there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class ImageEvent:
    KIND: ClassVar[str] = 'image'
    image_id: str


@dataclass(frozen=True)
class ImageAdded(ImageEvent):
    KIND: ClassVar[str] = 'image.added'
    owner_id: int = 0
    public: bool = False
    dhash: int = 0
    signature: bytes = b''


@dataclass(frozen=True)
class ImageChanged(ImageEvent):
    """Title, description, tags or visibility changed: the search document and the visibility
    the similarity cache keeps are stale."""

    KIND: ClassVar[str] = 'image.changed'
    public: bool = False


@dataclass(frozen=True)
class ImageRemoved(ImageEvent):
    """The row is gone; its bytes go too once no other image row refers to them."""

    KIND: ClassVar[str] = 'image.removed'
    sha256: str = ''


EVENT_KINDS = {cls.KIND: cls for cls in (ImageAdded, ImageChanged, ImageRemoved)}
