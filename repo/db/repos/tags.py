"""Tags: names to ids (made on first use), an image's links, and counts per visible tag."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from repo.core.policy import ViewScope
from repo.db import dialect, filters
from repo.db.tables import Image, ImageTag, Tag


class TagRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def ensure(self, names: Sequence[str]) -> dict[str, int]:
        """Tag name -> id, creating the tags that do not exist yet (two statements in all)."""
        if not names:
            return {}
        conn = self.session.connection()
        conn.execute(dialect.insert_or_ignore(conn, Tag), [{'name': n} for n in names])
        rows = conn.execute(select(Tag.id, Tag.name).where(col(Tag.name).in_(names)))
        return {name: tag_id for tag_id, name in rows}

    def replace_links(self, image_id: str, names: Sequence[str]) -> None:
        """The image's tags become `names`; automatic tags left in the list stay automatic."""
        was_auto = set(
            self.session.exec(
                select(ImageTag.tag_id).where(ImageTag.image_id == image_id, col(ImageTag.auto))
            )
        )
        ids = self.ensure(names)
        self.session.exec(delete(ImageTag).where(col(ImageTag.image_id) == image_id))
        for name in names:
            self.session.add(
                ImageTag(image_id=image_id, tag_id=ids[name], auto=ids[name] in was_auto)
            )
        self.session.flush()

    def set_links(self, image_id: str, links: Sequence[tuple[str, bool]]) -> None:
        """The image's tags become exactly `links` (name, automatic), e.g. from an export."""
        ids = self.ensure([name for name, _ in links])
        self.session.exec(delete(ImageTag).where(col(ImageTag.image_id) == image_id))
        for name, auto in links:
            self.session.add(ImageTag(image_id=image_id, tag_id=ids[name], auto=auto))
        self.session.flush()

    def counts(
        self, scope: ViewScope, *, prefix: str | None, by_count: bool, limit: int
    ) -> list[tuple[str, int]]:
        count = func.count().label('n')
        query = (
            select(Tag.name, count)
            .join(ImageTag, col(ImageTag.tag_id) == col(Tag.id))
            .join(Image, col(Image.id) == col(ImageTag.image_id))
            .where(filters.visible(scope))
            .group_by(col(Tag.name))
        )
        if prefix:
            escaped = prefix.replace('\\', '\\\\').replace('%', '\\%').replace('_', '\\_')
            query = query.where(col(Tag.name).like(f'{escaped}%', escape='\\'))
        order = (count.desc(), col(Tag.name)) if by_count else (col(Tag.name),)
        return [(name, n) for name, n in self.session.exec(query.order_by(*order).limit(limit))]
