"""The orders a gallery can be listed in, and where a year starts on the timeline.

The timeline is the date a photo was taken, falling back to its upload time (`sort_at`):
'newest' and 'oldest' walk it; 'uploaded_newest' and 'uploaded_oldest' are the upload order.
"""

from __future__ import annotations

from datetime import datetime

SORTS = ('newest', 'oldest', 'uploaded_newest', 'uploaded_oldest')
SORT_HELP = {
    'relevance': 'best match first (searches only)',
    'newest': 'most recently taken first (the upload time when the camera did not say)',
    'oldest': 'earliest taken first',
    'uploaded_newest': 'most recently uploaded first',
    'uploaded_oldest': 'first uploaded first',
}
FIRST_YEAR, LAST_YEAR = 1800, 2200


def by_upload(sort: str) -> bool:
    return sort.startswith('uploaded_')


def newest_first(sort: str) -> bool:
    return sort in ('newest', 'uploaded_newest')


def on_timeline(sort: str) -> bool:
    """Orders by date taken, where month and day headers make sense."""
    return sort in ('newest', 'oldest')


def year_bound(year: int, sort: str) -> tuple[str, datetime]:
    """Jumping to a year: ('before', 1 Jan of the next year) when newest first, else ('from',
    1 Jan of that year): the page then starts with that year's photos."""
    if newest_first(sort):
        return 'before', datetime(year + 1, 1, 1)
    return 'from', datetime(year, 1, 1)
