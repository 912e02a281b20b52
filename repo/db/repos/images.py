"""Queries on images: one by id, pages of them, the upload's insert, and their public shape."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, bindparam, delete, func, insert, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from repo.core import timeline
from repo.core.policy import PUBLIC, ViewScope
from repo.core.schemas import ImagePublic
from repo.core.visibility import Visibility
from repo.db import filters
from repo.db.errors import ConstraintConflict
from repo.db.repos.shop import ListingRepository
from repo.db.repos.tags import TagRepository
from repo.db.repos.trash import TrashRepository
from repo.db.tables import Image, ImageTag, Tag, User
from repo.db.tables_shop import Listing

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
    for_sale: bool | None = None  # the shop: only listed (True) or unlisted (False) images
    min_price: int | None = None  # minor units; implies for sale
    max_price: int | None = None
    # On the timeline (sort_at): only images before / from this moment (a jump to a year).
    before: datetime | None = None
    since: datetime | None = None


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
        """Whether an image row, or an image in someone's trash, still uses these bytes."""
        found = self.session.exec(select(Image.id).where(Image.sha256 == sha256).limit(1))
        if found.first() is not None:
            return True
        return TrashRepository(self.session).sha_in_use(sha256)

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

    def of_owner_after(self, owner_id: int, after: str, limit: int) -> list[Image]:
        """The owner's images by id, the `limit` after `after` (an export walks them all)."""
        query = (
            select(Image)
            .where(Image.owner_id == owner_id, col(Image.id) > after)
            .order_by(col(Image.id))
            .limit(limit)
        )
        return list(self.session.exec(query).all())

    def restore_facts(self, image_id: str, **facts: Any) -> None:
        """Set facts an import carries over from an export (dates, allow_download)."""
        self.session.exec(update(Image).where(col(Image.id) == image_id).values(**facts))

    def all_ids_and_shas(self) -> dict[str, str]:
        """Every image's id and bytes, those in the trash too (their bytes stay until purged)."""
        known = dict(self.session.exec(select(Image.id, Image.sha256)).all())
        return {**TrashRepository(self.session).ids_and_shas(), **known}

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
        sort: str,
        limit: int,
        offset: int,
        after: tuple[datetime, str] | None = None,
    ) -> tuple[list[Image], int]:
        """One page of the images the scope may see, matching `wanted`, and the total count,
        in one of repo.core.timeline.SORTS; `after` (sort key, id) starts it right after that
        image (keyset pagination), else `offset` rows in."""
        conditions = [filters.visible(scope), *self._conditions(wanted)]
        total = self.session.exec(select(func.count()).select_from(Image).where(*conditions)).one()
        page_conditions = conditions
        if len(conditions) == 1:
            page_conditions = [filters.visible_walking_date_index(scope)]
        when = col(Image.created_at) if timeline.by_upload(sort) else col(Image.sort_at)
        newest = timeline.newest_first(sort)
        order = (when.desc(), col(Image.id).desc()) if newest else (when, col(Image.id))
        if after is not None:
            key, image_id = after
            beyond = (when < key) if newest else (when > key)
            same_then_id = (col(Image.id) < image_id) if newest else (col(Image.id) > image_id)
            page_conditions = [*page_conditions, or_(beyond, and_(when == key, same_then_id))]
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
        conditions.extend(listed_conditions(wanted))
        if wanted.before is not None:
            conditions.append(col(Image.sort_at) < wanted.before)
        if wanted.since is not None:
            conditions.append(col(Image.sort_at) >= wanted.since)
        return conditions

    def location(self, image: Image) -> tuple[float, float] | None:
        if image.latitude is None or image.longitude is None:
            return None
        return image.latitude, image.longitude

    def years(self, scope: ViewScope, wanted: ImageFilter) -> list[tuple[int, int]]:
        """(year, images) on the timeline that the scope may see, matching `wanted`, newest
        year first."""
        year = func.extract('year', col(Image.sort_at))
        query = (
            select(year, func.count())
            .where(filters.visible(scope), *self._conditions(wanted))
            .group_by(year)
            .order_by(year.desc())
        )
        return [(int(y), int(n)) for y, n in self.session.exec(query) if y is not None]

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
        sale = ListingRepository(self.session).of_images(ids)
        return [
            public_of(i, tags[i.id], auto[i.id], owners.get(i.owner_id, ''), sale.get(i.id))
            for i in images
        ]


def listed_conditions(wanted: ImageFilter) -> list[Any]:
    """The shop's filters: on sale or not, and a price range (minor units)."""
    if wanted.for_sale is None and wanted.min_price is None and wanted.max_price is None:
        return []
    priced = []
    if wanted.min_price is not None:
        priced.append(col(Listing.price_cents) >= wanted.min_price)
    if wanted.max_price is not None:
        priced.append(col(Listing.price_cents) <= wanted.max_price)
    listed = select(Listing.image_id).where(*priced)
    if wanted.for_sale is False and not priced:
        return [col(Image.id).not_in(listed)]
    # Only public images are on sale (an image made private goes off sale in the same step).
    return [col(Image.id).in_(listed), col(Image.visibility) == PUBLIC]


# Stored, but not part of an image's public shape: the GPS position is the owner's only
# (ImageService.get adds it for them as `location`).
_NOT_PUBLIC = {'colors', 'visibility', 'signature', 'color_names', 'latitude', 'longitude'}


def public_of(
    image: Image, tags: list[str], auto: list[str], owner: str, listing: Listing | None = None
) -> ImagePublic:
    return ImagePublic(
        **image.model_dump(exclude=_NOT_PUBLIC),
        visibility=Visibility(image.visibility),
        colors=[c for c in image.colors.split(',') if c],
        color_names=[c for c in image.color_names.split(',') if c],
        tags=tags,
        auto_tags=auto,
        owner=owner,
        price_cents=listing.price_cents if listing else None,
        stock=listing.stock if listing else None,
        for_sale=listing is not None,
    )
