"""The BlobStore port: content-addressed bytes under keys, written atomically and idempotently.

Keys are what services pass around, never paths: `original_key(sha)`, `rendition_key(sha, kind)`.
Implementations: `repo.blobs.local.LocalBlobStore` (files under the data folder) and
`repo.blobs.s3.S3BlobStore` (any S3-compatible bucket); tests/test_blob_contract.py holds both
to these methods.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

RENDITIONS = ('thumb', 'preview')


def original_key(sha256: str) -> str:
    return sha256


def rendition_key(sha256: str, kind: str) -> str:
    if kind not in RENDITIONS:
        raise ValueError(f'unknown rendition {kind!r}')
    return f'{sha256}.{kind}.webp'


def keys_of(sha256: str) -> list[str]:
    """The original and every rendition of these bytes."""
    return [original_key(sha256), *(rendition_key(sha256, k) for k in RENDITIONS)]


def is_original_key(key: str) -> bool:
    return len(key) == 64 and '.' not in key


@dataclass(frozen=True)
class BlobStat:
    key: str
    size: int
    mtime: float  # seconds since the epoch: when it was stored


class BlobMissing(FileNotFoundError):
    """The key has no bytes (never stored, or deleted)."""


class BlobStore(Protocol):
    def put(self, key: str, source: Path) -> None:
        """Store the file at `source` under `key`, atomically (readers see all or nothing) and
        idempotently (bytes already there are kept). `source` may be consumed."""

    def open(self, key: str) -> BinaryIO:
        """A seekable binary reader; raises BlobMissing."""

    def read(self, key: str) -> bytes:
        """All the bytes (for small renditions); raises BlobMissing."""

    def stat(self, key: str) -> BlobStat | None:
        """Size and time stored, or None when the key has no bytes."""

    def delete(self, key: str) -> None:
        """Remove the bytes; a missing key is no error."""

    def list(self, prefix: str = '') -> Iterator[BlobStat]:
        """Every stored key starting with `prefix` (for checks and migrations)."""

    def local_copy(self, key: str) -> AbstractContextManager[Path]:
        """A local file with the bytes, for the image workers (the file itself where the store
        is local; a temporary download otherwise). Raises BlobMissing."""

    def stored_name(self, key: str) -> str:
        """The name the bytes of `key` lie under in the underlying storage (the key itself,
        unless the store encrypts): what a backup copies, as it is."""

    def healthy(self) -> bool:
        """Whether the store can be read and written now (cheap: for a health check)."""

    def url(
        self, key: str, expires_s: int, *, media_type: str = '', disposition: str = ''
    ) -> str | None:
        """A time-limited URL a browser may fetch the bytes from (answered with this type and
        Content-Disposition), or None where the store has no such thing or presigning is off
        (then the bytes are streamed through Shoebox)."""
