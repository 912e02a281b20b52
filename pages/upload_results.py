"""The upload page's result list, drawn from the browser's upload log (pages/upload_log.py).

A summary with counts, a filter by outcome, and one page of rows at a time (the newest batch
first), so a thousand results cost what fifty do. Rows are kept by file key between refreshes:
a refresh adds the new rows and drops the ones that left the page, it never rebuilds the rest.
Each row is one block of escaped HTML (plus a link element where a test or a click needs one):
every update NiceGUI sends makes the browser re-render the page's elements, so few is cheap.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from nicegui import ui

from pages import markup
from pages.upload_log import Entry, UploadLog

PAGE_SIZE = 50
LABELS = {  # outcome -> (one, many), in the summary's order
    'added': ('added', 'added'),
    'duplicate': ('duplicate', 'duplicates'),
    'refused': ('refused', 'refused'),
    'skipped': ('skipped', 'skipped'),
}
FILTER_NAMES = {'refused': 'Refused', 'skipped': 'Skipped', 'duplicate': 'Duplicates'}
ICONS = {
    'duplicate': ('content_copy', 'text-warning'),
    'refused': ('block', 'text-negative'),
    'skipped': ('remove_circle_outline', 'text-grey-7'),
}


def summary_text(counts: dict[str, int]) -> str:
    return ' · '.join(
        f'{counts[k]:,} {one if counts[k] == 1 else many}'
        for k, (one, many) in LABELS.items()
        if counts.get(k)
    )


def detail_text(entry: Entry) -> tuple[str, str]:
    """The line under the name, and its colour class."""
    if entry.status == 'added':
        size = f'{entry.width:,} \u00d7 {entry.height:,}'
        return f'Added · {size} · {entry.visibility}', 'text-positive'
    if entry.status == 'duplicate':
        return 'Duplicate: you already have this image', 'text-warning'
    if entry.status == 'refused':
        return f'Refused: {entry.detail}', 'text-negative'
    return f'Skipped: {entry.detail}', 'opacity-70'


def row_html(entry: Entry) -> str:
    """A row's picture, name and detail (and Open) as one block of escaped markup: a page of
    rows is then a few dozen elements for the browser to re-render, not hundreds."""
    if entry.status == 'added':
        src = markup.text(markup.image_url(entry.image_id))
        avatar = f'<img class="sb-result-thumb" src="{src}" alt="" loading="lazy">'
    else:
        icon, color = ICONS[entry.status]
        avatar = (
            f'<i class="q-icon notranslate material-icons {color}" aria-hidden="true" '
            f'style="font-size: 32px">{icon}</i>'
        )
    detail, color = detail_text(entry)
    side = ''
    if entry.status == 'added':
        href = markup.text(f'/images/{entry.image_id}')
        side = f'<div class="sb-result-side"><a class="sb-row-link" href="{href}">Open</a></div>'
    return (
        f'<div class="sb-result-avatar">{avatar}</div>'
        f'<div class="sb-result-name">{markup.text(entry.name)}</div>'
        f'<div class="sb-result-detail {color}">{markup.text(detail)}</div>{side}'
    )


def _row(entry: Entry) -> ui.element:
    with ui.element('div').classes('sb-result') as row:
        ui.html(row_html(entry), sanitize=False).classes('sb-contents')
        if entry.status == 'duplicate':
            ui.link('Open existing', f'/images/{entry.image_id}').classes(
                'sb-row-link sb-result-side'
            ).mark('open-existing')
        if entry.looks_like_id:
            with (
                ui.row()
                .classes('sb-result-looks items-center gap-1 text-orange-9')
                .mark('looks-like')
            ):
                ui.icon('content_copy', size='16px')
                ui.label('Looks like')
                ui.link(entry.looks_like_title, f'/images/{entry.looks_like_id}').classes(
                    'text-orange-9 font-medium break-all'
                ).mark('looks-like-link')
                ui.label('which you already have').classes('gt-xs')
    row.mark(f'result-{entry.status}')
    return row


class UploadResults:
    def __init__(self, log: Callable[[], UploadLog], on_clear: Callable[[], None]) -> None:
        self.log = log
        self.rows: dict[str, tuple[Entry, ui.element]] = {}
        self.shown_version = -1
        self.page = 1
        self.filter = 'all'
        self._refreshing = False  # set_value/set_options below call back into the handlers
        with ui.row().classes('w-full items-center gap-2') as self.head:
            self.summary = (
                ui.label().classes('font-medium sb-upload-summary').mark('upload-summary')
            )
            ui.space()
            self.filters = (
                ui.toggle({'all': 'All'}, value='all', on_change=self._filter_changed)
                .props('no-caps dense flat toggle-color=primary')
                .mark('upload-filter')
            )
            ui.button('Clear list', on_click=on_clear).props('flat dense no-caps').mark(
                'clear-results'
            )
        self.list = ui.element('div').classes('w-full').mark('upload-results')
        self.pager = (
            ui.pagination(1, 1, direction_links=True, on_change=self._page_changed)
            .props('max-pages=7 boundary-numbers')
            .classes('self-center')
            .mark('upload-pages')
        )
        self.refresh(force=True)

    def refresh(self, *, force: bool = False) -> None:
        """Show the log as it is now (cheap when nothing changed)."""
        log = self.log()
        if self._refreshing or (log.version == self.shown_version and not force):
            return
        self._refreshing = True
        try:
            self._refresh(log)
        finally:
            self._refreshing = False

    def _refresh(self, log: UploadLog) -> None:
        self.shown_version = log.version
        counts = log.counts()
        self.summary.text = summary_text(counts)
        self.head.visible = bool(log.entries)
        self._update_filters(counts)
        entries = log.by_batch(None if self.filter == 'all' else self.filter)
        pages = max(1, math.ceil(len(entries) / PAGE_SIZE))
        self.page = min(self.page, pages)
        self.pager.max = pages
        self.pager.visible = pages > 1
        if self.pager.value != self.page:
            self.pager.set_value(self.page)
        start = (self.page - 1) * PAGE_SIZE
        self._show(entries[start : start + PAGE_SIZE])

    def _update_filters(self, counts: dict[str, int]) -> None:
        options = {'all': 'All'}
        for key, name in FILTER_NAMES.items():
            if counts.get(key) or self.filter == key:
                options[key] = f'{name} ({counts.get(key, 0):,})'
        self.filters.visible = len(options) > 1
        if options != self.filters.options:
            self.filters.set_options(options, value=self.filter)

    def _show(self, entries: list[Entry]) -> None:
        wanted = {e.key: e for e in entries}
        for key, (entry, item) in list(self.rows.items()):
            if wanted.get(key) != entry:
                item.delete()
                del self.rows[key]
        with self.list:
            for entry in entries:
                if entry.key not in self.rows:
                    self.rows[entry.key] = (entry, _row(entry))
        order = [self.rows[e.key][1] for e in entries]
        if self.list.default_slot.children != order:
            self.list.default_slot.children[:] = order
            self.list.update()

    def _filter_changed(self) -> None:
        if self._refreshing:
            return
        self.filter = self.filters.value or 'all'
        self.page = 1
        self.refresh(force=True)

    def _page_changed(self) -> None:
        if self._refreshing:
            return
        self.page = int(self.pager.value or 1)
        self.refresh(force=True)
