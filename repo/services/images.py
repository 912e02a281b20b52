"""One image at a time, and pages of them: read, change, delete, and its bytes."""

from __future__ import annotations

import logging
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from io import BytesIO
from typing import Any, BinaryIO

from repo import imaging
from repo.blobs.staging import Staging
from repo.blobs.store import BlobMissing, BlobStore, original_key, rendition_key
from repo.core import policy, timeline
from repo.core.actor import Actor
from repo.core.errors import Forbidden, ImageNotFound, Invalid, NotFound
from repo.core.events import ImageChanged, ImageRemoved
from repo.core.schemas import ImagePage, ImagePublic, ImageUpdate, Location, YearCount
from repo.core.timeline import SORTS
from repo.core.validation import (
    check_description,
    check_tags,
    check_title,
    check_visibility,
    title_from_filename,
)
from repo.core.visibility import Visibility
from repo.db.repos.images import ImageFilter
from repo.db.tables import Image, utcnow
from repo.services.blob_gc import remove_if_unused
from repo.services.image_workers import ImageWorkers, Limits
from repo.services.list_paging import after_cursor, check_color, check_page, cursor_after
from repo.services.shop_catalogue import apply_sale
from repo.services.trash_move import to_trash
from repo.services.watermarks import WatermarkCache

log = logging.getLogger(__name__)

MEDIA_TYPES = {
    'JPEG': 'image/jpeg',
    'PNG': 'image/png',
    'WEBP': 'image/webp',
    'GIF': 'image/gif',
    'AVIF': 'image/avif',
    'HEIF': 'image/heic',
}


@dataclass(frozen=True)
class BlobFile:
    """Access-checked bytes to send: where they are (a key in the store), their type, and how
    they may be cached."""

    store: BlobStore
    key: str
    media_type: str
    etag: str
    size: int
    download_name: str
    private: bool
    # Made for this request, not in the store: a watermarked preview, an original without its
    # location.
    data: bytes | None = None

    def open(self) -> BinaryIO:
        return BytesIO(self.data) if self.data is not None else self.store.open(self.key)

    def read(self) -> bytes:
        return self.data if self.data is not None else self.store.read(self.key)


def visible_row(tx: Any, actor: Actor, image_id: object) -> Image:
    image = tx.images.get(image_id)
    if image is None or not policy.can_view(actor, image.owner_id, image.visibility):
        raise ImageNotFound()
    return image


def with_location(tx: Any, actor: Actor, image: Image, shown: ImagePublic) -> ImagePublic:
    """The image's public shape, with where it was taken when the actor is its owner."""
    found = tx.images.location(image)
    if found is None or not policy.may_see_location(actor, image.owner_id):
        return shown
    return shown.model_copy(update={'location': Location(latitude=found[0], longitude=found[1])})


class ImageService:
    def __init__(
        self,
        uow: Callable[[], Any],
        blobs: BlobStore,
        staging: Staging,
        workers: ImageWorkers,
        limits: Callable[[], Limits],
        *,
        watermark: Callable[[], bool] = lambda: False,
        watermarks: WatermarkCache | None = None,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.uow = uow
        self.blobs = blobs
        self.staging = staging
        self.workers = workers
        self.limits = limits
        self.watermark = watermark  # SHOEBOX_WATERMARK: mark previews of images on sale
        self.watermarks = watermarks or WatermarkCache()
        self.now = now

    def get(self, actor: Actor, image_id: str) -> ImagePublic:
        policy.require_read(actor)
        with self.uow() as tx:
            image = visible_row(tx, actor, image_id)
            return with_location(tx, actor, image, tx.images.public([image])[0])

    def list(
        self,
        actor: Actor,
        *,
        owner: str | None = None,
        visibility: str | None = None,
        tags: Sequence[str] = (),
        color: str | None = None,
        for_sale: bool | None = None,
        min_price: int | None = None,
        max_price: int | None = None,
        sort: str = 'newest',
        year: int | None = None,
        limit: int = 50,
        offset: int = 0,
        cursor: str | None = None,
    ) -> ImagePage:
        """Images the actor may see, filtered, in one of timeline.SORTS, with the total count.
        `year` starts the page at that year of the timeline (and goes on past it); `for_sale`:
        only what can be bought (or only what cannot); prices in minor units. `cursor` (the
        previous page's next_cursor) continues right after its last image, instead of offset."""
        policy.require_read(actor)
        limit, offset = check_page(limit, offset)
        if sort not in SORTS:
            raise Invalid(f'Sort must be one of {", ".join(SORTS)}, not "{sort}"')
        after = after_cursor(cursor, sort, offset)
        with self.uow() as tx:
            wanted = self._filter(tx, owner, visibility, tags, color, sort, year)
            wanted = replace(wanted, for_sale=for_sale, min_price=min_price, max_price=max_price)
            rows, total = tx.images.page(
                policy.view_scope(actor), wanted, sort=sort, limit=limit, offset=offset,
                after=after,
            )  # fmt: skip
            items = tx.images.public(rows)
            next_cursor = cursor_after(rows[-1], sort) if len(rows) == limit else None
        return ImagePage(
            items=items, total=total, limit=limit, offset=offset, next_cursor=next_cursor
        )

    def years(
        self,
        actor: Actor,
        *,
        owner: str | None = None,
        visibility: str | None = None,
        tags: Sequence[str] = (),
        color: str | None = None,
    ) -> list[YearCount]:
        """The years of the timeline the actor may see (with these filters), newest first."""
        policy.require_read(actor)
        with self.uow() as tx:
            wanted = self._filter(tx, owner, visibility, tags, color, 'newest', None)
            found = tx.images.years(policy.view_scope(actor), wanted)
        return [YearCount(year=y, count=n) for y, n in found]

    @staticmethod
    def _filter(
        tx: Any,
        owner: str | None,
        visibility: str | None,
        tags: Sequence[str],
        color: str | None,
        sort: str,
        year: int | None,
    ) -> ImageFilter:
        owner_id = None
        if owner:
            owner_id = tx.users.id_of(owner.lower())
            owner_id = -1 if owner_id is None else owner_id
        before = since = None
        if year is not None:
            if not timeline.FIRST_YEAR <= year <= timeline.LAST_YEAR:
                raise Invalid(
                    f'year must be between {timeline.FIRST_YEAR} and {timeline.LAST_YEAR}'
                )
            if timeline.by_upload(sort):
                raise Invalid('year goes with the timeline sorts (newest, oldest)')
            side, bound = timeline.year_bound(year, sort)
            before, since = (bound, None) if side == 'before' else (None, bound)
        return ImageFilter(
            owner_id=owner_id,
            visibility=check_visibility(visibility).value if visibility else None,
            tags=check_tags(tags),
            color=check_color(color) if color else None,
            before=before,
            since=since,
        )

    def update(self, actor: Actor, image_id: str, changes: ImageUpdate) -> ImagePublic:
        with self.uow() as tx:
            image = visible_row(tx, actor, image_id)
            policy.require_edit(actor, image.owner_id, image.visibility)
            if changes.title is not None:
                image.title = check_title(changes.title)
            if changes.description is not None:
                image.description = check_description(changes.description)
            if changes.visibility is not None:
                image.visibility = check_visibility(changes.visibility).value
            if changes.allow_download is not None:
                image.allow_download = changes.allow_download
            if changes.share_location is not None:
                image.share_location = changes.share_location
            if changes.tags is not None:
                tx.tags.replace_links(image.id, check_tags(changes.tags))
            apply_sale(tx, image, changes)
            image.updated_at = utcnow()
            tx.images.save(image)
            tx.emit(ImageChanged(image.id, public=image.visibility == Visibility.public.value))
            return with_location(tx, actor, image, tx.images.public([image])[0])

    def delete(self, actor: Actor, image_id: str) -> None:
        """Into the trash (repo.services.trash), or gone at once when `trash_days` is 0."""
        with self.uow() as tx:
            image = visible_row(tx, actor, image_id)
            policy.require_delete(actor, image.owner_id, image.visibility)
            if getattr(self.limits(), 'trash_days', 0) > 0:
                to_trash(tx, image, self.now())
                return
            tx.images.delete(image)
            tx.emit(ImageRemoved(image.id, sha256=image.sha256))

    def delete_many(self, actor: Actor, image_ids: Iterable[str]) -> int:
        """Delete each image the actor owns; returns how many went (others are skipped)."""
        count = 0
        for image_id in image_ids:
            try:
                self.delete(actor, image_id)
                count += 1
            except (ImageNotFound, Forbidden):
                continue
        return count

    def remove_unused_blobs(self, event: ImageRemoved) -> None:
        """After an image row is gone: its bytes go too, unless another row still uses them."""
        if event.sha256:
            remove_if_unused(self.uow, self.blobs, event.sha256)

    # ---- bytes ----------------------------------------------------------------------------

    def open_file(self, actor: Actor, image_id: str, kind: str) -> BlobFile:
        """The bytes of a rendition ('thumb', 'preview') or the 'original', access-checked."""
        policy.require_read(actor)
        with self.uow() as tx:
            image = visible_row(tx, actor, image_id)
            mark = self._mark_for(tx, actor, image) if kind == 'preview' else None
        if kind == 'original' and not policy.may_download_original(
            actor, image.owner_id, image.allow_download
        ):
            raise ImageNotFound()
        keep = policy.original_keeps_location(actor, image.owner_id, image.share_location)
        return self.blob_of(image, kind, mark=mark, keep_location=keep)

    def blob_of(
        self, image: Image, kind: str, *, mark: str | None = None, keep_location: bool = False
    ) -> BlobFile:
        """The bytes of an image whose access was checked by the caller (this service, a
        share link, the trash). `mark`: the watermark's name ('' or None: none); the original
        leaves without its GPS position unless `keep_location`."""
        if kind == 'original':
            key = original_key(image.sha256)
            media = MEDIA_TYPES.get(image.format, 'application/octet-stream')
            name = image.filename
        elif kind in ('thumb', 'preview'):
            key = rendition_key(image.sha256, kind)
            media = 'image/webp'
            name = f'{title_from_filename(image.filename)}.{kind}.webp'
        else:
            raise NotFound(f'Unknown file kind "{kind}"')
        stat = self.blobs.stat(key)
        if stat is None and kind == 'preview':
            self._make_preview(image.sha256)
            stat = self.blobs.stat(key)
        if stat is None:
            log.error('Blob missing for image %s (%s)', image.id, kind)
            raise ImageNotFound()
        if mark:
            return self._marked_preview(image, key, mark)
        if kind == 'original' and not keep_location:
            stripped = self._without_location(image, key)
            if stripped is not None:
                return BlobFile(
                    store=self.blobs, key=key, media_type=media, size=len(stripped),
                    etag=f'"{image.sha256[:32]}-s"', download_name=name,
                    private=image.visibility != Visibility.public.value, data=stripped,
                )  # fmt: skip
        return BlobFile(
            store=self.blobs,
            key=key,
            media_type=media,
            etag=f'"{image.sha256[:32]}-{kind[0]}"',
            size=stat.size,
            download_name=name,
            # Watermarks on: the same URL shows others a marked preview, so no shared cache.
            private=image.visibility != Visibility.public.value or mark == '',
        )

    def _mark_for(self, tx: Any, actor: Actor, image: Image) -> str | None:
        """The name to put on this preview for this viewer; '' when watermarks apply to the
        image but not to this viewer (its owner, a buyer); None when they do not apply."""
        if not self.watermark() or tx.listings.get(image.id) is None:
            return None
        bought = actor.user_id is not None and tx.orders.has_bought(actor.user_id, image.id)
        if policy.unmarked_preview(actor, image.owner_id, bought):
            return ''
        owner = tx.users.get(image.owner_id)
        return (owner.display_name or owner.username) if owner is not None else ''

    def _marked_preview(self, image: Image, key: str, name: str) -> BlobFile:
        data = self.watermarks.get(image.sha256, name, lambda: self.blobs.read(key))
        return BlobFile(
            store=self.blobs,
            key=key,
            media_type='image/webp',
            etag=f'"{image.sha256[:32]}-w{zlib.crc32(name.encode()):08x}"',
            size=len(data),
            download_name=f'{title_from_filename(image.filename)}.preview.webp',
            private=True,
            data=data,
        )

    def _without_location(self, image: Image, key: str) -> bytes | None:
        """The original's bytes without its GPS position, or None when it has none. Photos
        from before the camera facts were kept (latitude unknown) are looked at too."""
        if image.latitude is None and image.format != 'JPEG' and image.camera is None:
            return None  # no EXIF camera, not a JPEG: nothing that carries a position
        try:
            return imaging.strip_location(self.blobs.read(key), image.format)
        except BlobMissing:
            raise ImageNotFound() from None
        except Exception:
            # Never hand out the position because it could not be removed.
            log.exception('Could not remove the location from image %s', image.id)
            raise ImageNotFound() from None

    def _make_preview(self, sha256: str) -> None:
        """Make the preview rendition from the original (once; it is then stored beside it)."""
        tmp = self.staging.tmp_path('.preview.webp')
        limits = self.limits()
        try:
            with self.blobs.local_copy(original_key(sha256)) as original:
                outcome = self.workers.submit(
                    imaging.process_image,
                    str(original),
                    None,
                    str(tmp),
                    max_pixels=limits.max_pixels,
                    thumb_size=limits.thumb_size,
                    preview_size=limits.preview_size,
                ).result()
            if isinstance(outcome, imaging.ImageRejection):
                log.error('Preview failed for blob %s: %s', sha256, outcome.message)
                return
            with self.uow() as tx:
                tx.lock_content(sha256)  # not for bytes whose last image went meanwhile
                if tx.images.sha_in_use(sha256):
                    self.blobs.put(rendition_key(sha256, 'preview'), tmp)
        except BlobMissing:
            return
        finally:
            tmp.unlink(missing_ok=True)
