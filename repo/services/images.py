"""One image at a time, and pages of them: read, change, delete, and its bytes."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO

from repo import imaging
from repo.blobs.staging import Staging
from repo.blobs.store import BlobMissing, BlobStore, original_key, rendition_key
from repo.core import palette, policy
from repo.core.actor import Actor
from repo.core.errors import Forbidden, ImageNotFound, Invalid, NotFound
from repo.core.events import ImageChanged, ImageRemoved
from repo.core.schemas import ImagePage, ImagePublic, ImageUpdate
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
from repo.services.trash_move import to_trash

log = logging.getLogger(__name__)

MAX_PAGE = 200
SORTS = ('newest', 'oldest')
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

    def open(self) -> BinaryIO:
        return self.store.open(self.key)

    def read(self) -> bytes:
        return self.store.read(self.key)


def check_page(limit: int, offset: int) -> tuple[int, int]:
    if not 1 <= limit <= MAX_PAGE:
        raise Invalid(f'limit must be between 1 and {MAX_PAGE}')
    if offset < 0:
        raise Invalid('offset must be 0 or more')
    return limit, offset


def check_color(name: str) -> str:
    found = palette.color_name(name)
    if found is None:
        raise Invalid(f'Unknown colour "{name}"; use one of: {", ".join(palette.PALETTE)}')
    return found


def visible_row(tx: Any, actor: Actor, image_id: object) -> Image:
    image = tx.images.get(image_id)
    if image is None or not policy.can_view(actor, image.owner_id, image.visibility):
        raise ImageNotFound()
    return image


class ImageService:
    def __init__(
        self,
        uow: Callable[[], Any],
        blobs: BlobStore,
        staging: Staging,
        workers: ImageWorkers,
        limits: Callable[[], Limits],
        *,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.uow = uow
        self.blobs = blobs
        self.staging = staging
        self.workers = workers
        self.limits = limits
        self.now = now

    def get(self, actor: Actor, image_id: str) -> ImagePublic:
        policy.require_read(actor)
        with self.uow() as tx:
            return tx.images.public([visible_row(tx, actor, image_id)])[0]

    def list(
        self,
        actor: Actor,
        *,
        owner: str | None = None,
        visibility: str | None = None,
        tags: Sequence[str] = (),
        color: str | None = None,
        sort: str = 'newest',
        limit: int = 50,
        offset: int = 0,
    ) -> ImagePage:
        """Images the actor may see, filtered, newest or oldest first, with the total count."""
        policy.require_read(actor)
        limit, offset = check_page(limit, offset)
        if sort not in SORTS:
            raise Invalid(f'Sort must be one of {", ".join(SORTS)}, not "{sort}"')
        with self.uow() as tx:
            owner_id = None
            if owner:
                owner_id = tx.users.id_of(owner.lower())
                owner_id = -1 if owner_id is None else owner_id
            wanted = ImageFilter(
                owner_id=owner_id,
                visibility=check_visibility(visibility).value if visibility else None,
                tags=check_tags(tags),
                color=check_color(color) if color else None,
            )
            rows, total = tx.images.page(
                policy.view_scope(actor), wanted, newest_first=sort == 'newest',
                limit=limit, offset=offset,
            )  # fmt: skip
            items = tx.images.public(rows)
        return ImagePage(items=items, total=total, limit=limit, offset=offset)

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
            if changes.tags is not None:
                tx.tags.replace_links(image.id, check_tags(changes.tags))
            image.updated_at = utcnow()
            tx.images.save(image)
            tx.emit(ImageChanged(image.id, public=image.visibility == Visibility.public.value))
            return tx.images.public([image])[0]

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
        if kind == 'original' and not policy.may_download_original(
            actor, image.owner_id, image.allow_download
        ):
            raise ImageNotFound()
        return self.blob_of(image, kind)

    def blob_of(self, image: Image, kind: str) -> BlobFile:
        """The bytes of an image whose access was checked by the caller (this service, a
        share link, the trash)."""
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
        return BlobFile(
            store=self.blobs,
            key=key,
            media_type=media,
            etag=f'"{image.sha256[:32]}-{kind[0]}"',
            size=stat.size,
            download_name=name,
            private=image.visibility != Visibility.public.value,
        )

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
