"""The trash: a deleted image leaves every list, search, album and link at once, and its bytes
stay until it is restored or purged (after the `trash_days` runtime setting; 0 deletes at once).

Moving to the trash takes the row out of the image table (into `trashedimage`, as JSON, with its
tags, album places, links and comments), so no query anywhere can show it by mistake. Restoring
puts it all back. The purge job deletes rows due in a conditional statement per image (several
processes may run it; the row count says which one purged it) and the bytes go after the
commit, when no row, trashed or not, uses them (repo.services.blob_gc).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from repo.core import policy, scopes
from repo.core.actor import Actor
from repo.core.errors import Conflict, ImageNotFound, Invalid
from repo.core.events import ImageAdded, ImageRemoved
from repo.core.schemas import ImagePublic
from repo.core.schemas_sharing import TrashedPublic
from repo.db.errors import ConstraintConflict
from repo.db.repos.images import public_of
from repo.db.repos.trash import image_of, links_of
from repo.db.tables import utcnow
from repo.db.tables_sharing import Comment
from repo.services.images import BlobFile, ImageService
from repo.services.trash_move import to_trash

__all__ = ['PurgeJob', 'TrashService', 'to_trash']

log = logging.getLogger(__name__)

PURGE_EVERY_S = 3600.0
MAX_IDS = 1000


class TrashService:
    def __init__(
        self,
        uow: Callable[[], Any],
        images: ImageService,
        limits: Callable[[], Any],
        *,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.uow = uow
        self.images = images
        self.limits = limits
        self.now = now

    def days(self) -> int:
        return int(self.limits().trash_days)

    def list(self, actor: Actor) -> list[TrashedPublic]:
        """The actor's trash, most recently deleted first, with when each goes for good."""
        owner_id = policy.require_user(actor)
        policy.require_read(actor)
        keep = timedelta(days=self.days())
        with self.uow() as tx:
            rows = tx.trash.of_owner(owner_id)
            owner = tx.users.get(owner_id)
        name = owner.username if owner is not None else ''
        out = []
        for row in rows:
            image = image_of(row)
            tags = links_of(row).get('tags', [])
            public = public_of(
                image, sorted(t for t, _ in tags), sorted(t for t, a in tags if a), name
            )
            deleted = policy.as_utc(row.deleted_at)
            out.append(TrashedPublic(image=public, deleted_at=deleted, purge_at=deleted + keep))
        return out

    def restore(self, actor: Actor, image_ids: Sequence[str]) -> list[ImagePublic]:
        """Everything back as it was: tags, albums, links, comments, visibility, searchable.
        Someone else's (or an unknown) id is a 404 and nothing is restored."""
        policy.require_user(actor)
        policy.require_scope(actor, scopes.IMAGES_DELETE)
        ids = check_ids(image_ids)
        with self.uow() as tx:
            rows = [tx.trash.get(i) for i in ids]
            if any(r is None or not policy.is_owner(actor, r.owner_id) for r in rows):
                raise ImageNotFound()
            restored = [self._put_back(tx, r) for r in rows if r is not None]
            return [p for p in restored if p is not None]

    def restore_for_upload(self, owner_id: int, sha256: str) -> ImagePublic | None:
        """An upload of bytes that sit in the owner's trash brings that image back instead."""
        with self.uow() as tx:
            row = tx.trash.find(owner_id, sha256)
            if row is None:
                return None
            restored = self._put_back(tx, row)
        if restored is not None:
            restored.restored = True
        return restored

    def empty(
        self, actor: Actor, image_ids: Sequence[str] | None = None, *, everything: bool = False
    ) -> int:
        """Delete for good: the given images, or the whole trash. Returns how many went."""
        owner_id = policy.require_user(actor)
        policy.require_scope(actor, scopes.IMAGES_DELETE)
        with self.uow() as tx:
            if everything:
                targets = list(tx.trash.ids_and_shas(owner_id).items())
            else:
                ids = check_ids(image_ids or [])
                rows = [tx.trash.get(i) for i in ids]
                if any(r is None or not policy.is_owner(actor, r.owner_id) for r in rows):
                    raise ImageNotFound()
                targets = [(r.image_id, r.sha256) for r in rows if r is not None]
            return self._purge(tx, targets)

    def purge_due(self) -> int:
        """The background job: purge what has been in the trash longer than `trash_days`."""
        before = self.now() - timedelta(days=self.days())
        total = 0
        while True:
            with self.uow() as tx:
                due = tx.trash.older_than(before)
                if not due:
                    return total
                total += self._purge(tx, due)

    def open_thumbnail(self, actor: Actor, image_id: str) -> BlobFile:
        """The thumbnail of an image in the actor's own trash (for the Trash page)."""
        policy.require_user(actor)
        with self.uow() as tx:
            row = tx.trash.get(image_id)
        if row is None or not policy.is_owner(actor, row.owner_id):
            raise ImageNotFound()
        return self.images.blob_of(image_of(row), 'thumb')

    # ---- steps ----------------------------------------------------------------------------

    @staticmethod
    def _purge(tx: Any, targets: Sequence[tuple[str, str]]) -> int:
        count = 0
        for image_id, sha in targets:
            if tx.trash.remove(image_id):  # another process may have purged it first
                tx.emit(ImageRemoved(image_id, sha256=sha))
                count += 1
        return count

    @staticmethod
    def _put_back(tx: Any, row: Any) -> ImagePublic | None:
        if not tx.trash.remove(row.image_id):
            return None
        image, links = image_of(row), links_of(row)
        tags = [(name, bool(auto)) for name, auto in links.get('tags', [])]
        try:
            tx.images.insert(image, tags)
        except ConstraintConflict:
            raise Conflict('You already have an image with these bytes again') from None
        tx.albums.put_back(
            image.id, [tuple(m) for m in links.get('albums', [])], links.get('covers', [])
        )
        tx.shares.put_back(image.id, [tuple(m) for m in links.get('shares', [])])
        for author_id, text, at in links.get('comments', []):
            if tx.users.get(author_id) is not None:
                tx.comments.add(
                    Comment(
                        image_id=image.id, author_id=author_id, text=text,
                        created_at=datetime.fromisoformat(at),
                    )
                )  # fmt: skip
        if not links.get('comments_enabled', True):
            tx.comments.set_enabled(image.id, False)
        tx.emit(
            ImageAdded(
                image.id, owner_id=image.owner_id, public=image.visibility == 'public',
                dhash=image.dhash, signature=image.signature,
            )
        )  # fmt: skip
        return tx.images.public([image])[0]


def check_ids(image_ids: Sequence[str]) -> list[str]:
    ids = [i for i in dict.fromkeys(image_ids) if isinstance(i, str)]
    if not ids:
        raise Invalid('Give at least one image id')
    if len(ids) > MAX_IDS:
        raise Invalid(f'At most {MAX_IDS} images at a time')
    return ids


class PurgeJob:
    """Runs TrashService.purge_due now and then in a daemon thread. Nothing it needs lives in
    memory: what is due is in the database, so a restart (or another process) carries on."""

    def __init__(self, trash: TrashService, every_s: float = PURGE_EVERY_S) -> None:
        self.trash = trash
        self.every_s = every_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name='shoebox-trash', daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                purged = self.trash.purge_due()
                if purged:
                    log.info('Purged %d images from the trash', purged)
            except Exception:
                log.exception('Purging the trash failed; trying again later')
            self._stop.wait(self.every_s)
