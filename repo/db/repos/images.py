"""Queries on images: one by id, pages of them, the upload's insert, and their public shape."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, bindparam, delete, func, insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from repo.core.policy import ViewScope
from repo.core.schemas import ImagePublic
from repo.core.visibility import Visibility
from repo.db import filters
from repo.db.errors import ConstraintConflict
from repo.db.repos.tags import TagRepository
from repo.db.tables import Image, ImageTag, Tag, User

_SAME_BYTES = select(Image.id, Image.owner_id, Image.title).where(
    col(Image.sha256) == bindparam('sha256')
)


@dataclass(frozen=True)
class ImageFilter:
    """What a gallery page asks for, besides who is looking."""

    owner_id: int | None = None  # -1: an owner that does not exist
    visibility: str | None = None
    tags: Sequence[str] = ()
    color: str | None = None


class ImageRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, image_id: object) -> Image | None:
        # No stored id holds a NUL, and Postgres text cannot even be compared with one.
        if not isinstance(image_id, str) or not image_id or '\x00' in image_id:
            return None
        return self.session.get(Image, image_id)

    def by_ids(self, image_ids: Sequence[str]) -> list[Image]:
        image_ids = [i for i in image_ids if '\x00' not in i]
        if not image_ids:
            return []
        return list(self.session.exec(select(Image).where(col(Image.id).in_(image_ids))).all())

    def same_bytes(self, sha256: str) -> list[Row]:
        """(id, owner_id, title) of every image with these bytes, whoever owns it: usually none,
        at most one per owner. Asked on every upload, so it is one prepared Core statement."""
        return list(self.session.connection().execute(_SAME_BYTES, {'sha256': sha256}))

    def sha_in_use(self, sha256: str) -> bool:
        found = self.session.exec(select(Image.id).where(Image.sha256 == sha256).limit(1))
        return found.first() is not None

    def insert(self, image: Image, links: Sequence[tuple[str, bool]]) -> str:
        """The upload's hot path: the row and its tag links in plain statements (no ORM unit of
        work), returning the owner's username read inside the transaction. After the INSERT,
        whose foreign key needs the account, the account cannot go before this commits.
        Raises ConstraintConflict for a duplicate (owner, bytes) or a deleted account."""
        conn = self.session.connection()
        try:
            conn.execute(insert(Image), [image.model_dump()])
        except IntegrityError:
            raise ConstraintConflict() from None
        owner_name = conn.execute(
            select(User.username).where(col(User.id) == image.owner_id)
        ).scalar_one()
        if links:
            tag_ids = TagRepository(self.session).ensure([name for name, _ in links])
            conn.execute(
                insert(ImageTag),
                [
                    {'image_id': image.id, 'tag_id': tag_ids[name], 'auto': is_auto}
                    for name, is_auto in links
                ],
            )
        return owner_name

    def save(self, image: Image) -> None:
        self.session.add(image)
        self.session.flush()

    def delete(self, image: Image) -> None:
        self.session.delete(image)
        self.session.flush()

    def ids_and_shas_of_owner(self, owner_id: int) -> list[tuple[str, str]]:
        rows = self.session.exec(select(Image.id, Image.sha256).where(Image.owner_id == owner_id))
        return [(image_id, sha) for image_id, sha in rows]

    def all_ids_and_shas(self) -> dict[str, str]:
        return dict(self.session.exec(select(Image.id, Image.sha256)).all())

    def look_rows(self) -> Iterator[tuple[str, int, str, int, bytes]]:
        """(id, owner_id, visibility, dhash, signature) of every image, for the similarity cache."""
        yield from self.session.exec(
            select(Image.id, Image.owner_id, Image.visibility, Image.dhash, Image.signature)
        )

    def touch_visibility(self, image_ids: Sequence[str], visibility: str) -> None:
        self.session.exec(
            update(Image).where(col(Image.id).in_(image_ids)).values(visibility=visibility)
        )

    def delete_ids(self, image_ids: Sequence[str]) -> None:
        self.session.exec(delete(Image).where(col(Image.id).in_(image_ids)))

    # ---- pages ----------------------------------------------------------------------------

    def page(
        self,
        scope: ViewScope,
        wanted: ImageFilter,
        *,
        newest_first: bool,
        limit: int,
        offset: int,
    ) -> tuple[list[Image], int]:
        """One page of the images the scope may see, matching `wanted`, and the total count."""
        conditions = [filters.visible(scope), *self._conditions(wanted)]
        total = self.session.exec(select(func.count()).select_from(Image).where(*conditions)).one()
        page_conditions = conditions
        if len(conditions) == 1:
            page_conditions = [filters.visible_walking_date_index(scope)]
        order = (
            (col(Image.created_at).desc(), col(Image.id).desc())
            if newest_first
            else (col(Image.created_at), col(Image.id))
        )
        query = select(Image).where(*page_conditions).order_by(*order).offset(offset).limit(limit)
        return list(self.session.exec(query).all()), total

    @staticmethod
    def _conditions(wanted: ImageFilter) -> list[Any]:
        conditions: list[Any] = []
        if wanted.owner_id is not None:
            conditions.append(Image.owner_id == wanted.owner_id)
        if wanted.visibility:
            conditions.append(Image.visibility == wanted.visibility)
        if wanted.tags:
            tagged = (
                select(ImageTag.image_id)
                .join(Tag, col(Tag.id) == col(ImageTag.tag_id))
                .where(col(Tag.name).in_(wanted.tags))
                .group_by(col(ImageTag.image_id))
                .having(func.count() == len(wanted.tags))
            )
            conditions.append(col(Image.id).in_(tagged))
        if wanted.color:
            conditions.append(col(Image.color_names).contains(f',{wanted.color},'))
        return conditions

    # ---- public shape ---------------------------------------------------------------------

    def public(self, images: Sequence[Image]) -> list[ImagePublic]:
        """ImagePublic for each image, in order, with its tags and its owner's username."""
        if not images:
            return []
        ids = [i.id for i in images]
        tags: dict[str, list[str]] = {i: [] for i in ids}
        auto: dict[str, list[str]] = {i: [] for i in ids}
        for image_id, name, is_auto in self.session.exec(
            select(ImageTag.image_id, Tag.name, ImageTag.auto)
            .join(Tag, col(Tag.id) == col(ImageTag.tag_id))
            .where(col(ImageTag.image_id).in_(ids))
            .order_by(col(Tag.name))
        ):
            tags[image_id].append(name)
            if is_auto:
                auto[image_id].append(name)
        owner_ids = {i.owner_id for i in images}
        owners = dict(
            self.session.exec(
                select(User.id, User.username).where(col(User.id).in_(owner_ids))
            ).all()
        )
        return [public_of(i, tags[i.id], auto[i.id], owners.get(i.owner_id, '')) for i in images]


def public_of(image: Image, tags: list[str], auto: list[str], owner: str) -> ImagePublic:
    return ImagePublic(
        **image.model_dump(exclude={'colors', 'visibility', 'signature', 'color_names'}),
        visibility=Visibility(image.visibility),
        colors=[c for c in image.colors.split(',') if c],
        color_names=[c for c in image.color_names.split(',') if c],
        tags=tags,
        auto_tags=auto,
        owner=owner,
    )
