"""A full disk: 507 with a plain message, in the API and on the upload page, and nothing kept.

The faults are injected where bytes are written: the staged file's writes and flush, the links
into the blob store, a worker writing a rendition, and the database refusing to grow.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError
from starlette.testclient import TestClient

from repo import imaging
from repo.blobs.staging import StagedFile
from repo.core.errors import DiskFull, is_disk_full
from repo.core.schemas import UserPublic
from repo.library import Library
from repo.services.image_workers import REJECTION_ERRORS
from tests.api_helpers import client_for, make_app, token_for, upload
from tests.images import encode, noise

MESSAGE = "The server's disk is full; nothing was stored"


class FillingDisk:
    """A file object on a disk with `room` bytes left: writes past it fail with ENOSPC (or
    EDQUOT, a quota), as the kernel reports them; `flush` fails once anything is pending."""

    def __init__(self, fh, room: int, code: int = errno.ENOSPC) -> None:  # type: ignore[no-untyped-def]
        self.fh = fh
        self.room = room
        self.code = code

    def write(self, data: bytes) -> int:
        if len(data) > self.room:
            raise OSError(self.code, os.strerror(self.code))
        self.room -= len(data)
        return self.fh.write(data)

    def flush(self) -> None:
        self.fh.flush()

    def fileno(self) -> int:
        return self.fh.fileno()

    def close(self) -> None:
        self.fh.close()

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self.fh, name)  # seek, tell, ... as the real file

    def __enter__(self) -> FillingDisk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.fh.close()


def fill_disk(library: Library, monkeypatch: pytest.MonkeyPatch, room: int, code: int) -> None:
    """Every file the uploads stage from now on sits on a disk with `room` bytes free."""
    staging = library.services.ingest.staging
    stage = staging.stage

    def staged_on_full_disk(max_bytes: int) -> StagedFile:
        staged = stage(max_bytes)
        staged._fh = FillingDisk(staged._fh, room, code)  # type: ignore[assignment]
        return staged

    monkeypatch.setattr(staging, 'stage', staged_on_full_disk)


def leftovers(library: Library) -> list[Path]:
    """Files under tmp/ and blobs/ (a refused upload must leave none)."""
    settings = library.settings
    return [p for d in (settings.tmp_dir, settings.blobs_dir) for p in d.rglob('*') if p.is_file()]


@pytest.fixture
def client(library: Library) -> TestClient:
    return client_for(make_app(library))


@pytest.fixture
def token(library: Library, alice: UserPublic) -> str:
    return token_for(library, alice)


def big_photo() -> bytes:
    return encode(noise((600, 400), seed=3), 'JPEG', quality=95)  # ~ 300 KB: several writes


@pytest.mark.parametrize(('room', 'code'), [(1000, errno.ENOSPC), (200_000, errno.EDQUOT)])
def test_an_upload_onto_a_full_disk_is_507_and_leaves_nothing(
    client: TestClient,
    library: Library,
    alice: UserPublic,
    token: str,
    monkeypatch: pytest.MonkeyPatch,
    room: int,
    code: int,
) -> None:
    fill_disk(library, monkeypatch, room, code)
    r = upload(client, token, data=big_photo())
    assert r.status_code == 507
    assert r.json() == {'detail': MESSAGE}
    assert leftovers(library) == []
    assert library.list(alice.id).total == 0


def test_search_by_image_onto_a_full_disk_is_507(
    client: TestClient, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill_disk(library, monkeypatch, 1000, errno.ENOSPC)
    r = client.post(
        '/api/v1/images/search-by-image', files={'file': ('q.jpg', big_photo(), 'image/jpeg')}
    )
    assert r.status_code == 507
    assert r.json() == {'detail': MESSAGE}
    assert leftovers(library) == []


def test_the_disk_filling_up_while_blobs_go_into_the_store_leaves_nothing(
    client: TestClient,
    library: Library,
    alice: UserPublic,
    token: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A new directory entry can need a block too: the original fails after the thumbnail."""
    link = os.link
    blobs = str(library.settings.blobs_dir)
    puts: list[str] = []

    def link_on_full_disk(src, dst, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(dst).startswith(blobs):
            puts.append(str(dst))
            if len(puts) == 2:
                raise OSError(errno.ENOSPC, 'No space left on device')
        return link(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, 'link', link_on_full_disk)
    r = upload(client, token, data=big_photo())
    assert r.status_code == 507
    assert r.json() == {'detail': MESSAGE}
    assert len(puts) == 2  # the thumbnail went in, then the original could not
    assert leftovers(library) == []
    assert library.list(alice.id).total == 0


def test_a_full_database_is_507_and_leaves_no_blob(
    client: TestClient,
    library: Library,
    alice: UserPublic,
    token: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def insert_on_full_disk(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OperationalError('INSERT', {}, sqlite3.OperationalError('database or disk is full'))

    monkeypatch.setattr(library.services.ingest, '_insert', insert_on_full_disk)
    r = upload(client, token, data=big_photo())
    assert r.status_code == 507
    assert r.json() == {'detail': MESSAGE}
    assert leftovers(library) == []


def test_a_rendition_written_onto_a_full_disk_is_a_507_rejection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker's side: the thumbnail cannot be written; nothing half-written is left."""
    src = tmp_path / 'photo.jpg'
    src.write_bytes(big_photo())
    thumb = tmp_path / 'thumb.webp'
    real_open = open

    def open_on_full_disk(path, mode='r', *args, **kwargs):  # type: ignore[no-untyped-def]
        fh = real_open(path, mode, *args, **kwargs)
        return FillingDisk(fh, 10) if 'w' in mode else fh

    monkeypatch.setattr(imaging.pipeline, 'open', open_on_full_disk, raising=False)
    outcome = imaging.process_image(str(src), str(thumb), None, max_pixels=10**8)
    assert outcome == imaging.ImageRejection(507, MESSAGE)
    assert not thumb.exists()
    assert REJECTION_ERRORS[507] is DiskFull  # how the ingest service raises it


def test_what_counts_as_a_full_disk() -> None:
    assert is_disk_full(OSError(errno.ENOSPC, 'No space left on device'))
    assert is_disk_full(OSError(errno.EDQUOT, 'Disk quota exceeded'))
    wrapped = OperationalError('INSERT', {}, sqlite3.OperationalError('database or disk is full'))
    assert is_disk_full(wrapped)
    assert not is_disk_full(OSError(errno.EACCES, 'Permission denied'))
    assert not is_disk_full(ValueError('database or disk is full'))
    assert DiskFull().status == 507
