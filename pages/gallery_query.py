"""What the gallery shows: search text, scope, tags, colour and sort, kept in the URL (?q=...)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from repo.container import Services
from repo.core.actor import Actor
from repo.core.palette import color_name
from repo.core.schemas import ImagePage, UserPublic
from repo.core.timeline import FIRST_YEAR, LAST_YEAR, by_upload
from repo.core.timeline import SORTS as TIMELINE_SORTS

SCOPES = ('all', 'mine', 'public')
SORTS = ('relevance', *TIMELINE_SORTS)
MAX_QUERY = 200
MAX_TAG_FILTERS = 10
_WORD = re.compile(r'\w+')


@dataclass(frozen=True)
class GalleryQuery:
    text: str = ''
    scope: str = 'all'
    tags: tuple[str, ...] = ()
    sort: str = ''  # '' = the default: relevance while searching, newest otherwise
    color: str = ''  # a palette name (repo.core.palette.PALETTE), '' = any colour
    year: int | None = None  # jumped to this year of the timeline (browsing only)

    @classmethod
    def from_params(
        cls,
        q: str | None = None,
        scope: str | None = None,
        tags: str | None = None,
        sort: str | None = None,
        color: str | None = None,
        year: str | None = None,
    ) -> GalleryQuery:
        """Tolerant parsing of URL parameters: anything unexpected falls back to the default."""
        tag_list: list[str] = []
        for raw in (tags or '').split(','):
            tag = ' '.join(raw.split()).lower()[:50]
            if tag and tag not in tag_list:
                tag_list.append(tag)
        return cls(
            text=(q or '').strip()[:MAX_QUERY],
            scope=scope if scope in SCOPES else 'all',
            tags=tuple(tag_list[:MAX_TAG_FILTERS]),
            sort=sort if sort in SORTS else '',
            color=(color_name(color[:20]) or '') if color else '',
            year=int(year) if year and year.isdigit() and FIRST_YEAR <= int(year) <= LAST_YEAR
            else None,
        )  # fmt: skip

    @property
    def searching(self) -> bool:
        return bool(self.text.strip())

    @property
    def too_short(self) -> bool:
        """Searching, but with no word of two letters yet (one letter finds nothing)."""
        return self.searching and max(map(len, _WORD.findall(self.text)), default=0) < 2

    @property
    def effective_sort(self) -> str:
        if self.sort == 'relevance' and not self.searching:
            return 'newest'
        return self.sort or ('relevance' if self.searching else 'newest')

    @property
    def jumped(self) -> int | None:
        """The year jumped to, when it applies (on the timeline, not while searching)."""
        if self.searching or by_upload(self.effective_sort):
            return None
        return self.year

    @property
    def filtered(self) -> bool:
        return bool(self.tags) or bool(self.color) or self.scope != 'all'

    def params(self) -> dict[str, str]:
        """Only what differs from the defaults, in a stable order."""
        out: dict[str, str] = {}
        if self.text.strip():
            out['q'] = self.text.strip()
        if self.scope != 'all':
            out['scope'] = self.scope
        if self.tags:
            out['tags'] = ','.join(self.tags)
        if self.color:
            out['color'] = self.color
        if self.sort:
            out['sort'] = self.sort
        if self.jumped is not None:
            out['year'] = str(self.jumped)
        return out

    def url(self, path: str = '/', **extra: str | int) -> str:
        params: dict[str, str | int] = {**self.params(), **extra}
        return path + (f'?{urlencode(params)}' if params else '')

    def with_(self, **changes: object) -> GalleryQuery:
        return replace(self, **changes)  # type: ignore[arg-type]

    def add_tag(self, tag: str) -> GalleryQuery:
        if tag in self.tags or len(self.tags) >= MAX_TAG_FILTERS:
            return self
        return replace(self, tags=(*self.tags, tag))

    def remove_tag(self, tag: str) -> GalleryQuery:
        return replace(self, tags=tuple(t for t in self.tags if t != tag))


def fetch(
    services: Services, viewer: UserPublic | None, query: GalleryQuery, offset: int, limit: int
) -> ImagePage:
    """One page of results for this query, as the viewer may see them (blocking: use io_bound)."""
    actor = Actor.of(viewer)
    if query.scope == 'mine' and viewer is None:
        return ImagePage(items=[], total=0, limit=limit, offset=offset)
    owner = viewer.username if query.scope == 'mine' and viewer else None
    visibility = 'public' if query.scope == 'public' else None
    if query.searching:
        return services.finding.search(
            actor,
            query.text,
            owner=owner,
            visibility=visibility,
            tags=query.tags,
            color=query.color or None,
            sort=query.effective_sort,
            limit=limit,
            offset=offset,
        )
    return services.images.list(
        actor,
        owner=owner,
        visibility=visibility,
        tags=query.tags,
        color=query.color or None,
        sort=query.effective_sort,
        year=query.jumped,
        limit=limit,
        offset=offset,
    )


def fetch_years(
    services: Services, viewer: UserPublic | None, query: GalleryQuery
) -> list[tuple[int, int]]:
    """(year, count) of the timeline with this query's filters (blocking: use io_bound)."""
    if query.scope == 'mine' and viewer is None:
        return []
    found = services.images.years(
        Actor.of(viewer),
        owner=viewer.username if query.scope == 'mine' and viewer else None,
        visibility='public' if query.scope == 'public' else None,
        tags=query.tags,
        color=query.color or None,
    )
    return [(y.year, y.count) for y in found]
