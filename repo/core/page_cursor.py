"""Keyset cursors for walking a list of images: the sort key and id of the last one seen.

A page after a cursor starts right after that image in the sort order, so images added or
removed between two requests never make the walk skip or repeat one (as `offset` can), and a
deep page need not step over every row before it (not yet measured; each page still counts
the total).
The cursor is opaque to clients: urlsafe base64 of a small JSON object naming its sort.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

from repo.core.errors import Invalid

MAX_CURSOR = 200  # characters; a real cursor is about 90


@dataclass(frozen=True)
class PageCursor:
    sort: str
    when: datetime  # the sort key of the last image seen (sort_at, or created_at by upload)
    image_id: str

    def encode(self) -> str:
        raw = json.dumps({'s': self.sort, 'w': self.when.isoformat(), 'i': self.image_id})
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip('=')


def decode_cursor(text: str, sort: str) -> PageCursor:
    """The cursor a previous page gave; Invalid (422) for anything else, or for a cursor made
    for another sort order."""
    bad = Invalid('cursor is not one this server gave: use next_cursor of the previous page')
    if not text or len(text) > MAX_CURSOR:
        raise bad
    try:
        raw = json.loads(base64.urlsafe_b64decode(text + '=' * (-len(text) % 4)))
        found = PageCursor(str(raw['s']), datetime.fromisoformat(raw['w']), str(raw['i']))
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise bad from None
    if found.sort != sort:
        raise Invalid(f'cursor was made for sort "{found.sort}", not "{sort}"')
    return found
