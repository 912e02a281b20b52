"""Streaming a blob from the store's reader, with single byte ranges (RFC 9110).

`Range: bytes=a-b`, `a-` and `-n` get 206 with that part; an unsatisfiable one 416. A range with
another unit, several ranges, or an `If-Range` that no longer matches is ignored: the whole
body, 200, as the RFC allows. The reader is read in chunks on a worker thread, so memory stays
flat and the event loop free, whatever the store (local files, S3, encrypted).
"""

from __future__ import annotations

import re
from typing import BinaryIO

from anyio import to_thread
from starlette.background import BackgroundTask
from starlette.responses import Response, StreamingResponse

from repo.services.images import BlobFile

CHUNK = 256 * 1024
_RANGE = re.compile(r'^bytes=(\d*)-(\d*)$')


def byte_range(header: str | None, size: int) -> tuple[int, int] | bool | None:
    """(first, last) for a satisfiable single byte range; None to send everything; False when
    the range cannot be satisfied (416)."""
    if not header:
        return None
    match = _RANGE.match(header.strip().replace(' ', ''))
    if match is None:  # another unit, several ranges, or nonsense: ignore it
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last n bytes
        n = int(last)
        if n == 0:
            return False
        return max(0, size - n), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if last and int(last) < start:
        return None  # invalid: ignore
    if start >= size:
        return False
    return start, end


def stream_blob(
    blob: BlobFile, headers: dict[str, str], *, method: str, range_header: str | None,
    if_range: str | None,
) -> Response:  # fmt: skip
    headers = {**headers, 'Accept-Ranges': 'bytes'}
    wanted = byte_range(range_header, blob.size)
    if if_range is not None and if_range.strip() != blob.etag:
        wanted = None
    if wanted is False:
        headers['Content-Range'] = f'bytes */{blob.size}'
        return Response(status_code=416, headers=headers)
    status, first, last = 200, 0, blob.size - 1
    if isinstance(wanted, tuple):
        status, (first, last) = 206, wanted
        headers['Content-Range'] = f'bytes {first}-{last}/{blob.size}'
    length = max(0, last - first + 1)
    headers['Content-Length'] = str(length)
    if method == 'HEAD':
        return Response(status_code=status, media_type=blob.media_type, headers=headers)
    reader = blob.open()
    return StreamingResponse(
        _chunks(reader, first, length),
        status_code=status,
        media_type=blob.media_type,
        headers=headers,
        background=BackgroundTask(reader.close),
    )


async def _chunks(reader: BinaryIO, first: int, length: int):  # type: ignore[no-untyped-def]
    if first:
        await to_thread.run_sync(reader.seek, first)
    left = length
    while left > 0:
        chunk = await to_thread.run_sync(reader.read, min(CHUNK, left))
        if not chunk:
            break
        left -= len(chunk)
        yield chunk
