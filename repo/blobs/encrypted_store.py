"""EncryptedBlobStore: a BlobStore that encrypts what it puts into another one.

Each blob is stored under a keyed hash of its key (`BlobCipher.stored_name`), sealed with
AES-256-GCM in chunks (repo.blobs.cipher). Blobs written before encryption was turned on are
still read (they lie under their own key, in plaintext) until `encrypt_existing` converts them:
encrypted copy first, plaintext removed after, so a crash at any point leaves one whole copy and
a rerun carries on.

The key check file in the data folder tells a wrong key at start-up (KeyMismatch), instead of
every blob failing to decrypt on the first request.
"""

from __future__ import annotations

import contextlib
import hmac
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from repo.blobs.cipher import BlobCipher, DecryptionFailed, parse_key
from repo.blobs.local import LocalBlobStore
from repo.blobs.store import BlobMissing, BlobStat
from repo.core.errors import EncryptionKeyError

KEY_SETTING = 'SHOEBOX_ENCRYPTION_KEY_FILE'
__all__ = ['EncryptedBlobStore', 'EncryptionKeyError', 'check_key', 'load_key']
ENCRYPTED_SUFFIX = '.enc'


def load_key(path: Path) -> bytes:
    try:
        text = path.read_text()
    except OSError as exc:
        raise EncryptionKeyError(
            f'{KEY_SETTING} names {path}, which cannot be read ({exc.strerror or exc})'
        ) from None
    try:
        return parse_key(text)
    except ValueError as exc:
        raise EncryptionKeyError(f'{KEY_SETTING} names {path}, but {exc}') from None


def check_key(cipher: BlobCipher | None, check_file: Path) -> None:
    """The first start with a key writes its check value; later starts must match it. Once a
    library has encrypted blobs, starting without the key is refused too."""
    stored = check_file.read_text().strip() if check_file.exists() else ''
    if cipher is None:
        if stored:
            raise EncryptionKeyError(
                f'this library holds encrypted blobs: set {KEY_SETTING} to its key file'
            )
        return
    if not stored:
        tmp = check_file.with_name(f'.{check_file.name}.{secrets.token_hex(4)}.tmp')
        tmp.write_text(cipher.check_value + '\n')
        tmp.replace(check_file)
        return
    if not hmac.compare_digest(stored, cipher.check_value):
        raise EncryptionKeyError(
            f'{KEY_SETTING} holds another key than the one this library was encrypted with'
        )


class EncryptedBlobStore:
    def __init__(self, inner: LocalBlobStore, cipher: BlobCipher, tmp_dir: Path) -> None:
        self.inner = inner
        self.cipher = cipher
        self.tmp_dir = tmp_dir

    def stored_name(self, key: str) -> str:
        """The name the bytes of `key` lie under in the inner store now (encrypted, or a
        plaintext blob from before encryption); a backup copies that file as it is."""
        name = self.cipher.stored_name(key)
        if self.inner.stat(name) is None and self.inner.stat(key) is not None:
            return key
        return name

    @staticmethod
    def _checked(key: str) -> str:
        """The same rule for keys as the plaintext store (a key is never a path)."""
        if not key or '/' in key or key.startswith('.') or len(key) < 4:
            raise ValueError(f'bad blob key {key!r}')
        return key

    def put(self, key: str, source: Path) -> None:
        name = self.cipher.stored_name(self._checked(key))
        if self.inner.stat(name) is not None:
            return
        sealed = self.tmp_dir / f'sealed-{secrets.token_hex(8)}'
        try:
            self.cipher.encrypt_file(key, source, sealed)
            self.inner.put(name, sealed)
        finally:
            sealed.unlink(missing_ok=True)

    def open(self, key: str) -> BinaryIO:
        name = self.cipher.stored_name(key)
        try:
            with self.inner.local_copy(name) as path:
                return self.cipher.open(path)  # type: ignore[return-value]
        except BlobMissing:
            return self.inner.open(key)  # written before encryption was on

    def read(self, key: str) -> bytes:
        with self.open(key) as fh:
            return fh.read()

    def stat(self, key: str) -> BlobStat | None:
        found = self.inner.stat(self.cipher.stored_name(key))
        if found is None:
            return self.inner.stat(key)
        try:
            with self.open(key) as reader:
                size = reader.size  # type: ignore[attr-defined]
        except (BlobMissing, DecryptionFailed):
            return None
        return BlobStat(key, size, found.mtime)

    def delete(self, key: str) -> None:
        self.inner.delete(self.cipher.stored_name(key))
        self.inner.delete(key)

    def list(self, prefix: str = '') -> Iterator[BlobStat]:
        """Every logical key: encrypted blobs tell theirs from their sealed header."""
        for found in self.inner.list():
            key = found.key
            if key.endswith(ENCRYPTED_SUFFIX):
                try:
                    with self.inner.local_copy(key) as path, self.cipher.open(path) as reader:
                        key, size = reader.key, reader.size
                except (BlobMissing, DecryptionFailed):
                    continue
                found = BlobStat(key, size, found.mtime)
            if key.startswith(prefix):
                yield found

    def plaintext(self) -> Iterator[str]:
        """Keys of blobs still stored unencrypted."""
        for found in self.inner.list():
            if not found.key.endswith(ENCRYPTED_SUFFIX):
                yield found.key

    def encrypt_one(self, key: str) -> bool:
        """Convert one plaintext blob; False when there was nothing to do. Safe to interrupt."""
        try:
            with self.inner.local_copy(key) as path:
                self.put(key, path)  # the encrypted copy first (skipped if already there)
        except BlobMissing:
            return False
        self.inner.delete(key)
        return True

    @contextlib.contextmanager
    def local_copy(self, key: str) -> Iterator[Path]:
        """A decrypted temporary file in tmp/ for the image workers, removed after use."""
        name = self.cipher.stored_name(key)
        if self.inner.stat(name) is None:
            with self.inner.local_copy(key) as path:
                yield path
            return
        plain = self.tmp_dir / f'plain-{secrets.token_hex(8)}'
        try:
            with self.open(key) as src, plain.open('wb') as dst:
                while chunk := src.read(1 << 20):
                    dst.write(chunk)
            yield plain
        finally:
            plain.unlink(missing_ok=True)

    def healthy(self) -> bool:
        return self.inner.healthy()

    def url(
        self, key: str, expires_s: int, *, media_type: str = '', disposition: str = ''
    ) -> str | None:
        return None  # the bucket or folder holds ciphertext: the bytes go through Shoebox
