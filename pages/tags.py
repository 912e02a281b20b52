"""Tags: every tag on an image the viewer may see, with how many such images carry it.

Ordered by count or by name (kept in the URL: ?sort=name), filtered by a prefix as you type;
each tag leads to the gallery filtered by it. The Services counts only what the viewer may see,
so someone else's private tag never shows, not even as a name.
"""

from __future__ import annotations

from fastapi import Request
from nicegui import run, ui

from pages import markup
from pages.gallery_query import GalleryQuery
from pages.layout import frame
from pages.markup import plural
from pages.session import current_user, here, sign_in_url
from repo.container import Services
from repo.core.actor import Actor
from repo.core.errors import ShoeboxError
from repo.core.schemas import TagCount, UserPublic

SORTS = {'count': 'Most used', 'name': 'A to Z'}
LIMIT = 1000


def tag_links(tags: list[TagCount]) -> str:
    """One link per tag with its count (escaped HTML: one block however many tags)."""
    return ''.join(
        f'<a class="sb-tag-link" href="{markup.text(GalleryQuery(tags=(t.name,)).url())}">'
        f'<span class="sb-tag-name">{markup.text(t.name)}</span>'
        f'<span class="sb-tag-count" aria-label="{plural(t.count, "image")}">{t.count:,}</span>'
        '</a>'
        for t in tags
    )


class TagsPage:
    def __init__(self, services: Services, viewer: UserPublic | None, sort: str) -> None:
        self.services = services
        self.viewer = viewer
        self.sort = sort
        self.generation = 0
        with ui.row().classes('w-full items-center gap-3'):
            ui.label('Tags').classes('text-2xl font-medium')
            self.count = ui.label().classes('opacity-70').mark('tag-count')
            ui.space()
            self.filter = (
                ui.input(placeholder='Filter tags')
                .props(
                    'dense outlined clearable debounce=200 maxlength=50 aria-label="Filter tags"'
                )
                .classes('w-48')
                .mark('tag-filter-input')
            )
            with self.filter.add_slot('prepend'):
                ui.icon('filter_list')
            self.filter.on_value_change(self.load)
            self.sort_toggle = (
                ui.toggle(SORTS, value=sort, on_change=self._sort_changed)
                .props('no-caps dense unelevated toggle-color=primary')
                .mark('tag-sort')
            )
        self.body = ui.column().classes('w-full')

    async def _sort_changed(self) -> None:
        self.sort = self.sort_toggle.value or 'count'
        ui.navigate.history.replace('/tags' + ('?sort=name' if self.sort == 'name' else ''))
        await self.load()

    async def load(self) -> None:
        self.generation += 1
        generation = self.generation
        prefix = (self.filter.value or '').strip()
        try:
            tags = await run.io_bound(
                self.services.finding.tags,
                Actor.of(self.viewer),
                sort=self.sort,
                prefix=prefix or None,
                limit=LIMIT,
            )
        except ShoeboxError as exc:
            ui.notify(exc.message, type='negative')
            return
        if tags is None or generation != self.generation:
            return
        self.count.text = plural(len(tags), 'tag') + (
            ' (the first 1,000)' if len(tags) >= LIMIT else ''
        )
        self.body.clear()
        with self.body:
            if tags:
                ui.html(
                    f'<nav class="sb-tag-cloud" aria-label="Tags">{tag_links(tags)}</nav>',
                    sanitize=False,
                ).classes('w-full').mark('tag-list')
            elif prefix:
                with ui.column().classes('w-full items-center text-center gap-2 py-12'):
                    ui.icon('search_off', size='48px').classes('opacity-50')
                    ui.label(f'No tags start with “{prefix}”').classes('text-lg font-medium')
            else:
                self._empty()

    def _empty(self) -> None:
        with ui.column().classes('w-full items-center text-center gap-2 py-16').mark('empty-state'):
            ui.icon('sell', size='64px').classes('opacity-50')
            ui.label('No tags yet').classes('text-lg font-medium')
            if self.viewer is not None:
                ui.label(
                    'Tags appear here once images carry them: add some when you upload, or on an '
                    "image's page."
                ).classes('opacity-70 max-w-md')
                ui.button(
                    'Upload images', icon='cloud_upload', on_click=lambda: ui.navigate.to('/upload')
                ).props('unelevated no-caps')
            else:
                ui.label('Nothing shared carries a tag yet. Sign in to see your own.').classes(
                    'opacity-70'
                )
                ui.button('Sign in', on_click=lambda: ui.navigate.to(sign_in_url('/tags'))).props(
                    'outline no-caps'
                )


def create(services: Services) -> None:
    @ui.page('/tags')
    async def tags_page(request: Request, sort: str = 'count') -> None:
        viewer = current_user(services)
        with frame(services, viewer, title='Tags', next_path=here(request)):
            page = TagsPage(services, viewer, sort if sort in SORTS else 'count')
        await page.load()
