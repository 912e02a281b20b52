"""The staging area: where bytes are received (hashed and counted as they stream, size-capped)
before they are probed and stored. Always local (tmp/ in the data folder), whatever the store.
A full disk (ENOSPC, EDQUOT) raises DiskFull, after removing what was written.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from repo.core.errors import DiskFull, TooLarge, disk_full_as_error, is_disk_full

CHUNK = 1 << 20


def human_bytes(n: float) -> str:
    for unit in ('bytes', 'KB', 'MB', 'GB'):
        if n < 1000 or unit == 'GB':
            return f'{n:.0f} {unit}' if unit == 'bytes' else f'{n:.1f} {unit}'
        n /= 1000
    return f'{n} bytes'  # pragma: no cover


class StagedFile:
    """A file being received into tmp/: hashed and counted while it streams, size-capped.

    Going over `max_bytes` raises TooLarge at once and deletes what was written.
    Use as a context manager: anything not handed over is removed on exit.
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


class Staging:
    """The tmp/ folder: staged uploads and renditions on their way into the store."""

    def __init__(self, tmp_dir: Path) -> None:
        self.tmp_dir = tmp_dir
        self.tmp_dir.mkdir(parents=True, exist_ok=True)

    def stage(self, max_bytes: int) -> StagedFile:
        return StagedFile(self.tmp_dir, max_bytes)

    def tmp_path(self, suffix: str) -> Path:
        with disk_full_as_error():
            fd, name = tempfile.mkstemp(prefix='render-', suffix=suffix, dir=self.tmp_dir)
        os.close(fd)
        return Path(name)

    def stale(self, older_than_s: float) -> Iterator[Path]:
        """Files left in tmp/ longer than `older_than_s` (a crash mid-upload)."""
        limit = time.time() - older_than_s
        for path in self.tmp_dir.iterdir():
            if path.is_file() and path.stat().st_mtime < limit:
                yield path
