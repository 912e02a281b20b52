"""Queries on albums: the album, its images in order, the counts and covers a viewer sees."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import delete, func, insert, update
from sqlmodel import Session, col, select

from repo.core.policy import PUBLIC, ViewScope
from repo.db import filters
from repo.db.tables import Image
from repo.db.tables_sharing import Album, AlbumImage


class AlbumRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def insert(self, album: Album) -> None:
        self.session.add(album)
        self.session.flush()

    def get(self, album_id: object) -> Album | None:
        if not isinstance(album_id, str) or not album_id:
            return None
        return self.session.get(Album, album_id)

    def save(self, album: Album) -> None:
        self.session.add(album)
        self.session.flush()

    def delete(self, album_id: str) -> None:
        self.session.exec(delete(Album).where(col(Album.id) == album_id))

    def visible(self, scope: ViewScope, owner_id: int | None = None) -> list[Album]:
        """Albums the scope may see (public ones and its own), newest first."""
        seen = col(Album.visibility) == PUBLIC
        if scope.owner_id is not None:
            seen = seen | (col(Album.owner_id) == scope.owner_id)
        query = select(Album).where(seen)
        if owner_id is not None:
            query = query.where(col(Album.owner_id) == owner_id)
        query = query.order_by(col(Album.created_at).desc(), col(Album.id))
        return list(self.session.exec(query))

    def counts(self, album_ids: Sequence[str], scope: ViewScope) -> dict[str, tuple[int, str]]:
        """album id -> (images the scope may see in it, the first of them) for non-empty ones."""
        if not album_ids:
            return {}
        rows = self.session.exec(
            select(AlbumImage.album_id, Image.id)
            .join(Image, col(Image.id) == col(AlbumImage.image_id))
            .where(col(AlbumImage.album_id).in_(album_ids), filters.visible(scope))
            .order_by(col(AlbumImage.position), col(AlbumImage.added_at).desc())
        )
        out: dict[str, tuple[int, str]] = {}
        for album_id, image_id in rows:
            count, first = out.get(album_id, (0, image_id))
            out[album_id] = (count + 1, first)
        return out

    def page(
        self, album_id: str, scope: ViewScope, limit: int, offset: int
    ) -> tuple[list[Image], int]:
        conditions = [col(AlbumImage.album_id) == album_id, filters.visible(scope)]
        joined = select(Image).join(AlbumImage, col(AlbumImage.image_id) == col(Image.id))
        total = self.session.exec(
            select(func.count())
            .select_from(Image)
            .join(AlbumImage, col(AlbumImage.image_id) == col(Image.id))
            .where(*conditions)
        ).one()
        query = (
            joined.where(*conditions)
            .order_by(col(AlbumImage.position), col(AlbumImage.added_at).desc())
            .offset(offset)
            .limit(limit)
        )
        return list(self.session.exec(query)), int(total)

    def member_ids(self, album_id: str) -> list[str]:
        rows = self.session.exec(
            select(AlbumImage.image_id)
            .where(col(AlbumImage.album_id) == album_id)
            .order_by(col(AlbumImage.position), col(AlbumImage.added_at).desc())
        )
        return list(rows)

    def add(self, album_id: str, image_ids: Sequence[str]) -> int:
        """Put images first in the album (those already in it stay where they are)."""
        present = set(self.member_ids(album_id))
        new = [i for i in dict.fromkeys(image_ids) if i not in present]
        if not new:
            return 0
        lowest = self.session.exec(
            select(func.min(AlbumImage.position)).where(col(AlbumImage.album_id) == album_id)
        ).one()
        start = (lowest if lowest is not None else 0) - len(new)
        now = datetime.now(UTC)
        self.session.connection().execute(
            insert(AlbumImage),
            [
                {'album_id': album_id, 'image_id': image_id, 'position': start + i,
                 'added_at': now}
                for i, image_id in enumerate(new)
            ],
        )  # fmt: skip
        return len(new)

    def remove(self, album_id: str, image_id: str) -> bool:
        result = self.session.exec(
            delete(AlbumImage).where(
                col(AlbumImage.album_id) == album_id, col(AlbumImage.image_id) == image_id
            )
        )
        return result.rowcount == 1

    def reorder(self, album_id: str, image_ids: Sequence[str]) -> None:
        """These first, in this order; the rest after them as they were."""
        rest = [i for i in self.member_ids(album_id) if i not in set(image_ids)]
        for position, image_id in enumerate([*image_ids, *rest]):
            self.session.exec(
                update(AlbumImage)
                .where(col(AlbumImage.album_id) == album_id, col(AlbumImage.image_id) == image_id)
                .values(position=position)
            )

    # ---- export and import ---------------------------------------------------------------

    def titles_by_image(self, image_ids: Sequence[str]) -> dict[str, list[str]]:
        """The titles of the albums each image is in (images.json's `albums`)."""
        rows = self.session.exec(
            select(AlbumImage.image_id, Album.title)
            .join(Album, col(Album.id) == col(AlbumImage.album_id))
            .where(col(AlbumImage.image_id).in_(list(image_ids)))
            .order_by(col(Album.title))
        )
        found: dict[str, list[str]] = {}
        for image_id, title in rows:
            found.setdefault(image_id, []).append(title)
        return found

    def owned_titled(self, owner_id: int, title: str) -> Album | None:
        """The owner's oldest album of this title (import-export puts images back in it)."""
        return self.session.exec(
            select(Album)
            .where(col(Album.owner_id) == owner_id, col(Album.title) == title)
            .order_by(col(Album.created_at), col(Album.id))
        ).first()

    # ---- the trash's snapshot -------------------------------------------------------------

    def memberships(self, image_id: str) -> list[tuple[str, int]]:
        rows = self.session.exec(
            select(AlbumImage.album_id, AlbumImage.position).where(
                col(AlbumImage.image_id) == image_id
            )
        )
        return [(album_id, position) for album_id, position in rows]

    def covered_by(self, image_id: str) -> list[str]:
        return list(
            self.session.exec(select(Album.id).where(col(Album.cover_image_id) == image_id))
        )

    def put_back(
        self, image_id: str, memberships: Sequence[tuple[str, int]], covers: Sequence[str]
    ) -> None:
        """Into the albums that still exist, where it was; its covers again."""
        for album_id, position in memberships:
            if self.session.get(Album, album_id) is not None:
                self.session.add(
                    AlbumImage(album_id=album_id, image_id=image_id, position=position)
                )
        self.session.flush()
        if covers:
            self.session.exec(
                update(Album)
                .where(col(Album.id).in_(covers), col(Album.cover_image_id).is_(None))
                .values(cover_image_id=image_id)
            )
