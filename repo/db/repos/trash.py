"""The trash: an image's row kept as JSON (with its tags, albums and links) until it is
restored or purged."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from repo.db.tables import Image, ImageTag, Tag
from repo.db.tables_sharing import TrashedImage


def encode_row(image: Image) -> str:
    """The row as JSON; datetimes and bytes are tagged by their type, so that every column,
    including ones added later (the timeline's sort_at, ...), comes back as it was."""

    def plain(value: Any) -> Any:
        if isinstance(value, datetime):
            return {'$datetime': value.isoformat()}
        if isinstance(value, bytes):
            return {'$bytes': base64.b64encode(value).decode()}
        return value

    return json.dumps({key: plain(value) for key, value in image.model_dump().items()})


def decode_row(text: str) -> Image:
    def typed(value: Any) -> Any:
        if isinstance(value, dict) and '$datetime' in value:
            return datetime.fromisoformat(value['$datetime'])
        if isinstance(value, dict) and '$bytes' in value:
            return base64.b64decode(value['$bytes'])
        return value

    return Image(**{key: typed(value) for key, value in json.loads(text).items()})


class TrashRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def put(self, image: Image, links: dict[str, Any], deleted_at: datetime) -> None:
        self.session.add(
            TrashedImage(
                image_id=image.id, owner_id=image.owner_id, sha256=image.sha256,
                title=image.title, size_bytes=image.size_bytes, deleted_at=deleted_at,
                row=encode_row(image), links=json.dumps(links),
            )
        )  # fmt: skip
        self.session.flush()

    def tag_links(self, image_id: str) -> list[tuple[str, bool]]:
        rows = self.session.exec(
            select(Tag.name, ImageTag.auto)
            .join(ImageTag, col(ImageTag.tag_id) == col(Tag.id))
            .where(col(ImageTag.image_id) == image_id)
        )
        return [(name, bool(auto)) for name, auto in rows]

    def get(self, image_id: object) -> TrashedImage | None:
        if not isinstance(image_id, str) or not image_id:
            return None
        return self.session.get(TrashedImage, image_id)

    def of_owner(self, owner_id: int) -> list[TrashedImage]:
        query = (
            select(TrashedImage)
            .where(col(TrashedImage.owner_id) == owner_id)
            .order_by(col(TrashedImage.deleted_at).desc(), col(TrashedImage.image_id))
        )
        return list(self.session.exec(query))

    def find(self, owner_id: int, sha256: str) -> TrashedImage | None:
        query = select(TrashedImage).where(
            col(TrashedImage.owner_id) == owner_id, col(TrashedImage.sha256) == sha256
        )
        return self.session.exec(query).first()

    def remove(self, image_id: str) -> bool:
        """Out of the trash (restored or purged), once: the row count says who won a race."""
        result = self.session.exec(
            delete(TrashedImage).where(col(TrashedImage.image_id) == image_id)
        )
        return result.rowcount == 1

    def older_than(self, before: datetime, limit: int = 200) -> list[tuple[str, str]]:
        """(image id, sha256) of images deleted before `before`: due to be purged."""
        rows = self.session.exec(
            select(TrashedImage.image_id, TrashedImage.sha256)
            .where(col(TrashedImage.deleted_at) < before)
            .order_by(col(TrashedImage.deleted_at))
            .limit(limit)
        )
        return [(image_id, sha) for image_id, sha in rows]

    def sha_in_use(self, sha256: str) -> bool:
        found = self.session.exec(
            select(TrashedImage.image_id).where(col(TrashedImage.sha256) == sha256).limit(1)
        )
        return found.first() is not None

    def usage(self, owner_id: int | None = None) -> dict[int, tuple[int, int]]:
        """owner id -> (bytes, images) in the trash (they still count against the quota)."""
        query = select(
            TrashedImage.owner_id, func.sum(TrashedImage.size_bytes), func.count()
        ).group_by(col(TrashedImage.owner_id))
        if owner_id is not None:
            query = query.where(col(TrashedImage.owner_id) == owner_id)
        return {o: (int(b or 0), int(n)) for o, b, n in self.session.exec(query)}

    def ids_and_shas(self, owner_id: int | None = None) -> dict[str, str]:
        query = select(TrashedImage.image_id, TrashedImage.sha256)
        if owner_id is not None:
            query = query.where(col(TrashedImage.owner_id) == owner_id)
        return dict(self.session.exec(query).all())


def image_of(row: TrashedImage) -> Image:
    return decode_row(row.row)


def links_of(row: TrashedImage) -> dict[str, Any]:
    return json.loads(row.links)
