"""Outcomes of uploads into the upload log: the server's (from the API) and the browser's.

The server's word covers every file that reached it. The browser reports only files that never
got there: refused before sending (too large), skipped (not an image by its name, hidden, or
cancelled), or given up on after retries; it may say nothing else, so a browser cannot make up
an image in its own list.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from fastapi import Request
from nicegui import app, run

from pages.upload_log import LOGS, Entry, Storage, text
from repo.container import Services
from repo.core.actor import Actor
from repo.core.errors import DuplicateImage, ShoeboxError
from repo.core.schemas import ImagePublic, UserPublic

KEY_PATTERN = re.compile(r'[a-z0-9]{1,24}-[0-9]{1,6}')
BROWSER_STATUSES = ('refused', 'skipped')
MAX_REPORTED = 500  # entries in one report from the browser

Observer = Callable[..., Awaitable[None]]


def browser_storage() -> tuple[str, str, Storage] | None:
    """(browser id, login session id, the browser's server-side storage) in a request or page
    context of a signed-in browser, else None."""
    try:
        storage = app.storage.user
        browser = app.storage.browser.get('id')
    except (RuntimeError, AssertionError, KeyError):
        return None
    session = storage.get('session')
    if not isinstance(browser, str) or not isinstance(session, str):
        return None
    return browser, session, storage


def server_entry(
    key: str, name: str, image: ImagePublic | None, error: ShoeboxError | None
) -> Entry:
    if image is not None:
        return Entry(
            key,
            name,
            'added',
            image_id=image.id,
            width=image.width,
            height=image.height,
            visibility=image.visibility.value,
        )
    if isinstance(error, DuplicateImage):
        return Entry(key, name, 'duplicate', image_id=error.existing_id)
    message = error.message if error is not None else 'something went wrong'
    return Entry(key, name, 'refused', detail=text(message))


def observer(services: Services) -> Observer:
    """The API's UploadObserver: note each labelled upload in its browser's log."""

    async def observe(
        request: Request,
        *,
        key: str,
        name: str,
        user: UserPublic,
        image: ImagePublic | None,
        error: ShoeboxError | None,
    ) -> None:
        where = browser_storage()
        if where is None:
            return
        entry = server_entry(key, name, image, error)
        if image is not None and image.looks_like:
            similar = await _looks_like(services, user, image.looks_like)
            if similar is not None:
                entry = replace(entry, looks_like_id=similar.id, looks_like_title=similar.title)
        browser, session, storage = where
        LOGS.record(browser, session, entry, storage)

    return observe


async def _looks_like(services: Services, user: UserPublic, image_id: str) -> ImagePublic | None:
    try:
        return await run.io_bound(services.images.get, Actor.of(user), image_id)
    except ShoeboxError:
        return None  # deleted meanwhile


def browser_entries(payload: Any) -> list[Entry]:
    """The browser's report, checked: only refusals and skips, with their names and reasons."""
    items = payload.get('entries') if isinstance(payload, dict) else None
    if not isinstance(items, list):
        return []
    entries = []
    for item in items[:MAX_REPORTED]:
        if not isinstance(item, dict):
            continue
        key, status = item.get('key'), item.get('status')
        if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
            continue
        if status not in BROWSER_STATUSES:
            continue
        name = text(item.get('name', '')) or 'file'
        detail = text(item.get('detail', '')) or 'not sent'
        entries.append(Entry(key, name, status, detail=detail, by_server=False))
    return entries
