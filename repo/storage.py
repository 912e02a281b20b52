"""BlobStore: content-addressed originals and their renditions, written atomically.

Layout: blobs/ab/cd/<sha256> (original), blobs/ab/cd/<sha256>.thumb.webp, ....preview.webp.
Every write lands in tmp/ first, is fsynced, then moved into place with os.replace.
A full disk (ENOSPC, EDQUOT) anywhere here raises DiskFull, after removing what was written.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from repo.errors import DiskFull, TooLarge, is_disk_full

CHUNK = 1 << 20
RENDITIONS = ('thumb', 'preview')


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def disk_full_as_error() -> Iterator[None]:
    """OSError ENOSPC / EDQUOT -> DiskFull (other errors pass unchanged)."""
    try:
        yield
    except OSError as exc:
        if is_disk_full(exc):
            raise DiskFull() from exc
        raise


def human_bytes(n: float) -> str:
    for unit in ('bytes', 'KB', 'MB', 'GB'):
        if n < 1000 or unit == 'GB':
            return f'{n:.0f} {unit}' if unit == 'bytes' else f'{n:.1f} {unit}'
        n /= 1000
    return f'{n} bytes'  # pragma: no cover


class StagedFile:
    """A file being received into tmp/: hashed and counted while it streams, size-capped.

    Going over `max_bytes` raises TooLarge at once and deletes what was written.
    Use as a context manager: anything not handed over (`release()`) is removed on exit.
    """

    def __init__(self, tmp_dir: Path, max_bytes: int) -> None:
        with disk_full_as_error():
            fd, name = tempfile.mkstemp(prefix='upload-', dir=tmp_dir)
        self.path = Path(name)
        self._fh: BinaryIO | None = os.fdopen(fd, 'wb')
        self._hash = hashlib.sha256()
        self.size = 0
        self.max_bytes = max_bytes

    def write(self, chunk: bytes) -> None:
        if self._fh is None:
            raise ValueError('staged file is closed')
        self.size += len(chunk)
        if self.size > self.max_bytes:
            self.discard()
            raise TooLarge(f'The file is larger than the {human_bytes(self.max_bytes)} limit')
        self._hash.update(chunk)
        try:
            self._fh.write(chunk)
        except OSError as exc:
            self.discard()
            if is_disk_full(exc):
                raise DiskFull() from exc
            raise

    def write_from(self, source: BinaryIO) -> None:
        while chunk := source.read(CHUNK):
            self.write(chunk)

    def finish(self) -> None:
        """Flush and fsync; the content is final after this."""
        if self._fh is not None:
            try:
                self._fh.flush()
                os.fsync(self._fh.fileno())
                self._fh.close()
            except OSError as exc:
                self.discard()
                if is_disk_full(exc):
                    raise DiskFull() from exc
                raise
            self._fh = None

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    def discard(self) -> None:
        if self._fh is not None:
            with contextlib.suppress(OSError):  # closing flushes, which fails on a full disk
                self._fh.close()
            self._fh = None
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> StagedFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()


@dataclass(frozen=True)
class BlobPaths:
    original: Path
    thumb: Path
    preview: Path


class BlobStore:
    def __init__(self, blobs_dir: Path, tmp_dir: Path) -> None:
        self.root = blobs_dir
        self.tmp_dir = tmp_dir
        self.root.mkdir(parents=True, exist_ok=True)
        self.tmp_dir.mkdir(parents=True, exist_ok=True)

    def paths(self, sha256: str) -> BlobPaths:
        folder = self.root / sha256[:2] / sha256[2:4]
        return BlobPaths(
            original=folder / sha256,
            thumb=folder / f'{sha256}.thumb.webp',
            preview=folder / f'{sha256}.preview.webp',
        )

    def stage(self, max_bytes: int) -> StagedFile:
        return StagedFile(self.tmp_dir, max_bytes)

    def tmp_path(self, suffix: str) -> Path:
        with disk_full_as_error():
            fd, name = tempfile.mkstemp(prefix='render-', suffix=suffix, dir=self.tmp_dir)
        os.close(fd)
        return Path(name)

    def has(self, sha256: str) -> bool:
        """The original and its thumbnail are there (the preview is a cache made on demand)."""
        p = self.paths(sha256)
        return p.original.exists() and p.thumb.exists()

    def commit(self, sha256: str, original: Path, thumb: Path) -> None:
        """Move fsynced tmp files into place. If the blob exists already, the copies are dropped.

        All or nothing: when a move fails (a full disk can refuse a new directory entry), the
        files this call moved in are taken out again.
        """
        target = self.paths(sha256)
        moved: list[Path] = []
        try:
            with disk_full_as_error():
                target.original.parent.mkdir(parents=True, exist_ok=True)
                for src, dst in ((thumb, target.thumb), (original, target.original)):
                    if dst.exists():
                        src.unlink(missing_ok=True)
                    else:
                        os.replace(src, dst)
                        moved.append(dst)
                _fsync_dir(target.original.parent)
        except BaseException:
            for path in moved:
                path.unlink(missing_ok=True)
            raise

    def commit_preview(self, sha256: str, preview: Path) -> None:
        target = self.paths(sha256).preview
        if target.parent.exists():
            with disk_full_as_error():
                os.replace(preview, target)
        else:  # the image was deleted meanwhile
            preview.unlink(missing_ok=True)

    def delete(self, sha256: str) -> None:
        p = self.paths(sha256)
        for path in (p.original, p.thumb, p.preview):
            path.unlink(missing_ok=True)

    def iter_shas(self) -> Iterator[tuple[str, float]]:
        """Every stored original as (sha256, mtime)."""
        for path in self.root.glob('??/??/*'):
            if '.' not in path.name and len(path.name) == 64:
                yield path.name, path.stat().st_mtime

    def iter_tmp(self, older_than_s: float) -> Iterator[Path]:
        limit = time.time() - older_than_s
        for path in self.tmp_dir.iterdir():
            if path.is_file() and path.stat().st_mtime < limit:
                yield path
