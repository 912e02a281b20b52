"""The thumbnail grid: batches of tiles as plain HTML, infinite scroll, and selection.

Each batch of ~60 tiles is ONE ui.html block (cheap to build and to send); clicks are caught by
one listener on the container, which reads the tile's data-id. The selection is drawn by a small
<style> block, so selecting never rebuilds a tile.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from nicegui import events, run, ui

from pages import markup
from pages.gallery_query import GalleryQuery, fetch
from repo.container import Services
from repo.core.errors import ShoeboxError
from repo.core.schemas import ImagePublic, UserPublic
from repo.core.timeline import on_timeline

BATCH = 60
MAX_RESTORED = 1200  # tiles loaded at most to get back to a place in the gallery

# Clicking the round check (or any own tile while selecting) selects instead of opening.
CLICK_JS = """(e) => {
  const tile = e.target.closest('.sb-tile');
  if (!tile || !tile.querySelector('.sb-check')) return;
  const selecting = e.currentTarget.classList.contains('sb-selecting');
  if (e.target.closest('.sb-check') || selecting) {
    e.preventDefault();
    emit({id: tile.dataset.id, shift: e.shiftKey});
  }
}"""


class ThumbnailGrid:
    def __init__(
        self,
        services: Services,
        viewer: UserPublic | None,
        query: GalleryQuery,
        *,
        batch: int | None = None,
        empty_state: Callable[[ThumbnailGrid], None] | None = None,
    ) -> None:
        self.services = services
        self.viewer = viewer
        self.query = query
        self.batch = batch or BATCH
        self.empty_state = empty_state
        self.items: list[ImagePublic] = []
        self.total = 0
        self.suggestion: str | None = None  # "did you mean" of the last search
        self.loaded_once = False
        self._offset = 0
        self._seen: set[str] = set()
        self._loading = False
        self._generation = 0
        self._last_day: date | None = None  # the timeline's day of the last tile shown
        self.selected: list[str] = []
        self._anchor: str | None = None
        self.on_loaded: list[Callable[[], None]] = []
        self.on_selection: list[Callable[[], None]] = []

        self._style = ui.html('', sanitize=False).classes('hidden')
        # sb-gallery: the tiles the full-screen viewer (pages/viewer.js) walks through.
        self.container = ui.element('div').classes('sb-tiles sb-gallery').mark('grid')
        self.container.on('click', self._on_click, js_handler=CLICK_JS)
        self.empty = ui.column().classes('w-full items-center')
        with ui.row().classes('w-full justify-center'):
            self.more = (
                ui.button('Load more', icon='expand_more', on_click=self.load_more)
                .props('flat no-caps')
                .mark('load-more')
            )
            self.spinner = ui.spinner(size='lg')
        self.more.visible = False
        self.spinner.visible = False
        self._event = f'sb_more_{self.more.id}'
        ui.on(self._event, self.load_more)

    # ---- loading ----------------------------------------------------------------------------

    @property
    def has_more(self) -> bool:
        return self._offset < self.total

    async def reload(
        self, query: GalleryQuery | None = None, *, keep_selection: bool = False
    ) -> None:
        """Show the first batch for this query (replacing whatever was shown). With
        keep_selection, the selected images still shown stay selected (a filter changed)."""
        if query is not None:
            self.query = query
        self._generation += 1
        generation = self._generation
        self._loading = True
        self.spinner.visible = True
        try:
            page = await run.io_bound(fetch, self.services, self.viewer, self.query, 0, self.batch)
        except ShoeboxError as exc:
            ui.notify(exc.message, type='negative')
            return
        finally:
            if generation == self._generation:
                self._loading = False
                self.spinner.visible = False
        if page is None or generation != self._generation:
            return  # shutting down, or a newer query overtook this one
        self.items, self._seen, self.total, self._offset = [], set(), page.total, 0
        self._last_day = None
        self.suggestion = page.suggestion
        kept = set(self.selected) if keep_selection else set()
        self.selected, self._anchor = [], None
        self.container.clear()
        self._append(page.items, page.offset + page.limit)
        self.selected = [i for i in self.own_ids() if i in kept]
        self.loaded_once = True
        self._selection_changed()

    async def load_more(self) -> None:
        if self._loading or not self.has_more:
            return
        generation = self._generation
        self._loading = True
        self.spinner.visible = True
        try:
            page = await run.io_bound(
                fetch, self.services, self.viewer, self.query, self._offset, self.batch
            )
        except ShoeboxError as exc:
            ui.notify(exc.message, type='negative')
            return
        finally:
            self._loading = False
            self.spinner.visible = False
        if page is None or generation != self._generation:
            return
        self.total = page.total
        self._append(page.items, page.offset + page.limit)

    async def load_until(self, count: int) -> None:
        """Load batches until `count` tiles are shown (or there are no more): the way back to
        where the visitor was."""
        count = min(count, MAX_RESTORED)
        while len(self.items) < count and self.has_more:
            before = len(self.items)
            await self.load_more()
            if len(self.items) == before:
                return

    def _append(self, items: list[ImagePublic], next_offset: int) -> None:
        fresh = [i for i in items if i.id not in self._seen]
        self._offset = next_offset if items else self.total
        start = len(self.items)
        self.items.extend(fresh)
        self._seen.update(i.id for i in fresh)
        if fresh:
            tiles = self._tiles(fresh, start)
            with self.container:
                ui.html(tiles, sanitize=False).classes('sb-batch')
        self.container.props['data-total'] = str(self.total)
        self.container.update()
        self.more.visible = self.has_more
        if self.has_more:
            ui.run_javascript(f'sbWatch({self.more.id}, "{self._event}")')
        self.empty.clear()
        if not self.items and self.empty_state is not None:
            with self.empty:
                self.empty_state(self)
        for callback in self.on_loaded:
            callback()

    def _tiles(self, fresh: list[ImagePublic], start: int) -> str:
        """The tiles' HTML, with month and day headers when the order is the timeline."""
        terms = markup.search_terms(self.query.text)
        headers = on_timeline(self.query.effective_sort) and not self.query.searching
        out: list[str] = []
        for n, image in enumerate(fresh):
            if headers:
                day = (image.sort_at or image.created_at).date()
                if day != self._last_day:
                    out.append(markup.timeline_headers(day, self._last_day))
                    self._last_day = day
            href = self.query.url(f'/images/{image.id}', i=start + n)
            out.append(markup.tile(image, href, start + n, terms, selectable=self.owns(image)))
        return ''.join(out)

    # ---- selection --------------------------------------------------------------------------

    def owns(self, image: ImagePublic) -> bool:
        return self.viewer is not None and image.owner_id == self.viewer.id

    def own_ids(self) -> list[str]:
        return [i.id for i in self.items if self.owns(i)]

    def _on_click(self, e: events.GenericEventArguments) -> None:
        args = e.args if isinstance(e.args, dict) else {}
        image_id = args.get('id')
        if isinstance(image_id, str):
            self.toggle(image_id, shift=bool(args.get('shift')))

    def toggle(self, image_id: str, *, shift: bool = False) -> None:
        """Click: toggle one. Shift-click: select the range from the last clicked one."""
        own = self.own_ids()
        if image_id not in own:
            return
        if shift and self._anchor in own:
            a, b = sorted((own.index(self._anchor), own.index(image_id)))
            for i in own[a : b + 1]:
                if i not in self.selected:
                    self.selected.append(i)
        elif image_id in self.selected:
            self.selected.remove(image_id)
        else:
            self.selected.append(image_id)
        self._anchor = image_id
        self._selection_changed()

    def select_all_loaded(self) -> None:
        self.selected = self.own_ids()
        self._selection_changed()

    def clear_selection(self) -> None:
        self.selected, self._anchor = [], None
        self._selection_changed()

    def selected_images(self) -> list[ImagePublic]:
        chosen = set(self.selected)
        return [i for i in self.items if i.id in chosen]

    def _selection_changed(self) -> None:
        self._style.content = markup.selection_css(self.selected)
        if self.selected:
            self.container.classes(add='sb-selecting')
        else:
            self.container.classes(remove='sb-selecting')
        for callback in self.on_selection:
            callback()
