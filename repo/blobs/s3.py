"""S3BlobStore: blobs as objects in any S3-compatible bucket (AWS, MinIO, Garage, Ceph...).

`s3://bucket/optional/prefix`; the endpoint comes from SHOEBOX_S3_ENDPOINT_URL and credentials
from boto3's usual sources (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION, ...).
A put is one S3 upload (multipart for big files, from the staged file), which S3 makes visible
all at once; keys are content-addressed, so two processes putting one key put the same bytes.
Reads are ranged GETs, so streaming a part of an original never downloads all of it.
"""

from __future__ import annotations

import contextlib
import io
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from repo.blobs.store import BlobMissing, BlobStat

MULTIPART_THRESHOLD = 16 * 1024 * 1024  # bigger files go up in parts of this size
_MISSING = {'404', 'NoSuchKey', 'NotFound'}


def _missing(exc: ClientError) -> bool:
    return str(exc.response.get('Error', {}).get('Code')) in _MISSING


def check_key(key: str) -> str:
    """The same keys the local store takes: a name, never a path."""
    if not key or '/' in key or key.startswith('.') or len(key) < 4:
        raise ValueError(f'bad blob key {key!r}')
    return key


class S3BlobStore:
    def __init__(
        self,
        bucket: str,
        prefix: str = '',
        *,
        endpoint_url: str | None = None,
        presign: bool = False,
        tmp_dir: Path | None = None,
        client: Any = None,
    ) -> None:
        self.bucket = bucket
        self.prefix = f'{prefix.strip("/")}/' if prefix.strip('/') else ''
        self.presign = presign
        self.tmp_dir = tmp_dir
        self.client = client or boto3.session.Session().client(
            's3',
            endpoint_url=endpoint_url,
            region_name=os.environ.get('AWS_DEFAULT_REGION') or 'us-east-1',
            config=Config(
                signature_version='s3v4',  # presigned URLs with X-Amz-Expires
                s3={'addressing_style': 'path' if endpoint_url else 'auto'},
                retries={'max_attempts': 5, 'mode': 'standard'},
                max_pool_connections=32,
            ),
        )
        self.transfer = TransferConfig(
            multipart_threshold=MULTIPART_THRESHOLD, multipart_chunksize=MULTIPART_THRESHOLD
        )

    @classmethod
    def from_url(cls, url: str, **options: Any) -> S3BlobStore:
        parts = urlsplit(url)
        if parts.scheme != 's3' or not parts.netloc:
            raise ValueError(f'a blob URL is s3://bucket/optional/prefix, not {url!r}')
        return cls(parts.netloc, parts.path, **options)

    def _key(self, key: str) -> str:
        return self.prefix + check_key(key)

    def put(self, key: str, source: Path) -> None:
        """Upload the staged file (in parts when big); bytes already stored are kept. `source`
        stays, so a caller can put it again."""
        if self.stat(key) is not None:
            return
        self.client.upload_file(str(source), self.bucket, self._key(key), Config=self.transfer)

    def open(self, key: str) -> BinaryIO:
        size = self._size(key)
        return io.BufferedReader(_RangedReader(self, self._key(key), size), 1 << 20)  # type: ignore[return-value]

    def read(self, key: str) -> bytes:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(key))['Body'].read()
        except ClientError as exc:
            if _missing(exc):
                raise BlobMissing(key) from None
            raise

    def _size(self, key: str) -> int:
        stat = self.stat(key)
        if stat is None:
            raise BlobMissing(key)
        return stat.size

    def stat(self, key: str) -> BlobStat | None:
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if _missing(exc):
                return None
            raise
        return BlobStat(key, int(head['ContentLength']), head['LastModified'].timestamp())

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def list(self, prefix: str = '') -> Iterator[BlobStat]:
        pages = self.client.get_paginator('list_objects_v2').paginate(
            Bucket=self.bucket, Prefix=self.prefix + prefix
        )
        for page in pages:
            for item in page.get('Contents', []):
                key = item['Key'][len(self.prefix) :]
                if '/' not in key:
                    yield BlobStat(key, int(item['Size']), item['LastModified'].timestamp())

    @contextlib.contextmanager
    def local_copy(self, key: str) -> Iterator[Path]:
        """A temporary download into the staging folder (removed afterwards)."""
        folder = self.tmp_dir or Path(os.environ.get('TMPDIR', '/tmp'))
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f'.s3-{secrets.token_hex(8)}'
        try:
            try:
                self.client.download_file(self.bucket, self._key(key), str(path))
            except ClientError as exc:
                if _missing(exc):
                    raise BlobMissing(key) from None
                raise
            yield path
        finally:
            path.unlink(missing_ok=True)

    def stored_name(self, key: str) -> str:
        return key

    def healthy(self) -> bool:
        """The bucket answers (a HEAD request)."""
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except (ClientError, BotoCoreError):
            return False
        return True

    def url(
        self, key: str, expires_s: int, *, media_type: str = '', disposition: str = ''
    ) -> str | None:
        """A presigned GET (when presigning is on); the response headers are fixed by it."""
        if not self.presign:
            return None
        params = {'Bucket': self.bucket, 'Key': self._key(key)}
        if media_type:
            params['ResponseContentType'] = media_type
        if disposition:
            params['ResponseContentDisposition'] = disposition
        return self.client.generate_presigned_url('get_object', Params=params, ExpiresIn=expires_s)


class _RangedReader(io.RawIOBase):
    """A seekable reader over one object: each read is a ranged GET."""

    def __init__(self, store: S3BlobStore, key: str, size: int) -> None:
        self.store, self.key, self.size, self.pos = store, key, size, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.pos, io.SEEK_END: self.size}[whence]
        self.pos = max(0, base + offset)
        return self.pos

    def readinto(self, buffer: Any) -> int:
        want = min(len(buffer), self.size - self.pos)
        if want <= 0:
            return 0
        try:
            body = self.store.client.get_object(
                Bucket=self.store.bucket,
                Key=self.key,
                Range=f'bytes={self.pos}-{self.pos + want - 1}',
            )['Body']
        except ClientError as exc:
            if _missing(exc):
                raise BlobMissing(self.key) from None
            raise
        data = body.read()
        buffer[: len(data)] = data
        self.pos += len(data)
        return len(data)
