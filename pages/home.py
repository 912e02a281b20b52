"""The gallery: instant search, scope and sort, tag chips, the grid, bulk actions, empty states."""

from __future__ import annotations

from collections import Counter

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import events, ui

from pages.bulk import BulkBar
from pages.colors import ColorFilter
from pages.gallery_query import GalleryQuery
from pages.grid import ThumbnailGrid
from pages.layout import frame
from pages.markup import plural
from pages.session import current_user, here, redirect_to_sign_in, session_id, sign_in_url
from pages.undo import undo_toast
from pages.year_jump import YearJump
from repo.container import Services
from repo.core.schemas import UserPublic

SORT_LABELS = {
    'relevance': 'Best match',
    'newest': 'Newest taken',
    'oldest': 'Oldest taken',
    'uploaded_newest': 'Recently uploaded',
    'uploaded_oldest': 'First uploaded',
}
# What the gallery shows (a filter), as against the bulk bar's "Make public" (an action).
SCOPE_LABELS = {'all': 'All', 'mine': 'Mine', 'public': 'Public only'}
MAX_SUGGESTED_TAGS = 12


class Gallery:
    def __init__(self, services: Services, viewer: UserPublic | None, query: GalleryQuery) -> None:
        self.services = services
        self.viewer = viewer
        self.query = query
        with ui.row().classes('w-full items-center gap-3'):
            self.heading = ui.label().classes('text-xl font-medium').mark('result-count')
            ui.space()
            with ui.row().classes('items-center gap-1 no-wrap') as scope_row:
                ui.label('Show').classes('text-sm opacity-70')
                self.scope = (
                    ui.toggle(SCOPE_LABELS, value=query.scope, on_change=self._scope_changed)
                    .props('no-caps dense outline toggle-color=primary aria-label="Show"')
                    .mark('scope')
                )
            scope_row.visible = viewer is not None
            self.years = YearJump(services, viewer, self.jump_to)
            self.sort = (
                ui.select(self._sort_options(), value=query.effective_sort, on_change=self._sort)
                .props('dense outlined options-dense aria-label="Sort order"')
                .classes('min-w-[170px]')
                .mark('sort')
            )
        self.colors = ColorFilter(query.color, self.pick_color)
        with ui.row().classes('w-full items-center gap-2 no-wrap'):
            self.tags_row = (
                ui.row()
                .classes('grow min-w-0 items-center gap-1 min-h-[32px] no-wrap overflow-x-auto')
                .mark('tags')
            )
            ui.link('All tags', '/tags').classes('text-sm whitespace-nowrap').mark('all-tags')
        self.search_box: ui.input | None = None  # the header's, set by create()
        self.did_you_mean = ui.row().classes('w-full items-center gap-1').mark('did-you-mean')
        self.grid = ThumbnailGrid(services, viewer, query, empty_state=self._empty_state)
        self.grid.on_loaded.append(self._loaded)
        if viewer is not None:
            BulkBar(services, self.grid, session_id())
            ui.keyboard(self._key)

    # ---- query changes ----------------------------------------------------------------------

    async def apply(self, query: GalleryQuery) -> None:
        if query == self.query and self.grid.loaded_once:
            return
        self.query = query
        ui.navigate.history.replace(query.url())
        self.sort.set_options(self._sort_options(), value=query.effective_sort)
        await self.grid.reload(query, keep_selection=True)
        await self.years.update(query)

    async def search(self, text: str | None) -> None:
        await self.apply(self.query.with_(text=(text or '').strip()[:200], year=None))

    async def search_for(self, text: str) -> None:
        """Search as if typed in the header's box (a "did you mean" click)."""
        if self.search_box is not None:
            self.search_box.value = text  # its change handler runs the search
        else:
            await self.search(text)

    async def _scope_changed(self) -> None:
        await self.apply(self.query.with_(scope=self.scope.value or 'all'))

    async def _sort(self) -> None:
        value = self.sort.value
        if value and value != self.query.effective_sort:
            await self.apply(self.query.with_(sort=value, year=None))

    async def jump_to(self, year: int | None) -> None:
        if year != self.query.jumped:
            await self.apply(self.query.with_(year=year))

    async def pick_color(self, color: str) -> None:
        await self.apply(self.query.with_(color=color))

    async def add_tag(self, tag: str) -> None:
        await self.apply(self.query.add_tag(tag))

    async def remove_tag(self, tag: str) -> None:
        await self.apply(self.query.remove_tag(tag))

    def _sort_options(self) -> dict[str, str]:
        if self.query.searching:
            return SORT_LABELS
        return {k: v for k, v in SORT_LABELS.items() if k != 'relevance'}

    def ask_for_place(self) -> None:
        """Coming back to this gallery (Back, "Results"), the browser says where the visitor
        was (pages/viewer.js keeps it in the tab's sessionStorage) and back_to_place goes there."""
        event = f'sb_place_{self.grid.container.id}'
        ui.on(event, self.back_to_place)
        ui.run_javascript(
            f'(() => {{ const p = window.sbPlace && window.sbPlace(); '
            f'if (p) emitEvent("{event}", p); }})()'
        )

    async def back_to_place(self, e: events.GenericEventArguments) -> None:
        place = e.args
        if not isinstance(place, dict):
            return
        count, y = place.get('count'), place.get('y')
        if not isinstance(count, int) or not isinstance(y, int | float):
            return
        await self.grid.load_until(count)
        ui.run_javascript(f'window.sbScrollTo({int(y)})')

    def _key(self, e) -> None:  # type: ignore[no-untyped-def]
        if e.action.keydown and e.key.name == 'Escape' and self.grid.selected:
            self.grid.clear_selection()

    # ---- after each load --------------------------------------------------------------------

    def _loaded(self) -> None:
        total, query = self.grid.total, self.query
        self._did_you_mean(self.did_you_mean if total else None)
        if query.too_short:
            self.heading.text = 'Keep typing…'
        elif query.searching:
            self.heading.text = f'{plural(total, "result")} for “{query.text}”'
        elif query.scope == 'mine':
            self.heading.text = f'{plural(total, "image")} of yours'
        else:
            self.heading.text = plural(total, 'image')
        if query.color:
            self.heading.text += f' · {query.color}'
        if query.jumped is not None:
            self.heading.text += f' · from {query.jumped} ' + (
                'back' if query.effective_sort == 'newest' else 'on'
            )
        self.colors.set(query.color)
        self._tags()

    def _tags(self) -> None:
        self.tags_row.clear()
        counts = Counter(t for image in self.grid.items for t in image.tags)
        suggested = [t for t, _ in counts.most_common() if t not in self.query.tags]
        with self.tags_row:
            if self.query.tags or suggested:
                ui.icon('sell', size='18px').classes('opacity-60 mr-1')
            for tag in self.query.tags:
                chip = ui.chip(
                    tag,
                    color='primary',
                    text_color='white',
                    removable=True,
                    on_value_change=lambda _, t=tag: self.remove_tag(t),
                ).mark('tag-filter')
                chip.props['aria-label'] = f'Remove tag filter {tag}'  # a value, never parsed
            for tag in suggested[:MAX_SUGGESTED_TAGS]:
                ui.chip(
                    tag, icon='add', color=None, on_click=lambda _, t=tag: self.add_tag(t)
                ).props('outline clickable').mark('tag-suggestion')

    def _did_you_mean(self, where: ui.element | None) -> None:
        """'Did you mean “harbour”?' as a link that searches for it (in `where`, if given)."""
        self.did_you_mean.clear()
        suggestion = self.grid.suggestion if self.query.searching else None
        if suggestion is None or where is None:
            return
        with where:
            ui.label('Did you mean').classes('opacity-80')
            ui.button(f'“{suggestion}”', on_click=lambda: self.search_for(suggestion)).props(
                'flat dense no-caps color=primary'
            ).classes('text-base').mark('suggestion')
            ui.label('?').classes('opacity-80 -ml-1')

    def _empty_state(self, grid: ThumbnailGrid) -> None:
        query, viewer = self.query, self.viewer
        with ui.column().classes('items-center text-center gap-2 py-16').mark('empty-state'):
            if query.too_short:
                ui.icon('keyboard', size='56px').classes('opacity-50')
                ui.label('Keep typing…').classes('text-lg font-medium')
                ui.label('Type at least two letters to search.').classes('opacity-70')
            elif query.searching:
                ui.icon('search_off', size='56px').classes('opacity-50')
                ui.label(f'No results for “{query.text}”').classes('text-lg font-medium')
                self._did_you_mean(ui.row().classes('items-center gap-1'))
                ui.label('Check the spelling, try fewer words, or clear the filters.').classes(
                    'opacity-70'
                )
                ui.button('Clear search', on_click=lambda: self.apply(GalleryQuery())).props(
                    'outline no-caps'
                )
            elif query.tags or query.color:
                ui.icon('filter_alt_off', size='56px').classes('opacity-50')
                if not query.color:
                    message = 'No images have all of these tags'
                elif not query.tags:
                    message = f'No images with {query.color} in them'
                else:
                    message = f'No images with {query.color} have all of these tags'
                ui.label(message).classes('text-lg font-medium')
                ui.button('Clear filters', on_click=lambda: self.apply(GalleryQuery())).props(
                    'outline no-caps'
                )
            elif query.scope == 'public':
                ui.icon('public_off', size='56px').classes('opacity-50')
                ui.label('No public images yet').classes('text-lg font-medium')
                if viewer is not None:
                    ui.label('Make an image public from its page to share it.').classes(
                        'opacity-70'
                    )
            elif viewer is not None:
                ui.icon('add_photo_alternate', size='64px').classes('opacity-50')
                ui.label('Your shoebox is empty').classes('text-lg font-medium')
                ui.label(
                    'Upload photos to see them here. They stay private until you share them.'
                ).classes('opacity-70')
                ui.button(
                    'Upload images', icon='cloud_upload', on_click=lambda: ui.navigate.to('/upload')
                ).props('unelevated no-caps')
            else:
                ui.icon('photo_library', size='64px').classes('opacity-50')
                ui.label('Nothing shared yet').classes('text-lg font-medium')
                ui.label('Sign in to upload your own images.').classes('opacity-70')
                with ui.row().classes('gap-2'):
                    ui.button('Sign in', on_click=lambda: ui.navigate.to(sign_in_url('/'))).props(
                        'unelevated no-caps'
                    )
                    if self.services.limits().open_signup:
                        ui.button(
                            'Create an account', on_click=lambda: ui.navigate.to('/signup')
                        ).props('outline no-caps')


def create(services: Services) -> None:
    @ui.page('/')
    async def home(
        request: Request,
        q: str = '',
        scope: str = '',
        tags: str = '',
        sort: str = '',
        color: str = '',
        year: str = '',
        undo: str = '',
    ) -> RedirectResponse | None:
        viewer = current_user(services)
        query = GalleryQuery.from_params(q, scope, tags, sort, color, year)
        if query.scope == 'mine' and viewer is None:
            return redirect_to_sign_in(request)
        with frame(
            services, viewer, search_text=query.text, live_search=True, next_path=here(request)
        ) as page:
            gallery = Gallery(services, viewer, query)
        page.search.on_value_change(lambda e: gallery.search(e.value))
        gallery.search_box = page.search
        await gallery.grid.reload()
        await gallery.years.update(query)
        gallery.ask_for_place()
        if undo and viewer is not None:  # just deleted on its image page: offer to undo
            undo_toast(
                services, session_id(), [undo], 'Image moved to the trash',
                after_undo=gallery.grid.reload,
            )  # fmt: skip
        return None
