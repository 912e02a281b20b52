"""The gallery's "jump to a year": the years of the timeline (with the current filters) in a
menu; picking one starts the grid at that year, the way a photo app's scrubber does."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import run, ui

from pages.gallery_query import GalleryQuery, fetch_years
from repo.container import Services
from repo.core.schemas import UserPublic
from repo.core.timeline import by_upload


class YearJump:
    def __init__(
        self,
        services: Services,
        viewer: UserPublic | None,
        on_pick: Callable[[int | None], Awaitable[None]],
    ) -> None:
        self.services = services
        self.viewer = viewer
        self.on_pick = on_pick
        self._shown_for: GalleryQuery | None = None
        self.select = (
            ui.select({}, label='Year', on_change=self._picked, clearable=True)
            .props('dense outlined options-dense aria-label="Jump to a year"')
            .classes('min-w-[120px]')
            .mark('year-jump')
        )
        self.select.visible = False

    async def update(self, query: GalleryQuery) -> None:
        """Offer the years of this query's timeline (hidden while searching or in upload order)."""
        if by_upload(query.effective_sort) or query.searching:
            self.select.visible = False
            return
        filters = query.with_(year=None, sort='')
        if filters != self._shown_for:
            years = await run.io_bound(fetch_years, self.services, self.viewer, filters)
            self._shown_for = filters
            self.select.set_options(
                {y: f'{y} ({n:,})' for y, n in (years or [])}, value=query.jumped
            )
        else:
            self.select.set_value(query.jumped)
        self.select.visible = len(self.select.options) > 1 or query.jumped is not None

    async def _picked(self) -> None:
        value = self.select.value
        await self.on_pick(value if isinstance(value, int) else None)
