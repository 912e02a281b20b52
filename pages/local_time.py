"""Times in the viewer's own time zone, not UTC.

Every page's script keeps the browser's zone in the `sb_tz` cookie (Intl's name, e.g.
'Europe/Lisbon'); pages format times with it. Until the browser has said (its very first page)
times stay in UTC and say so. EXIF times are the camera's local time and are shown as they are.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from nicegui import context

from pages import markup

COOKIE = 'sb_tz'
_ZONE_NAME = re.compile(r'^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+){0,2}$')
# Sets the cookie on every page (shared head script), so the next page is in the right zone.
SCRIPT = (
    '<script>try { const tz = Intl.DateTimeFormat().resolvedOptions().timeZone; '
    f"if (tz) document.cookie = '{COOKIE}=' + encodeURIComponent(tz) + "
    "'; path=/; max-age=31536000; samesite=lax'; } catch (e) {}</script>"
)


def zone_named(name: str | None) -> ZoneInfo | None:
    if not name or len(name) > 64 or not _ZONE_NAME.match(name):
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def viewer_zone() -> ZoneInfo | None:
    """The browser's time zone, from its cookie; None when unknown (outside a page, too)."""
    try:
        return zone_named(context.client.request.cookies.get(COOKIE))
    except (RuntimeError, AttributeError):
        return None


def when(value: datetime | None) -> str:
    """A moment (an aware datetime) in the viewer's zone; naive camera times as they are."""
    if value is None:
        return ''
    zone = viewer_zone()
    if value.tzinfo is None or zone is None:
        return markup.when(value)
    return value.astimezone(zone).strftime('%d %b %Y, %H:%M %Z').strip()


def stamp(value: datetime) -> str:
    """'2026-12-02 14:20' in the viewer's zone (with ' UTC' while it is not known): tables."""
    zone = viewer_zone()
    if zone is None:
        return value.astimezone(UTC).strftime('%Y-%m-%d %H:%M UTC')
    return value.astimezone(zone).strftime('%Y-%m-%d %H:%M')
