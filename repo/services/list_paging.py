"""The checks every list of images shares: page bounds, colour names, and keyset cursors."""

from __future__ import annotations

from datetime import datetime

from repo.core import palette, timeline
from repo.core.errors import Invalid
from repo.core.page_cursor import PageCursor, decode_cursor
from repo.db.tables import Image

MAX_PAGE = 200


def check_page(limit: int, offset: int) -> tuple[int, int]:
    if not 1 <= limit <= MAX_PAGE:
        raise Invalid(f'limit must be between 1 and {MAX_PAGE}')
    if offset < 0:
        raise Invalid('offset must be 0 or more')
    return limit, offset


def check_color(name: str) -> str:
    found = palette.color_name(name)
    if found is None:
        raise Invalid(f'Unknown colour "{name}"; use one of: {", ".join(palette.PALETTE)}')
    return found


def after_cursor(cursor: str | None, sort: str, offset: int) -> tuple[datetime, str] | None:
    """Where a page given `cursor` starts (sort key, id); None without one."""
    if cursor is None:
        return None
    if offset:
        raise Invalid('Give cursor or offset, not both')
    found = decode_cursor(cursor, sort)
    return found.when, found.image_id


def cursor_after(last: Image, sort: str) -> str:
    """The cursor of the page that follows `last`."""
    when = last.created_at if timeline.by_upload(sort) else last.sort_at
    return PageCursor(sort, when, last.id).encode()
