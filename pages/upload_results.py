"""The per-file result list of the upload page: processing, then added / duplicate / refused."""

from __future__ import annotations

from collections import Counter

from nicegui import ui

from pages import markup
from repo.core.schemas import ImagePublic


class ResultRow:
    def __init__(self, results: UploadResults, filename: str) -> None:
        self.results = results
        self.filename = filename
        self.status = 'processing'
        with ui.item().classes('w-full rounded-borders').props('dense') as self.item:
            with ui.item_section().props('avatar'):
                self.avatar = ui.element('div').classes(
                    'w-14 h-14 flex items-center justify-center'
                )
                with self.avatar:
                    ui.spinner(size='md')
            with ui.item_section() as self.body:
                ui.item_label(filename).classes('font-medium break-all')
                self.detail = ui.item_label('Processing…').props('caption')
            self.side = ui.item_section().props('side')
        self.item.mark('result-processing')

    def _settle(self, status: str, icon: str, color: str) -> None:
        self.status = status
        self.item.mark(f'result-{status}')
        if status != 'added':
            self.avatar.clear()
            with self.avatar:
                ui.icon(icon, color=color, size='32px')
        self.results.changed()

    def added(self, image: ImagePublic, looks_like: ImagePublic | None = None) -> None:
        self.avatar.clear()
        with self.avatar:
            ui.html(
                f'<img class="sb-result-thumb" src="{markup.image_url(image.id)}" '
                f'alt="{markup.text(image.title)}" loading="lazy">',
                sanitize=False,
            )
        self.detail.text = (
            f'Added · {image.width:,} \u00d7 {image.height:,} · {image.visibility.value}'
        )
        self.detail.classes('text-positive')
        if looks_like is not None:
            with (
                self.body,
                ui.item_label().props('caption').classes('text-orange-9'),
                ui.row().classes('items-center gap-1').mark('looks-like'),
            ):
                ui.icon('content_copy', size='16px')
                ui.label('Looks like')
                ui.link(looks_like.title, f'/images/{looks_like.id}').classes(
                    'text-orange-9 font-medium break-all'
                ).mark('looks-like-link')
                ui.label('which you already have').classes('gt-xs')
        with self.side:
            ui.button('Open', on_click=lambda: ui.navigate.to(f'/images/{image.id}')).props(
                'flat dense no-caps'
            )
        self._settle('added', 'check_circle', 'positive')

    def duplicate(self, existing_id: str) -> None:
        self.detail.text = 'Duplicate: you already have this image'
        self.detail.classes('text-warning')
        with self.side:
            ui.button(
                'Open existing', on_click=lambda: ui.navigate.to(f'/images/{existing_id}')
            ).props('flat dense no-caps').mark('open-existing')
        self._settle('duplicate', 'content_copy', 'warning')

    def refused(self, reason: str) -> None:
        self.detail.text = f'Refused: {reason}'
        self.detail.classes('text-negative')
        self._settle('refused', 'block', 'negative')


class UploadResults:
    """Newest first; a one-line summary of the batch above the rows."""

    def __init__(self) -> None:
        self.rows: list[ResultRow] = []
        with ui.row().classes('w-full items-center gap-2'):
            self.summary = ui.label().classes('font-medium').mark('upload-summary')
            ui.space()
            self.clear_button = ui.button('Clear list', on_click=self.clear).props(
                'flat dense no-caps'
            )
        self.list = ui.list().props('separator').classes('w-full').mark('upload-results')
        self.changed()

    def add(self, filename: str) -> ResultRow:
        with self.list:
            row = ResultRow(self, filename)
        row.item.move(self.list, target_index=0)
        self.rows.append(row)
        self.changed()
        return row

    def clear(self) -> None:
        self.rows = [r for r in self.rows if r.status == 'processing']
        for child in list(self.list.default_slot.children):
            if not any(child is r.item for r in self.rows):
                child.delete()
        self.changed()

    def changed(self) -> None:
        counts = Counter(r.status for r in self.rows)
        parts = [
            f'{counts[k]} {label}'
            for k, label in (
                ('processing', 'processing'),
                ('added', 'added'),
                ('duplicate', 'duplicate' if counts['duplicate'] == 1 else 'duplicates'),
                ('refused', 'refused'),
            )
            if counts[k]
        ]
        self.summary.text = ' · '.join(parts)
        self.summary.visible = bool(parts)
        self.clear_button.visible = any(r.status != 'processing' for r in self.rows)
