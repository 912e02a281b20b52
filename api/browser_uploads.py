"""What came of each upload the web app's uploader sent, told to the upload page as it happens.

The upload page's uploader (pages/bulk_uploader.js) sends every file as an ordinary
`POST /api/v1/images` from the signed-in browser, labelled with two headers: a key naming the
file within its batch, and the file's name as the person sees it (a folder path, URI-encoded).
For such a request the route reports the outcome (the image, or the refusal) to a callback the
pages registered, so the page's result list is kept on the server: it is complete even when the
browser never received an answer (a lost connection, a reload), and a reload shows it again.

Requests with a bearer token, or without the key, are not reported: scripts and the CLI keep
their own tallies.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from urllib.parse import unquote

from fastapi import Request

from api.deps import Caller, UploadObserver, context
from repo.core.errors import ShoeboxError
from repo.core.schemas import ImagePublic, UserPublic

log = logging.getLogger(__name__)

KEY_HEADER = 'x-shoebox-upload-key'
NAME_HEADER = 'x-shoebox-upload-name'
KEY_PATTERN = re.compile(r'[a-z0-9]{1,24}-[0-9]{1,6}')
MAX_NAME = 500


@dataclass(frozen=True)
class BrowserUpload:
    """One labelled upload of a signed-in browser, and where to report what came of it."""

    request: Request
    observer: UploadObserver
    key: str
    name: str
    user: UserPublic

    async def done(self, image: ImagePublic | None, error: ShoeboxError | None) -> None:
        try:
            await self.observer(
                self.request, key=self.key, name=self.name, user=self.user, image=image, error=error
            )
        except Exception:  # the upload itself stands; only the page's list misses a line
            log.exception('Could not note the outcome of browser upload %s', self.key)


def browser_upload(request: Request, caller: Caller) -> BrowserUpload | None:
    """The label of this request, when it is the web app's uploader speaking; else None."""
    observer = context(request).upload_observer
    key = request.headers.get(KEY_HEADER, '')
    if observer is None or caller.user is None or caller.token is not None:
        return None
    if not KEY_PATTERN.fullmatch(key):
        return None
    name = unquote(request.headers.get(NAME_HEADER, ''), errors='replace')
    name = ''.join(ch for ch in name if ch.isprintable())[:MAX_NAME] or 'file'
    return BrowserUpload(request, observer, key, name, caller.user)
