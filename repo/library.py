"""Library: the use cases of Shoebox. The web pages, the API, the CLI and the tests all call this.

Thread-safe: methods may be called from several threads. Pillow work runs in a process pool.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from argon2 import PasswordHasher
from sqlalchemy import Connection, Row, bindparam, delete, func, insert, or_
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from repo import imaging, palette
from repo.auth import PasswordHashing, check_password, check_username, normalize_username
from repo.check import DEFAULT_GRACE_S, CheckReport, run_check
from repo.config import Settings
from repo.credentials import SessionStore, TokenStore
from repo.db import make_engine
from repo.errors import (
    Conflict,
    DuplicateImage,
    Forbidden,
    ImageNotFound,
    Invalid,
    InvalidCredentials,
    NotFound,
    ShoeboxError,
    TooLarge,
    UnsupportedType,
)
from repo.indexing import OutboxReader
from repo.ingest import AddResult, UploadItem
from repo.ingest_job import derive, process_upload
from repo.models import (
    Image,
    ImagePage,
    ImagePublic,
    ImageTag,
    ImageUpdate,
    IndexOutbox,
    SimilarImage,
    SimilarPage,
    Tag,
    TagCount,
    User,
    UserPublic,
    Visibility,
    utcnow,
)
from repo.similarity import NEAR_DUPLICATE_DISTANCE, SIMILAR_DISTANCE, Entry, SimilarityIndex
from repo.storage import BlobStore, StagedFile
from repo.throttle import LoginThrottle
from repo.validation import (
    check_description,
    check_tags,
    check_title,
    check_visibility,
    clean_filename,
    title_from_filename,
)
from repo.worker_pool import new_pool
from search_index import IndexWorker, SearchIndex

log = logging.getLogger(__name__)

MAX_PAGE = 200
SORTS = ('newest', 'oldest')
REJECTION_ERRORS: dict[int, type[ShoeboxError]] = {413: TooLarge, 415: UnsupportedType}


@dataclass(frozen=True)
class BlobFile:
    """An access-checked file to send: where it is, its type, and how it may be cached."""

    path: Path
    media_type: str
    etag: str
    size: int
    download_name: str
    private: bool


@dataclass
class _Prepared:
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


class Library:
    def __init__(
        self,
        settings: Settings,
        *,
        executor: Executor | None = None,
        password_hasher: PasswordHasher | None = None,
        start_worker: bool = True,
    ) -> None:
        self.settings = settings
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.engine = make_engine(settings.db_path)
        self.blobs = BlobStore(settings.blobs_dir, settings.tmp_dir)
        self.passwords = PasswordHashing(password_hasher)
        self.sessions = SessionStore(self.engine)
        self.tokens = TokenStore(self.engine)
        self.throttle = LoginThrottle()
        self._own_executor = executor is None
        self._executor = executor
        self._executor_lock = threading.Lock()
        self._blob_lock = threading.RLock()
        self._user_lock = threading.Lock()
        self.looks = SimilarityIndex()
        self._load_looks()
        self.index = SearchIndex(settings.index_dir)
        outbox = OutboxReader(self.engine)
        index_existed = settings.index_dir.exists()
        if not self.index.open():
            if index_existed:
                log.warning('Search index unreadable: rebuilding it from the database')
            else:
                log.info('Creating the search index')
            self._rebuild_index(outbox)
        self.worker = IndexWorker(self.index, outbox.fetch_pending, outbox.mark_done)
        self._worker_running = start_worker
        if start_worker:
            self.worker.start()

    # ---- lifecycle ------------------------------------------------------------------------------

    def close(self) -> None:
        self.worker.stop()
        self.index.close()
        if self._own_executor and self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
        self.engine.dispose()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def executor(self) -> Executor:
        with self._executor_lock:
            if self._executor is None:
                self._executor = new_pool(self.settings.pool_size())
            return self._executor

    def start_workers(self) -> list[Future[bool]]:
        """Spawn the image worker processes now, so the first uploads do not wait while each one
        starts and imports Pillow. Returns at once; the futures finish when the workers are up."""
        executor = self.executor
        # A submission spawns a new process while none is idle: one job per worker starts them all.
        started = [executor.submit(imaging.ready) for _ in range(self.settings.pool_size())]
        for future in started:
            future.add_done_callback(_log_start_failure)
        return started

    # ---- users ----------------------------------------------------------------------------------

    def create_user(
        self,
        username: str,
        password: str,
        *,
        display_name: str | None = None,
        email: str | None = None,
        is_admin: bool | None = None,
    ) -> UserPublic:
        """Create an account. The very first account becomes an admin."""
        name = check_username(username)
        display = (display_name or '').strip() or name
        if len(display) > 100:
            raise Invalid('Display name must be at most 100 characters long')
        email = (email or '').strip() or None
        if email is not None and ('@' not in email or len(email) > 254 or ' ' in email):
            raise Invalid('Email address does not look right (expected name@example.org)')
        check_password(password, [name, display, email or ''])
        password_hash = self.passwords.hash(password)
        with self._user_lock, Session(self.engine) as s:
            if s.exec(select(User.id).where(User.username == name)).first() is not None:
                raise Conflict(f'The username "{name}" is already taken')
            first = s.exec(select(func.count()).select_from(User)).one() == 0
            user = User(
                username=name,
                display_name=display,
                email=email,
                password_hash=password_hash,
                is_admin=first if is_admin is None else (is_admin or first),
            )
            s.add(user)
            s.commit()
            s.refresh(user)
            return _user_public(user)

    def authenticate(self, username: str, password: str, address: str | None = None) -> UserPublic:
        """The user for these credentials, or InvalidCredentials (same for unknown and wrong).

        Failed attempts are throttled per account and per client address: Throttled (429).
        """
        name = normalize_username(username)
        keys = [f'user:{name}'] + ([f'addr:{address}'] if address else [])
        self.throttle.check(*keys)
        with Session(self.engine) as s:
            user = s.exec(select(User).where(User.username == name)).first()
        stored = user.password_hash if user else None
        if len(password) > 1024 or not self.passwords.verify(stored, password) or user is None:
            self.throttle.failed(*keys)
            raise InvalidCredentials()
        self.throttle.succeeded(keys[0])
        if self.passwords.needs_rehash(user.password_hash):
            self._set_password_hash(user.id, self.passwords.hash(password))
        return _user_public(user)

    def change_password(
        self, user_id: int, old_password: str, new_password: str, *, keep_session: str | None = None
    ) -> None:
        """Change the password; every other login session of the user ends."""
        user = self._user_row(user_id)
        if not self.passwords.verify(user.password_hash, old_password):
            raise InvalidCredentials('The current password is not right')
        check_password(new_password, [user.username, user.display_name, user.email or ''])
        self._set_password_hash(user_id, self.passwords.hash(new_password))
        self.sessions.end_all(user_id, keep=keep_session)

    def _set_password_hash(self, user_id: int, password_hash: str) -> None:
        with Session(self.engine) as s:
            user = s.get(User, user_id)
            if user is not None:
                user.password_hash = password_hash
                s.add(user)
                s.commit()

    def _user_row(self, user_id: int) -> User:
        with Session(self.engine) as s:
            user = s.get(User, user_id)
        if user is None:
            raise NotFound('User not found')
        return user

    def get_user(self, user_id: int) -> UserPublic:
        return _user_public(self._user_row(user_id))

    def find_user(self, username: str) -> UserPublic:
        with Session(self.engine) as s:
            user = s.exec(select(User).where(User.username == normalize_username(username))).first()
        if user is None:
            raise NotFound(f'No user named "{username}"')
        return _user_public(user)

    def list_users(self) -> list[UserPublic]:
        with Session(self.engine) as s:
            return [_user_public(u) for u in s.exec(select(User).order_by(User.username))]

    def delete_user(self, user_id: int) -> int:
        """Delete an account with all its images; returns how many images went."""
        self._user_row(user_id)
        with Session(self.engine) as s:
            ids = list(s.exec(select(Image.id).where(Image.owner_id == user_id)))
        deleted = self.delete_many(user_id, ids)
        with Session(self.engine) as s:
            s.exec(delete(User).where(col(User.id) == user_id))
            s.commit()
        return deleted

    # ---- adding images --------------------------------------------------------------------------

    def add(
        self,
        owner_id: int,
        source: str | os.PathLike[str] | bytes | BinaryIO | StagedFile,
        filename: str,
        *,
        title: str | None = None,
        description: str = '',
        tags: Sequence[str] = (),
        visibility: str = 'private',
    ) -> ImagePublic:
        """Add one image. Raises DuplicateImage, TooLarge, UnsupportedType or Invalid."""
        item = UploadItem(
            filename=filename,
            title=title,
            description=description,
            tags=tags,
            visibility=visibility,
        )
        staged = source if isinstance(source, StagedFile) else None
        if isinstance(source, str | os.PathLike):
            item.path = Path(source)
        elif isinstance(source, bytes | bytearray):
            item.data = bytes(source)
        elif staged is None:
            item.stream = source  # type: ignore[assignment]
        prepared = self._prepare(owner_id, item, staged)
        return self._finish(owner_id, prepared)

    def add_many(
        self,
        owner_id: int,
        items: Iterable[UploadItem],
        on_result: Callable[[AddResult], None] | None = None,
    ) -> list[AddResult]:
        """Add many images, overlapping staging/hashing here with Pillow work on every core.

        One bad file never stops the batch: each item gets an AddResult, in input order.
        """
        window = max(4, self.settings.pool_size() * 3)
        in_flight: deque[tuple[str, Future[_Prepared]]] = deque()
        results: list[AddResult] = []

        def settle() -> None:
            filename, staging = in_flight.popleft()
            try:
                image = self._finish(owner_id, staging.result())
                result = AddResult(filename, 'added', image=image)
            except ShoeboxError as exc:
                result = _failed(filename, exc)
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

    def _abandon(self, prepared: _Prepared) -> None:
        if prepared.future is not None:
            with contextlib.suppress(BaseException):
                prepared.future.result()
        prepared.staged.discard()
        if prepared.thumb_tmp is not None:
            prepared.thumb_tmp.unlink(missing_ok=True)

    def stage(self) -> StagedFile:
        """A size-capped, hashing receiver for bytes that arrive in chunks (web and API uploads)."""
        return self.blobs.stage(self.settings.max_file_bytes)

    def _prepare(
        self, owner_id: int, item: UploadItem, staged: StagedFile | None = None
    ) -> _Prepared:
        """Validate the text, stage the bytes, refuse duplicates, and start the Pillow work."""
        try:
            filename = clean_filename(item.filename)
            title = check_title(item.title) if item.title else title_from_filename(filename)
            description = check_description(item.description or '')
            tags = check_tags(item.tags)
            visibility = check_visibility(item.visibility)
            if staged is None:
                staged = self._stage_item(item)
            staged.finish()
            if staged.size == 0:
                raise Invalid('The file is empty')
            same_bytes = self._rows_with_sha(staged.sha256)
            existing = next((r for r in same_bytes if r.owner_id == owner_id), None)
            if existing is not None:
                raise DuplicateImage(existing.id, existing.title)
        except BaseException:
            if staged is not None:
                staged.discard()
            raise
        prepared = _Prepared(item, filename, title, description, tags, visibility, staged)
        if same_bytes and self.blobs.has(staged.sha256):
            with Session(self.engine) as s:  # someone else has these bytes: no Pillow work
                prepared.reused_from = s.get(Image, same_bytes[0].id)
            if prepared.reused_from is not None:
                return prepared
        prepared.thumb_tmp = self.blobs.tmp_path('.thumb.webp')
        prepared.future = self.executor.submit(
            process_upload,  # the preview is made on first view: see _ensure_preview
            str(staged.path),
            str(prepared.thumb_tmp),
            max_pixels=self.settings.max_pixels,
            thumb_size=self.settings.thumb_size,
        )
        return prepared

    def _stage_item(self, item: UploadItem) -> StagedFile:
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

    def _finish(self, owner_id: int, prepared: _Prepared) -> ImagePublic:
        """Wait for the Pillow work, move blobs into place, then write the row."""
        staged = prepared.staged
        tmp_files = [p for p in (prepared.thumb_tmp,) if p is not None]
        try:
            if prepared.reused_from is not None:
                derived = derive(_facts_of(prepared.reused_from))
            else:
                assert prepared.future is not None
                try:
                    outcome = prepared.future.result()
                except Exception:
                    log.exception('Image processing failed for %s', prepared.filename)
                    raise Invalid('The image could not be processed') from None
                if isinstance(outcome, imaging.ImageRejection):
                    raise REJECTION_ERRORS.get(outcome.status, Invalid)(outcome.message)
                derived = outcome
            facts = derived.facts
            image = Image(
                owner_id=owner_id,
                title=prepared.title,
                description=prepared.description,
                filename=prepared.filename,
                visibility=prepared.visibility.value,
                sha256=staged.sha256,
                format=facts.format,
                width=facts.width,
                height=facts.height,
                size_bytes=staged.size,
                taken_at=facts.taken_at,
                camera=facts.camera,
                colors=','.join(facts.colors),
                dhash=facts.dhash,
                signature=facts.signature,
                color_names=_color_names_column(derived.color_names),
            )
            auto = [t for t in derived.auto_tags if t not in prepared.tags]
            looks_like = self.looks.nearest(
                facts.dhash,
                facts.signature,
                viewer_id=owner_id,
                limit=1,
                own_only=True,
                max_distance=NEAR_DUPLICATE_DISTANCE,
            )
            with self._blob_lock:
                if prepared.reused_from is None:
                    assert prepared.thumb_tmp is not None
                    self.blobs.commit(staged.sha256, staged.path, prepared.thumb_tmp)
                elif not self.blobs.has(staged.sha256):
                    raise Invalid('The stored copy of this image is missing; run `shoebox check`')
                try:
                    public = self._insert_image(image, prepared.tags, auto)
                except BaseException as exc:
                    if isinstance(exc, Exception):
                        self._drop_blob_if_unused(staged.sha256)
                    raise
        finally:
            staged.discard()
            for path in tmp_files:
                path.unlink(missing_ok=True)
        self.looks.add(
            image.id, owner_id, image.visibility == 'public', image.dhash, image.signature
        )
        self.worker.notify()
        if looks_like:
            public.looks_like = looks_like[0][0]
        return public

    def _insert_image(self, image: Image, tags: list[str], auto: Sequence[str]) -> ImagePublic:
        """One transaction: the row, its tags and the outbox entry.

        This is the upload hot path, so it uses plain statements (six in all) instead of the ORM's
        unit of work, and builds the result from what was written instead of reading it back
        (every field is set in Python). Raises NotFound when the owner's account is gone."""
        links = [(name, False) for name in tags] + [(name, True) for name in auto]
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(Image), [image.model_dump()])
                # After the INSERT (whose foreign key needs the account), inside the transaction
                # that now holds the write lock: the account cannot go before this commits.
                owner_name = conn.execute(
                    select(User.username).where(col(User.id) == image.owner_id)
                ).scalar_one()
                if links:
                    tag_ids = _tag_ids(conn, [name for name, _ in links])
                    conn.execute(
                        insert(ImageTag),
                        [
                            {'image_id': image.id, 'tag_id': tag_ids[name], 'auto': is_auto}
                            for name, is_auto in links
                        ],
                    )
                conn.execute(insert(IndexOutbox), [{'image_id': image.id, 'created_at': utcnow()}])
        except IntegrityError:
            existing = next(
                (r for r in self._rows_with_sha(image.sha256) if r.owner_id == image.owner_id),
                None,
            )
            if existing is not None:
                raise DuplicateImage(existing.id, existing.title) from None
            self._user_row(image.owner_id)  # NotFound when the account was deleted meanwhile
            raise
        return _public_of(image, sorted({*tags, *auto}), sorted(auto), owner_name)

    def _rows_with_sha(self, sha256: str) -> list[Row]:
        """(id, owner_id, title) of every image with these bytes, whoever owns it: usually none,
        at most one per owner. Asked on every upload, so it is one prepared Core statement."""
        with self.engine.connect() as conn:
            return list(conn.execute(_SAME_BYTES, {'sha256': sha256}))

    @staticmethod
    def _ensure_tags(s: Session, names: Sequence[str]) -> list[Tag]:
        if not names:
            return []
        found = {t.name: t for t in s.exec(select(Tag).where(col(Tag.name).in_(names)))}
        for name in names:
            if name not in found:
                tag = Tag(name=name)
                s.add(tag)
                found[name] = tag
        s.flush()
        return [found[n] for n in names]

    # ---- reading --------------------------------------------------------------------------------

    def get(self, viewer_id: int | None, image_id: str) -> ImagePublic:
        with Session(self.engine) as s:
            image = self._visible_row(s, viewer_id, image_id)
            return self._to_public(s, [image])[0]

    def list(
        self,
        viewer_id: int | None,
        *,
        owner: str | None = None,
        visibility: str | None = None,
        tags: Sequence[str] = (),
        color: str | None = None,
        sort: str = 'newest',
        limit: int = 50,
        offset: int = 0,
    ) -> ImagePage:
        """Images the viewer may see, filtered, newest or oldest first, with the total count."""
        limit, offset = _check_page(limit, offset)
        if sort not in SORTS:
            raise Invalid(f'Sort must be one of {", ".join(SORTS)}, not "{sort}"')
        with Session(self.engine) as s:
            conditions = [_visible_to(viewer_id)]
            if owner:
                owner_row = s.exec(select(User.id).where(User.username == owner.lower())).first()
                conditions.append(Image.owner_id == (owner_row if owner_row is not None else -1))
            if visibility:
                conditions.append(Image.visibility == check_visibility(visibility).value)
            tag_names = check_tags(tags)
            if tag_names:
                tagged = (
                    select(ImageTag.image_id)
                    .join(Tag, col(Tag.id) == col(ImageTag.tag_id))
                    .where(col(Tag.name).in_(tag_names))
                    .group_by(col(ImageTag.image_id))
                    .having(func.count() == len(tag_names))
                )
                conditions.append(col(Image.id).in_(tagged))
            if color:
                conditions.append(col(Image.color_names).contains(f',{_check_color(color)},'))
            total = s.exec(select(func.count()).select_from(Image).where(*conditions)).one()
            newest = sort == 'newest'
            order = (
                (col(Image.created_at).desc(), col(Image.id).desc())
                if newest
                else (
                    col(Image.created_at),
                    col(Image.id),
                )
            )
            page_conditions = conditions
            if len(conditions) == 1 and viewer_id is not None:
                # 'public OR mine' has no index in date order, so SQLite would fetch and sort
                # every match (90 ms at 100k). The same rule on no-op expressions (`|| ''`, `+ 0`)
                # cannot use an index, so it walks the date index instead and stops after a page.
                page_conditions = [
                    or_(
                        col(Image.visibility).concat('') == Visibility.public.value,
                        col(Image.owner_id) + 0 == viewer_id,
                    )
                ]
            query = select(Image).where(*page_conditions).order_by(*order).offset(offset)
            rows = s.exec(query.limit(limit)).all()
            return ImagePage(
                items=self._to_public(s, list(rows)), total=total, limit=limit, offset=offset
            )

    def search(
        self,
        viewer_id: int | None,
        text: str,
        *,
        owner: str | None = None,
        visibility: str | None = None,
        tags: Sequence[str] = (),
        color: str | None = None,
        sort: str = 'relevance',
        limit: int = 50,
        offset: int = 0,
    ) -> ImagePage:
        """Full-text search through the index; every hit is re-checked against the database."""
        limit, offset = _check_page(limit, offset)
        if sort not in (*SORTS, 'relevance'):
            raise Invalid(f'Sort must be relevance, newest or oldest, not "{sort}"')
        owner_id: int | None = None
        if owner:
            try:
                owner_id = self.find_user(owner).id
            except NotFound:
                return ImagePage(items=[], total=0, limit=limit, offset=offset)
        hits = self.index.search(
            text,
            viewer_id=viewer_id,
            owner_id=owner_id,
            visibility=check_visibility(visibility).value if visibility else None,
            tags=check_tags(tags),
            color=_check_color(color) if color else None,
            sort=sort,
            limit=limit,
            offset=offset,
        )
        if not hits.ids:
            return ImagePage(
                items=[], total=hits.total, limit=limit, offset=offset, suggestion=hits.suggestion
            )
        with Session(self.engine) as s:
            # By primary key only: with the visibility OR in SQL, SQLite walks the visibility and
            # owner indexes instead (60 ms at 100k images); the same rule is applied here.
            rows = s.exec(select(Image).where(col(Image.id).in_(hits.ids))).all()
            by_id = {r.id: r for r in rows if _may_see(viewer_id, r)}
            ordered = [by_id[i] for i in hits.ids if i in by_id]
            return ImagePage(
                items=self._to_public(s, ordered),
                total=hits.total,
                limit=limit,
                offset=offset,
                suggestion=hits.suggestion,
            )

    def open_file(self, viewer_id: int | None, image_id: str, kind: str) -> BlobFile:
        """The bytes of a rendition ('thumb', 'preview') or the 'original', access-checked."""
        with Session(self.engine) as s:
            image = self._visible_row(s, viewer_id, image_id)
        paths = self.blobs.paths(image.sha256)
        is_owner = viewer_id is not None and image.owner_id == viewer_id
        if kind == 'original':
            if not (is_owner or image.allow_download):
                raise ImageNotFound()
            path, media = paths.original, _MEDIA_TYPES.get(image.format, 'application/octet-stream')
            name = image.filename
        elif kind in ('thumb', 'preview'):
            if kind == 'preview' and not paths.preview.exists():
                self._ensure_preview(image.sha256)
            path, media = getattr(paths, kind), 'image/webp'
            name = f'{title_from_filename(image.filename)}.{kind}.webp'
        else:
            raise NotFound(f'Unknown file kind "{kind}"')
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            log.error('Blob missing for image %s (%s)', image.id, kind)
            raise ImageNotFound() from None
        return BlobFile(
            path=path,
            media_type=media,
            etag=f'"{image.sha256[:32]}-{kind[0]}"',
            size=size,
            download_name=name,
            private=image.visibility != Visibility.public.value,
        )

    def _ensure_preview(self, sha256: str) -> None:
        """Make the preview rendition from the original (once; it is then cached beside it)."""
        paths = self.blobs.paths(sha256)
        tmp = self.blobs.tmp_path('.preview.webp')
        try:
            outcome = self.executor.submit(
                imaging.process_image,
                str(paths.original),
                None,
                str(tmp),
                max_pixels=self.settings.max_pixels,
                thumb_size=self.settings.thumb_size,
                preview_size=self.settings.preview_size,
            ).result()
            if isinstance(outcome, imaging.ImageRejection):
                log.error('Preview failed for blob %s: %s', sha256, outcome.message)
                return
            with self._blob_lock:
                self.blobs.commit_preview(sha256, tmp)
        finally:
            tmp.unlink(missing_ok=True)

    # ---- finding by look ------------------------------------------------------------------------

    def _load_looks(self) -> None:
        with Session(self.engine) as s:
            rows = s.exec(
                select(Image.id, Image.owner_id, Image.visibility, Image.dhash, Image.signature)
            )
            self.looks.load(
                Entry(key, owner, visibility == 'public', dhash, signature or b'')
                for key, owner, visibility, dhash, signature in rows
            )

    def similar(self, viewer_id: int | None, image_id: str, limit: int = 20) -> SimilarPage:
        """Images that look like this one (itself excluded) in any orientation, closest first,
        up to SIMILAR_DISTANCE."""
        limit, _ = _check_page(limit, 0)
        with Session(self.engine) as s:
            image = self._visible_row(s, viewer_id, image_id)
        turned = imaging.turned_signals_of_file(self.blobs.paths(image.sha256).thumb)
        found = self.looks.nearest(
            image.dhash,
            image.signature,
            viewer_id=viewer_id,
            limit=limit,
            exclude=image.id,
            max_distance=SIMILAR_DISTANCE,
            turned=turned,
        )
        return self._similar_page(viewer_id, found)

    def search_by_image(
        self,
        viewer_id: int | None,
        source: str | os.PathLike[str] | bytes | BinaryIO | StagedFile,
        limit: int = 20,
    ) -> SimilarPage:
        """Images that look like the given picture in any orientation, closest first, up to
        SIMILAR_DISTANCE (the picture is checked as an upload would be, and not kept)."""
        limit, _ = _check_page(limit, 0)
        if isinstance(source, StagedFile):
            staged = source
        else:
            item = UploadItem(filename='query')
            if isinstance(source, str | os.PathLike):
                item.path = Path(source)
            elif isinstance(source, bytes | bytearray):
                item.data = bytes(source)
            else:
                item.stream = source
            staged = self._stage_item(item)
        try:
            staged.finish()
            if staged.size == 0:
                raise Invalid('The file is empty')
            outcome = self.executor.submit(
                imaging.query_signature,
                str(staged.path),
                max_pixels=self.settings.max_pixels,
                thumb_size=self.settings.thumb_size,
            ).result()
        finally:
            staged.discard()
        if isinstance(outcome, imaging.ImageRejection):
            raise REJECTION_ERRORS.get(outcome.status, Invalid)(outcome.message)
        found = self.looks.nearest(
            outcome.dhash,
            outcome.signature,
            viewer_id=viewer_id,
            limit=limit,
            max_distance=SIMILAR_DISTANCE,
            turned=outcome.turned,
        )
        return self._similar_page(viewer_id, found)

    def _similar_page(
        self, viewer_id: int | None, found: Sequence[tuple[str, float]]
    ) -> SimilarPage:
        if not found:
            return SimilarPage(items=[], total=0)
        with Session(self.engine) as s:
            rows = s.exec(select(Image).where(col(Image.id).in_([k for k, _ in found]))).all()
            visible = {r.id: r for r in rows if _may_see(viewer_id, r)}
            ordered = [visible[k] for k, _ in found if k in visible]
            public = {p.id: p for p in self._to_public(s, ordered)}
        items = [
            SimilarImage(image=public[k], distance=round(d, 2)) for k, d in found if k in public
        ]
        return SimilarPage(items=items, total=len(items))

    def duplicates(self, owner_id: int) -> list[list[ImagePublic]]:
        """Groups of the owner's own images that look like the same picture, largest first."""
        groups = self.looks.near_duplicate_groups(owner_id)
        if not groups:
            return []
        with Session(self.engine) as s:
            wanted = [k for g in groups for k in g]
            rows = s.exec(
                select(Image).where(col(Image.id).in_(wanted), Image.owner_id == owner_id)
            ).all()
            public = {p.id: p for p in self._to_public(s, list(rows))}
        out = []
        for group in groups:
            members = sorted(
                (public[k] for k in group if k in public),
                key=lambda i: (-(i.width * i.height), -i.size_bytes, i.created_at),
            )
            if len(members) > 1:
                out.append(members)
        out.sort(key=lambda g: (-len(g), g[0].created_at))
        return out

    def tags(
        self,
        viewer_id: int | None,
        *,
        sort: str = 'count',
        prefix: str | None = None,
        limit: int = 200,
    ) -> list[TagCount]:
        """Tags on images the viewer may see, with how many such images carry each."""
        if sort not in ('count', 'name'):
            raise Invalid(f'Sort must be count or name, not "{sort}"')
        if not 1 <= limit <= 1000:
            raise Invalid('limit must be between 1 and 1000')
        count = func.count().label('n')
        query = (
            select(Tag.name, count)
            .join(ImageTag, col(ImageTag.tag_id) == col(Tag.id))
            .join(Image, col(Image.id) == col(ImageTag.image_id))
            .where(_visible_to(viewer_id))
            .group_by(col(Tag.name))
        )
        if prefix and prefix.strip():
            escaped = prefix.strip().lower().replace('\\', '\\\\').replace('%', '\\%')
            escaped = escaped.replace('_', '\\_')
            query = query.where(col(Tag.name).like(f'{escaped}%', escape='\\'))
        order = (count.desc(), col(Tag.name)) if sort == 'count' else (col(Tag.name),)
        with Session(self.engine) as s:
            rows = s.exec(query.order_by(*order).limit(limit)).all()
        return [TagCount(name=name, count=n) for name, n in rows]

    # ---- changing -------------------------------------------------------------------------------

    def update(self, viewer_id: int | None, image_id: str, changes: ImageUpdate) -> ImagePublic:
        with Session(self.engine) as s:
            image = self._owned_row(s, viewer_id, image_id)
            if changes.title is not None:
                image.title = check_title(changes.title)
            if changes.description is not None:
                image.description = check_description(changes.description)
            if changes.visibility is not None:
                image.visibility = check_visibility(changes.visibility).value
            if changes.allow_download is not None:
                image.allow_download = changes.allow_download
            if changes.tags is not None:
                # The full new list: automatic tags left in it stay automatic, removed ones go.
                was_auto = set(
                    s.exec(
                        select(ImageTag.tag_id).where(
                            ImageTag.image_id == image.id, col(ImageTag.auto)
                        )
                    )
                )
                tags = self._ensure_tags(s, check_tags(changes.tags))
                s.exec(delete(ImageTag).where(col(ImageTag.image_id) == image.id))
                for tag in tags:
                    s.add(ImageTag(image_id=image.id, tag_id=tag.id, auto=tag.id in was_auto))
            image.updated_at = utcnow()
            s.add(image)
            s.add(IndexOutbox(image_id=image.id))
            s.commit()
            s.refresh(image)
            public = self._to_public(s, [image])[0]
        self.looks.set_visibility(image_id, public.visibility == Visibility.public)
        self.worker.notify()
        return public

    def delete(self, viewer_id: int | None, image_id: str) -> None:
        with self._blob_lock:
            with Session(self.engine) as s:
                image = self._owned_row(s, viewer_id, image_id)
                sha = image.sha256
                s.delete(image)
                s.add(IndexOutbox(image_id=image_id))
                s.commit()
            self.looks.remove(image_id)
            self._drop_blob_if_unused(sha)
        self.worker.notify()

    def delete_many(self, viewer_id: int | None, image_ids: Iterable[str]) -> int:
        """Delete each image the viewer owns; returns how many were deleted (others are skipped)."""
        count = 0
        for image_id in image_ids:
            try:
                self.delete(viewer_id, image_id)
                count += 1
            except (ImageNotFound, Forbidden):
                continue
        return count

    def _drop_blob_if_unused(self, sha256: str) -> None:
        with self._blob_lock, Session(self.engine) as s:
            if s.exec(select(Image.id).where(Image.sha256 == sha256)).first() is None:
                self.blobs.delete(sha256)

    # ---- index ----------------------------------------------------------------------------------

    def wait_for_index(self, timeout: float = 5.0) -> bool:
        """Block until index changes made so far are searchable (tests, CLI)."""
        return self.worker.wait_idle(timeout)

    def reindex(self) -> int:
        """Rebuild the search index from the database; returns the number of images indexed."""
        running = self._worker_running
        if running:
            self.worker.stop()
        try:
            return self._rebuild_index(OutboxReader(self.engine))
        finally:
            if running:
                outbox = OutboxReader(self.engine)
                self.worker = IndexWorker(self.index, outbox.fetch_pending, outbox.mark_done)
                self.worker.start()

    def _rebuild_index(self, outbox: OutboxReader) -> int:
        last = outbox.last_id()
        count = self.index.rebuild(outbox.all_docs())
        outbox.mark_upto(last)
        return count

    def check(self, *, repair: bool = False, grace_s: float = DEFAULT_GRACE_S) -> CheckReport:
        """Consistency report; with repair, sweep old orphans and replay the index outbox."""
        with self._blob_lock:
            report = run_check(self.engine, self.blobs, repair=repair, grace_s=grace_s)
        if repair and report.pending_outbox:
            self.worker.notify()
            report.replayed_outbox = self.wait_for_index(timeout=30)
        return report

    # ---- helpers --------------------------------------------------------------------------------

    def _visible_row(self, s: Session, viewer_id: int | None, image_id: str) -> Image:
        image = s.get(Image, image_id) if isinstance(image_id, str) and image_id else None
        if image is None or not _may_see(viewer_id, image):
            raise ImageNotFound()
        return image

    def _owned_row(self, s: Session, viewer_id: int | None, image_id: str) -> Image:
        image = self._visible_row(s, viewer_id, image_id)
        if viewer_id is None or image.owner_id != viewer_id:
            raise Forbidden('Only the owner can change or delete this image')
        return image

    @staticmethod
    def _to_public(s: Session, images: Sequence[Image]) -> list[ImagePublic]:
        if not images:
            return []
        ids = [i.id for i in images]
        tags: dict[str, list[str]] = {i: [] for i in ids}
        auto: dict[str, list[str]] = {i: [] for i in ids}
        for image_id, name, is_auto in s.exec(
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
            s.exec(select(User.id, User.username).where(col(User.id).in_(owner_ids))).all()
        )
        return [_public_of(i, tags[i.id], auto[i.id], owners.get(i.owner_id, '')) for i in images]


_MEDIA_TYPES = {
    'JPEG': 'image/jpeg',
    'PNG': 'image/png',
    'WEBP': 'image/webp',
    'GIF': 'image/gif',
    'AVIF': 'image/avif',
}


def _may_see(viewer_id: int | None, image: Image) -> bool:
    """The access rule in Python; `_visible_to` is the same rule as a SQL condition."""
    return image.visibility == Visibility.public.value or (
        viewer_id is not None and image.owner_id == viewer_id
    )


def _visible_to(viewer_id: int | None):  # type: ignore[no-untyped-def]
    public = col(Image.visibility) == Visibility.public.value
    return public if viewer_id is None else or_(public, col(Image.owner_id) == viewer_id)


def _check_color(name: str) -> str:
    found = palette.color_name(name)
    if found is None:
        raise Invalid(f'Unknown colour "{name}"; use one of: {", ".join(palette.PALETTE)}')
    return found


def _check_page(limit: int, offset: int) -> tuple[int, int]:
    if not 1 <= limit <= MAX_PAGE:
        raise Invalid(f'limit must be between 1 and {MAX_PAGE}')
    if offset < 0:
        raise Invalid('offset must be 0 or more')
    return limit, offset


def _public_of(image: Image, tags: list[str], auto: list[str], owner: str) -> ImagePublic:
    return ImagePublic(
        **image.model_dump(exclude={'colors', 'visibility', 'signature', 'color_names'}),
        visibility=Visibility(image.visibility),
        colors=[c for c in image.colors.split(',') if c],
        color_names=[c for c in image.color_names.split(',') if c],
        tags=tags,
        auto_tags=auto,
        owner=owner,
    )


def _tag_ids(conn: Connection, names: Sequence[str]) -> dict[str, int]:
    """Tag name -> id, creating the tags that do not exist yet (two statements in all)."""
    conn.execute(sqlite_insert(Tag).on_conflict_do_nothing(), [{'name': n} for n in names])
    rows = conn.execute(select(Tag.id, Tag.name).where(col(Tag.name).in_(names)))
    return {name: tag_id for tag_id, name in rows}


_SAME_BYTES = select(Image.id, Image.owner_id, Image.title).where(
    col(Image.sha256) == bindparam('sha256')
)


def _log_start_failure(future: Future[bool]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.error('An image worker process failed to start', exc_info=future.exception())


def _failed(filename: str, error: ShoeboxError) -> AddResult:
    status = 'duplicate' if isinstance(error, DuplicateImage) else 'refused'
    return AddResult(filename, status, error=error)


def _facts_of(image: Image) -> imaging.ImageFacts:
    return imaging.ImageFacts(
        format=image.format,
        width=image.width,
        height=image.height,
        taken_at=image.taken_at,
        camera=image.camera,
        colors=tuple(c for c in image.colors.split(',') if c),
        dhash=image.dhash,
        signature=image.signature,
    )


def _color_names_column(names: Sequence[str]) -> str:
    """',blue,white,' so that one colour is found with LIKE '%,blue,%'."""
    return f',{",".join(names)},' if names else ''


def _user_public(user: User) -> UserPublic:
    return UserPublic.model_validate(user, from_attributes=True)


__all__ = ['AddResult', 'BlobFile', 'Library', 'StagedFile', 'UploadItem']
