"""Responses carrying image bytes: detected type, ETag/304, cache rules, safe download names.

Cache rules: a private image is `private, no-cache` (browsers keep it, but revalidate each time,
so revoked access takes effect on the next request); a public one is `public, max-age=60`, so a
shared cache holds it at most a minute after it is made private.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.responses import RedirectResponse

from api.blob_response import stream_blob
from repo.core.errors import ImageNotFound
from repo.services.images import BlobFile

CACHE_PRIVATE = 'private, no-cache'
CACHE_PUBLIC = 'public, max-age=60'
PRESIGN_SECONDS = 60  # a presigned URL of a private image is useless a minute later
# Bytes from users are never a document: no scripts, no plugins, even if opened directly.
FILE_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
# The extension a download gets for its detected type, and the others that mean the same type.
EXTENSIONS = {
    'image/jpeg': ('.jpg', '.jpeg', '.jpe', '.jfif'),
    'image/png': ('.png',),
    'image/webp': ('.webp',),
    'image/gif': ('.gif',),
    'image/avif': ('.avif',),
}


def download_name(filename: str, media_type: str) -> str:
    """The uploader's name with an extension that matches what the bytes are: 'poly.html' of a
    JPEG is offered as 'poly.jpg' (a saved file is opened by its extension, not its content)."""
    extensions = EXTENSIONS.get(media_type)
    if not extensions:
        return filename
    path = PurePosixPath(filename)
    if path.suffix.lower() in extensions:
        return filename
    stem = path.stem if path.suffix else filename
    return f'{stem or "image"}{extensions[0]}'


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback name and the exact name per RFC 5987 (filename*)."""
    fallback = ''.join(
        ch if 32 <= ord(ch) < 127 and ch not in '"\\;%' else '_' for ch in filename
    ).strip()
    encoded = quote(filename, safe='')
    return f'attachment; filename="{fallback or "image"}"; filename*=UTF-8\'\'{encoded}'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    candidates = [c.strip() for c in if_none_match.split(',')]
    return '*' in candidates or any(c.removeprefix('W/') == etag for c in candidates)


def file_response(
    request: Request, blob: BlobFile, *, attachment: bool = False, inline_max: int = 0
) -> Response:
    """The file, or 304 when If-None-Match names its ETag.

    Files up to `inline_max` bytes (renditions) are read here, in one call, and sent from
    memory; call this from a worker thread then. Bigger ones stream from the store.
    """
    headers = {
        'ETag': blob.etag,
        'Cache-Control': CACHE_PRIVATE if blob.private else CACHE_PUBLIC,
        'Content-Security-Policy': FILE_CSP,
    }
    if attachment:
        name = download_name(blob.download_name, blob.media_type)
        headers['Content-Disposition'] = content_disposition(name)
        # With SHOEBOX_S3_PRESIGN, the store hands the (access-checked) download to a URL of
        # its own. Renditions stay here: the pages' CSP lets images come from this origin only.
        url = blob.store.url(
            blob.key,
            PRESIGN_SECONDS,
            media_type=blob.media_type,
            disposition=headers['Content-Disposition'],
        )
        if url is not None:
            return RedirectResponse(url, 307, headers={'Cache-Control': 'no-store'})
    if etag_matches(request.headers.get('if-none-match'), blob.etag):
        return Response(status_code=304, headers=headers)
    if blob.size <= inline_max:
        if request.method == 'HEAD':
            headers['Content-Length'] = str(blob.size)
            return Response(media_type=blob.media_type, headers=headers)
        try:
            body = blob.read()
        except FileNotFoundError:  # deleted since it was looked up: as if it never existed
            raise ImageNotFound() from None
        return Response(body, media_type=blob.media_type, headers=headers)
    try:
        return stream_blob(
            blob,
            headers,
            method=request.method,
            range_header=request.headers.get('range'),
            if_range=request.headers.get('if-range'),
        )
    except FileNotFoundError:
        raise ImageNotFound() from None
