"""Adding images: stage the bytes (hash, count), refuse duplicates, probe and thumbnail them in
a worker process, store the blobs, then write the row, its tags and an event in one
transaction. Many files at once overlap staging here with Pillow work on every core.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from repo.blobs.staging import StagedFile, Staging
from repo.blobs.store import BlobStore, original_key, rendition_key
from repo.core import policy
from repo.core.actor import Actor
from repo.core.errors import DuplicateImage, Invalid, NotFound, ShoeboxError
from repo.core.events import ImageAdded
from repo.core.schemas import ImagePublic
from repo.core.uploads import AddResult, UploadItem
from repo.core.validation import (
    check_description,
    check_tags,
    check_title,
    check_visibility,
    clean_filename,
    title_from_filename,
)
from repo.core.visibility import Visibility
from repo.db.errors import ConstraintConflict
from repo.db.repos.images import public_of
from repo.db.tables import Image
from repo.imaging import ACCEPTED_LABEL
from repo.ingest_job import UploadFacts, derive, process_upload
from repo.looks.cache import LooksCache
from repo.services.blob_gc import remove_if_unused
from repo.services.image_workers import ImageWorkers, Limits, rejection_error
from repo.services.ingest_rows import facts_of, new_image_row
from repo.services.quotas import QuotaService
from repo.similarity import NEAR_DUPLICATE_DISTANCE

log = logging.getLogger(__name__)

Source = str | os.PathLike[str] | bytes | BinaryIO | StagedFile
__all__ = ['ACCEPTED_LABEL', 'IngestService', 'Prepared', 'StagedFile']


@dataclass
class Prepared:
    """An upload that is staged and hashed, waiting for its Pillow work."""

    item: UploadItem
    filename: str
    title: str
    description: str
    tags: list[str]
    visibility: Visibility
    staged: StagedFile
    thumb_tmp: Path | None = None
    future: Future | None = None
    reused_from: Image | None = None


class _InTrash(Exception):
    """The bytes were in the owner's trash: that image came back instead of a new one."""

    def __init__(self, image: ImagePublic) -> None:
        super().__init__(image.id)
        self.image = image


class _BytesGone(Exception):
    """The stored bytes another image shared were deleted meanwhile: do the Pillow work."""


class IngestService:
    def __init__(
        self,
        uow: Callable[[], Any],
        blobs: BlobStore,
        staging: Staging,
        workers: ImageWorkers,
        looks: LooksCache,
        limits: Callable[[], Limits],
        quotas: QuotaService | None = None,
        observe: Callable[[str, BaseException | None], None] | None = None,
        restore_from_trash: Callable[[int, str], ImagePublic | None] | None = None,
    ) -> None:
        self.uow = uow
        self.observe = observe or (lambda outcome, error: None)  # metrics: each outcome
        self.blobs = blobs
        self.staging = staging
        self.workers = workers
        self.looks = looks
        self.limits = limits  # asked at each use: they may change while the server runs
        self.quotas = quotas
        self.restore_from_trash = restore_from_trash  # (owner id, sha256) -> the image back

    def stage(self) -> StagedFile:
        """A size-capped, hashing receiver for bytes that arrive in chunks (web and API)."""
        return self.staging.stage(self.limits().max_file_bytes)

    def add(
        self,
        actor: Actor,
        source: Source,
        filename: str,
        *,
        title: str | None = None,
        description: str = '',
        tags: Sequence[str] = (),
        visibility: str = 'private',
    ) -> ImagePublic:
        """Add one image. Raises DuplicateImage, TooLarge, UnsupportedType or Invalid."""
        owner_id = policy.require_upload(actor)
        item = UploadItem(
            filename=filename, title=title, description=description, tags=tags,
            visibility=visibility,
        )  # fmt: skip
        staged = source if isinstance(source, StagedFile) else None
        if isinstance(source, str | os.PathLike):
            item.path = Path(source)
        elif isinstance(source, bytes | bytearray):
            item.data = bytes(source)
        elif staged is None:
            item.stream = source  # type: ignore[assignment]
        try:
            try:
                prepared = self._prepare(owner_id, item, staged)
            except _InTrash as found:  # these bytes were in the trash: that image is back
                self.observe('restored', None)
                return found.image
            image = self._finish(owner_id, prepared)
        except ShoeboxError as exc:
            self.observe('duplicate' if isinstance(exc, DuplicateImage) else 'refused', exc)
            raise
        self.observe('added', None)
        return image

    def add_many(
        self,
        actor: Actor,
        items: Iterable[UploadItem],
        on_result: Callable[[AddResult], None] | None = None,
    ) -> list[AddResult]:
        """Add many images; one bad file never stops the batch: each item gets an AddResult,
        in input order."""
        owner_id = policy.require_upload(actor)
        window = max(4, self.workers.size * 3)
        in_flight: deque[tuple[str, Future[Prepared]]] = deque()
        results: list[AddResult] = []

        def settle() -> None:
            filename, staging = in_flight.popleft()
            try:
                result = AddResult(
                    filename, 'added', image=self._finish(owner_id, staging.result())
                )
            except _InTrash as found:
                result = AddResult(filename, 'added', image=found.image)
            except ShoeboxError as exc:
                status = 'duplicate' if isinstance(exc, DuplicateImage) else 'refused'
                result = AddResult(filename, status, error=exc)
            self.observe(result.status, result.error)
            results.append(result)
            if on_result is not None:
                on_result(result)

        # Staging (copy, hash, fsync) is I/O that releases the GIL: a few threads overlap it
        # with the Pillow work in the process pool; results still settle in input order.
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix='shoebox-stage') as stagers:
            try:
                for item in items:
                    display = clean_filename(item.filename)
                    in_flight.append((display, stagers.submit(self._prepare, owner_id, item)))
                    while len(in_flight) >= window:
                        settle()
                while in_flight:
                    settle()
            finally:
                for _, staging in in_flight:  # only on an unexpected error: leave nothing behind
                    with contextlib.suppress(BaseException):
                        self._abandon(staging.result())
        return results

    # ---- steps ----------------------------------------------------------------------------

    def _prepare(
        self, owner_id: int, item: UploadItem, staged: StagedFile | None = None
    ) -> Prepared:
        """Validate the text, stage the bytes, refuse duplicates, and start the Pillow work."""
        try:
            filename = clean_filename(item.filename)
            title = check_title(item.title) if item.title else title_from_filename(filename)
            description = check_description(item.description or '')
            tags = check_tags(item.tags)
            visibility = check_visibility(item.visibility)
            if staged is None:
                staged = self.stage_item(item)
            staged.finish()
            if staged.size == 0:
                raise Invalid('The file is empty')
            with self.uow() as tx:
                same_bytes = tx.images.same_bytes(staged.sha256)
                existing = next((r for r in same_bytes if r.owner_id == owner_id), None)
                if existing is not None:
                    raise DuplicateImage(existing.id, existing.title)
                in_trash = self.restore_from_trash is not None and (
                    tx.trash.find(owner_id, staged.sha256) is not None
                )
                if self.quotas is not None and not in_trash:  # a hint, no lock: a full
                    self.quotas.precheck(tx, owner_id, staged.size)  # account wastes no work
                reused = tx.images.get(same_bytes[0].id) if same_bytes else None
            if in_trash and self.restore_from_trash is not None:
                restored = self.restore_from_trash(owner_id, staged.sha256)
                if restored is not None:  # (None: restored or purged meanwhile by another)
                    raise _InTrash(restored)
        except BaseException:
            if staged is not None:
                staged.discard()
            raise
        prepared = Prepared(item, filename, title, description, tags, visibility, staged)
        if reused is not None and self._stored(reused.sha256):
            prepared.reused_from = reused  # someone else has these bytes: no Pillow work
            return prepared
        self._start_pillow(prepared)
        return prepared

    def _start_pillow(self, prepared: Prepared) -> None:
        prepared.reused_from = None
        prepared.thumb_tmp = self.staging.tmp_path('.thumb.webp')
        limits = self.limits()
        prepared.future = self.workers.submit(
            process_upload,  # the preview is made on first view: see ImageService
            str(prepared.staged.path),
            str(prepared.thumb_tmp),
            max_pixels=limits.max_pixels,
            thumb_size=limits.thumb_size,
        )

    def stage_item(self, item: UploadItem) -> StagedFile:
        staged = self.stage()
        try:
            if item.data is not None:
                staged.write(item.data)
            elif item.path is not None:
                with open(item.path, 'rb') as fh:
                    staged.write_from(fh)
            elif item.stream is not None:
                staged.write_from(item.stream)
            else:
                raise Invalid('No file data was given')
        except BaseException:
            staged.discard()
            raise
        return staged

    def _stored(self, sha256: str) -> bool:
        keys = (original_key(sha256), rendition_key(sha256, 'thumb'))
        return all(self.blobs.stat(k) is not None for k in keys)

    def _facts(self, prepared: Prepared) -> UploadFacts:
        if prepared.reused_from is not None:
            return derive(facts_of(prepared.reused_from))
        assert prepared.future is not None
        try:
            outcome = prepared.future.result()
        except Exception:
            log.exception('Image processing failed for %s', prepared.filename)
            raise Invalid('The image could not be processed') from None
        if not isinstance(outcome, UploadFacts):
            raise rejection_error(outcome)
        return outcome

    def _finish(self, owner_id: int, prepared: Prepared) -> ImagePublic:
        """Wait for the Pillow work, store the blobs, then write the row."""
        try:
            try:
                return self._store(owner_id, prepared)
            except _BytesGone:
                self._start_pillow(prepared)
                return self._store(owner_id, prepared)
        finally:
            self._abandon(prepared)

    def _store(self, owner_id: int, prepared: Prepared) -> ImagePublic:
        derived = self._facts(prepared)
        staged = prepared.staged
        image = new_image_row(owner_id, prepared, staged.sha256, staged.size, derived)
        auto = [t for t in derived.auto_tags if t not in prepared.tags]
        links = [(name, False) for name in prepared.tags] + [(name, True) for name in auto]
        looks_like = self.looks.index.nearest(
            image.dhash, image.signature, viewer_id=owner_id, limit=1, own_only=True,
            max_distance=NEAR_DUPLICATE_DISTANCE,
        )  # fmt: skip
        if self.quotas is not None:  # again after the Pillow work: other uploads may have landed
            with self.uow() as tx:
                self.quotas.precheck(tx, owner_id, staged.size)
        try:
            if prepared.reused_from is None:
                self._put_blobs(prepared)  # the thumbnail can land and the original fail
            public = self._insert(owner_id, prepared, image, links)
        except Exception:
            if prepared.reused_from is None:  # nothing of a refused upload stays
                remove_if_unused(self.uow, self.blobs, staged.sha256)
            raise
        public.tags, public.auto_tags = sorted({*prepared.tags, *auto}), sorted(auto)
        if looks_like:
            public.looks_like = looks_like[0][0]
        return public

    def _insert(
        self, owner_id: int, prepared: Prepared, image: Image, links: list[tuple[str, bool]]
    ) -> ImagePublic:
        staged = prepared.staged
        try:
            with self.uow() as tx:
                # Serialised with the removal of these bytes' last image: inside this lock the
                # blobs either are there for good, or are put back now.
                tx.lock_content(staged.sha256)
                if self.quotas is not None:  # the check that counts: under the owner's lock
                    self.quotas.check_in(tx, owner_id, staged.size)
                if prepared.reused_from is not None:
                    if not self._stored(staged.sha256):
                        raise _BytesGone()
                else:
                    self._put_blobs(prepared, only_missing=True)
                owner_name = tx.images.insert(image, links)
                tx.emit(
                    ImageAdded(
                        image.id, owner_id=owner_id, public=image.visibility == 'public',
                        dhash=image.dhash, signature=image.signature,
                    )
                )  # fmt: skip
        except ConstraintConflict:
            self._explain_conflict(owner_id, staged.sha256)
            raise
        return public_of(image, [], [], owner_name)

    def _put_blobs(self, prepared: Prepared, *, only_missing: bool = False) -> None:
        sha = prepared.staged.sha256
        assert prepared.thumb_tmp is not None
        for key, path in (
            (rendition_key(sha, 'thumb'), prepared.thumb_tmp),
            (original_key(sha), prepared.staged.path),
        ):
            if not only_missing or self.blobs.stat(key) is None:
                self.blobs.put(key, path)

    def _explain_conflict(self, owner_id: int, sha256: str) -> None:
        """After a failed insert: the same bytes landed for this owner meanwhile, or the
        account is gone. (Anything else re-raises the conflict.)"""
        with self.uow() as tx:
            existing = next(
                (r for r in tx.images.same_bytes(sha256) if r.owner_id == owner_id), None
            )
            if existing is not None:
                raise DuplicateImage(existing.id, existing.title) from None
            if tx.users.get(owner_id) is None:
                raise NotFound('User not found') from None

    def _abandon(self, prepared: Prepared) -> None:
        if prepared.future is not None and not prepared.future.done():
            with contextlib.suppress(BaseException):
                prepared.future.result()
        prepared.staged.discard()
        if prepared.thumb_tmp is not None:
            prepared.thumb_tmp.unlink(missing_ok=True)
