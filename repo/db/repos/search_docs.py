"""What the search index is made of: each image's text, tags, owner and visibility."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from repo.core.visibility import Visibility
from repo.db.tables import Image, ImageTag, Tag


@dataclass(frozen=True)
class SearchSource:
    image_id: str
    owner_id: int
    public: bool
    title: str
    description: str
    tags: tuple[str, ...]
    created_at: datetime
    colors: tuple[str, ...]
    sort_at: datetime | None = None


class SearchDocRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def sources(self, image_ids: Sequence[str]) -> list[SearchSource]:
        """Those of the images that still exist (a missing one is to leave the index)."""
        images = self.session.exec(select(Image).where(col(Image.id).in_(image_ids))).all()
        tags: dict[str, list[str]] = {i.id: [] for i in images}
        for image_id, name in self.session.exec(
            select(ImageTag.image_id, Tag.name)
            .join(Tag, col(Tag.id) == col(ImageTag.tag_id))
            .where(col(ImageTag.image_id).in_(image_ids))
        ):
            tags[image_id].append(name)
        return [
            SearchSource(
                image_id=i.id,
                owner_id=i.owner_id,
                public=i.visibility == Visibility.public.value,
                title=i.title,
                description=i.description,
                tags=tuple(tags[i.id]),
                created_at=i.created_at,
                colors=tuple(c for c in i.color_names.split(',') if c),
                sort_at=i.sort_at,
            )
            for i in images
        ]

    def ids_after(self, after: str, limit: int) -> list[str]:
        """Image ids in id order after `after`: the rebuild reads every image in batches."""
        query = select(Image.id).where(col(Image.id) > after).order_by(col(Image.id)).limit(limit)
        return list(self.session.exec(query))
