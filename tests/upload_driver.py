"""Drive the upload page's uploader from NiceGUI's simulated `user`, which runs no JavaScript.

`send` does what pages/bulk_uploader.js does with picked files: each one is POSTed to
`/api/v1/images` from this browser (its session cookie), labelled with a key and the file's
name, with the batch settings the page handed to the uploader, at most three at a time.
`report` is the uploader telling the page about files that never reached the server.
"""

from __future__ import annotations

import asyncio
import itertools
import re
from urllib.parse import quote

from nicegui.testing import User

from pages.bulk_uploader import BulkUploader

_batches = itertools.count(1)


def uploader(user: User) -> BulkUploader:
    element = next(iter(user.find(marker='uploader').elements))
    assert isinstance(element, BulkUploader)
    return element


def file(name: str, data: bytes, mime: str = 'image/jpeg') -> tuple[str, bytes, str]:
    return name, data, mime


async def send(user: User, files: list[tuple[str, bytes, str]]) -> list[int]:
    """Upload the files as the page's uploader would; returns the HTTP statuses."""
    settings = {k: v for k, v in uploader(user).settings.items() if v}
    batch = f'test{next(_batches)}'
    slots = asyncio.Semaphore(3)

    async def one(n: int, name: str, data: bytes, mime: str) -> int:
        async with slots:
            response = await user.http_client.post(
                '/api/v1/images',
                files={'file': (name.rsplit('/', 1)[-1], data, mime)},
                data=settings,
                headers={
                    'X-Shoebox-Upload-Key': f'{batch}-{n}',
                    'X-Shoebox-Upload-Name': quote(name),
                },
            )
            return response.status_code

    return list(await asyncio.gather(*(one(n, *f) for n, f in enumerate(files))))


def report(user: User, entries: list[dict[str, str]], seq: int = 1) -> None:
    """The uploader's report of files it did not send (too large, skipped, given up)."""
    batch = f'test{next(_batches)}'
    keyed = [{'key': f'{batch}-{n}', **entry} for n, entry in enumerate(entries)]
    user.find(marker='uploader').trigger('report', {'seq': seq, 'entries': keyed})


def count(user: User, status: str) -> int:
    """How many files the page's result summary counts with this outcome."""
    try:
        summary = next(iter(user.find(marker='upload-summary').elements))
    except AssertionError:  # nothing to summarise yet
        return 0
    words = {'added': 'added', 'duplicate': 'duplicates?', 'refused': 'refused'}
    found = re.search(rf'([\d,]+) {words.get(status, status)}\b', summary.text or '')  # type: ignore[attr-defined]
    return int(found.group(1).replace(',', '')) if found else 0


def rows(user: User, status: str) -> int:
    """How many result rows with this outcome the current page of the list shows."""
    try:
        return len(user.find(marker=f'result-{status}').elements)
    except AssertionError:
        return 0
