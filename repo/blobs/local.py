"""LocalBlobStore: blobs as files under the data folder, written atomically.

Layout: blobs/ab/cd/<key> (the first four characters of the key, which starts with the content's
sha256). Every file arrives fsynced in tmp/ (same file system) and is linked into place; then
the folder is fsynced.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from repo.blobs.store import BlobMissing, BlobStat
from repo.core.errors import disk_full_as_error


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class LocalBlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        if not key or '/' in key or key.startswith('.') or len(key) < 4:
            raise ValueError(f'bad blob key {key!r}')
        return self.root / key[:2] / key[2:4] / key

    def put(self, key: str, source: Path) -> None:
        """A hard link from the (fsynced) staged file: atomic, and it fails rather than replace
        bytes that are there already. `source` stays, so a caller can put it again. On another
        file system: a copy beside the target, fsynced, then renamed into place."""
        target = self._path(key)
        if target.exists():
            return
        with disk_full_as_error():  # a new folder or directory entry can need a block too
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(source, target)
            except FileExistsError:
                return
            except OSError as exc:
                if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
                    raise
                self._copy_into_place(source, target)
            _fsync_dir(target.parent)

    @staticmethod
    def _copy_into_place(source: Path, target: Path) -> None:
        tmp = target.with_name(f'.{target.name}.{secrets.token_hex(4)}.tmp')
        try:
            with open(source, 'rb') as src, open(tmp, 'wb') as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
                dst.flush()
                os.fsync(dst.fileno())
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)

    def open(self, key: str) -> BinaryIO:
        try:
            return open(self._path(key), 'rb')
        except FileNotFoundError:
            raise BlobMissing(key) from None

    def read(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise BlobMissing(key) from None

    def stat(self, key: str) -> BlobStat | None:
        try:
            st = self._path(key).stat()
        except FileNotFoundError:
            return None
        return BlobStat(key, st.st_size, st.st_mtime)

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def list(self, prefix: str = '') -> Iterator[BlobStat]:
        for path in self.root.glob('??/??/*'):
            if path.name.startswith(prefix) and not path.name.startswith('.'):
                with contextlib.suppress(FileNotFoundError):
                    st = path.stat()
                    yield BlobStat(path.name, st.st_size, st.st_mtime)

    @contextlib.contextmanager
    def local_copy(self, key: str) -> Iterator[Path]:
        path = self._path(key)
        if not path.exists():
            raise BlobMissing(key)
        yield path

    def stored_name(self, key: str) -> str:
        return key

    def healthy(self) -> bool:
        """The folder is there and usable (os.access: as root, a missing folder still fails)."""
        return self.root.is_dir() and os.access(self.root, os.R_OK | os.W_OK | os.X_OK)

    def url(
        self, key: str, expires_s: int, *, media_type: str = '', disposition: str = ''
    ) -> str | None:
        return None
