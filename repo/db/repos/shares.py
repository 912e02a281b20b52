"""Queries on share links: the link, what it names, its views, its wrong passwords."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, insert, update
from sqlmodel import Session, col, select

from repo.db.tables import Image
from repo.db.tables_sharing import AlbumImage, ShareFailure, ShareImage, ShareLink


class ShareRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def insert(self, link: ShareLink, image_ids: Sequence[str]) -> None:
        self.session.add(link)
        self.session.flush()
        if image_ids:
            self.session.connection().execute(
                insert(ShareImage),
                [
                    {'share_id': link.id, 'image_id': image_id, 'position': i}
                    for i, image_id in enumerate(image_ids)
                ],
            )

    def get(self, share_id: object) -> ShareLink | None:
        if not isinstance(share_id, str) or not share_id:
            return None
        return self.session.get(ShareLink, share_id)

    def by_key(self, key: object) -> ShareLink | None:
        if not isinstance(key, str) or not key or len(key) > 200:
            return None
        return self.session.exec(select(ShareLink).where(col(ShareLink.key) == key)).first()

    def of_owner(self, owner_id: int) -> list[ShareLink]:
        query = (
            select(ShareLink)
            .where(col(ShareLink.owner_id) == owner_id)
            .order_by(col(ShareLink.created_at).desc(), col(ShareLink.id))
        )
        return list(self.session.exec(query))

    def image_ids(self, share_ids: Sequence[str]) -> dict[str, list[str]]:
        """The images a link of images names (still existing ones), in their order."""
        out: dict[str, list[str]] = {s: [] for s in share_ids}
        if share_ids:
            for share_id, image_id in self.session.exec(
                select(ShareImage.share_id, ShareImage.image_id)
                .where(col(ShareImage.share_id).in_(share_ids))
                .order_by(col(ShareImage.position))
            ):
                out[share_id].append(image_id)
        return out

    def images(self, link: ShareLink) -> list[Image]:
        """Every image the link shows, in order: the album's (all of them, whatever their
        visibility: a link is the owner's consent), or the ones it names."""
        if link.album_id is not None:
            query = (
                select(Image)
                .join(AlbumImage, col(AlbumImage.image_id) == col(Image.id))
                .where(col(AlbumImage.album_id) == link.album_id)
                .order_by(col(AlbumImage.position), col(AlbumImage.added_at).desc())
            )
        else:
            query = (
                select(Image)
                .join(ShareImage, col(ShareImage.image_id) == col(Image.id))
                .where(col(ShareImage.share_id) == link.id)
                .order_by(col(ShareImage.position))
            )
        return list(self.session.exec(query))

    def image_in(self, link: ShareLink, image_id: str) -> Image | None:
        if link.album_id is not None:
            member = self.session.get(AlbumImage, (link.album_id, image_id))
        else:
            member = self.session.get(ShareImage, (link.id, image_id))
        if member is None:
            return None
        return self.session.get(Image, image_id)

    def save(self, link: ShareLink) -> None:
        self.session.add(link)
        self.session.flush()

    def delete(self, share_id: str) -> bool:
        result = self.session.exec(delete(ShareLink).where(col(ShareLink.id) == share_id))
        return result.rowcount == 1

    def count_view(self, share_id: str) -> None:
        self.session.exec(
            update(ShareLink)
            .where(col(ShareLink.id) == share_id)
            .values(views=col(ShareLink.views) + 1)
        )

    # ---- wrong passwords ------------------------------------------------------------------

    def failures_since(self, share_id: str, since: float) -> tuple[int, float | None]:
        """How many wrong passwords the link had after `since`, and the oldest of them."""
        count, oldest = self.session.exec(
            select(func.count(), func.min(ShareFailure.at)).where(
                col(ShareFailure.share_id) == share_id, col(ShareFailure.at) > since
            )
        ).one()
        return int(count), oldest

    def failed(self, share_id: str, at: float, forget_before: float) -> None:
        self.session.exec(delete(ShareFailure).where(col(ShareFailure.at) < forget_before))
        self.session.add(ShareFailure(share_id=share_id, at=at))
        self.session.flush()

    # ---- the trash's snapshot -------------------------------------------------------------

    def memberships(self, image_id: str) -> list[tuple[str, int]]:
        rows = self.session.exec(
            select(ShareImage.share_id, ShareImage.position).where(
                col(ShareImage.image_id) == image_id
            )
        )
        return [(share_id, position) for share_id, position in rows]

    def put_back(self, image_id: str, memberships: Sequence[tuple[str, int]]) -> None:
        """Into the links that still exist."""
        for share_id, position in memberships:
            if self.session.get(ShareLink, share_id) is not None:
                self.session.add(
                    ShareImage(share_id=share_id, image_id=image_id, position=position)
                )
        self.session.flush()
