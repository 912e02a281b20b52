"""Glue between the database and the search index: the outbox and the documents to index."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy import delete, func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from repo.models import Image, ImageTag, IndexOutbox, Tag, Visibility
from search_index import IndexDoc, OutboxItem

REBUILD_BATCH = 2000


class OutboxReader:
    """Reads pending outbox rows with the current state of their images; marks them done."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def fetch_pending(self, limit: int) -> list[OutboxItem]:
        with Session(self.engine) as s:
            rows = s.exec(select(IndexOutbox).order_by(col(IndexOutbox.id)).limit(limit)).all()
            if not rows:
                return []
            docs = {d.image_id: d for d in _docs(s, list({r.image_id for r in rows}))}
            return [
                OutboxItem(outbox_id=r.id, image_id=r.image_id, doc=docs.get(r.image_id))
                for r in rows
                if r.id is not None
            ]

    def mark_done(self, outbox_ids: list[int]) -> None:
        with Session(self.engine) as s:
            s.exec(delete(IndexOutbox).where(col(IndexOutbox.id).in_(outbox_ids)))
            s.commit()

    def mark_upto(self, last_id: int) -> None:
        with Session(self.engine) as s:
            s.exec(delete(IndexOutbox).where(col(IndexOutbox.id) <= last_id))
            s.commit()

    def last_id(self) -> int:
        with Session(self.engine) as s:
            return s.exec(select(func.coalesce(func.max(IndexOutbox.id), 0))).one()

    def pending_count(self) -> int:
        with Session(self.engine) as s:
            return s.exec(select(func.count()).select_from(IndexOutbox)).one()

    def all_docs(self) -> Iterator[IndexDoc]:
        """Every image as an index document, read in batches."""
        after = ''
        while True:
            with Session(self.engine) as s:
                ids = list(
                    s.exec(
                        select(Image.id)
                        .where(col(Image.id) > after)
                        .order_by(col(Image.id))
                        .limit(REBUILD_BATCH)
                    )
                )
                if not ids:
                    return
                docs = _docs(s, ids)
            yield from docs
            after = ids[-1]


def _docs(s: Session, image_ids: Sequence[str]) -> list[IndexDoc]:
    images = s.exec(select(Image).where(col(Image.id).in_(image_ids))).all()
    tags: dict[str, list[str]] = {i.id: [] for i in images}
    for image_id, name in s.exec(
        select(ImageTag.image_id, Tag.name)
        .join(Tag, col(Tag.id) == col(ImageTag.tag_id))
        .where(col(ImageTag.image_id).in_(image_ids))
    ):
        tags[image_id].append(name)
    return [
        IndexDoc(
            image_id=i.id,
            owner_id=i.owner_id,
            public=i.visibility == Visibility.public.value,
            title=i.title,
            description=i.description,
            tags=tuple(tags[i.id]),
            created_at=i.created_at,
            colors=tuple(c for c in i.color_names.split(',') if c),
        )
        for i in images
    ]
