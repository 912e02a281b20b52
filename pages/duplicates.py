"""Duplicates: the owner's groups of images that look like the same picture, to keep the best.

Each group shows its images side by side, whole (not cropped) and large enough to compare,
with size, dimensions and date; the best one (most pixels, then most bytes, then oldest: the
services' order) is marked. The owner ticks the ones to go (or lets "select all but the best"
do it) and deletes them in one go, after a confirmation that shows, group by group, the
pictures that go beside the ones that stay, then a summary. There is no trash yet, so the
confirmation says it is for good. Only the owner's own images are ever grouped.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import run, ui

from pages import markup
from pages.bulk import delete as delete_images
from pages.layout import frame
from pages.markup import plural
from pages.session import acting_user, current_user, here, redirect_to_sign_in, session_id
from pages.undo import deletion_note, undo_toast
from repo.container import Services
from repo.core.actor import Actor
from repo.core.errors import ShoeboxError
from repo.core.schemas import ImagePublic, UserPublic


def day(value: datetime | None) -> str:
    return value.strftime('%d %b %Y') if value else ''


def member_card(image: ImagePublic, best: bool) -> str:
    """The picture and its facts (escaped HTML; the checkbox is a separate element)."""
    badge = (
        '<span class="sb-best"><i class="material-icons" aria-hidden="true">star</i>'
        'Best copy</span>'
        if best
        else ''
    )
    lines = [
        f'{image.width:,} \u00d7 {image.height:,} px',
        f'{markup.file_size(image.size_bytes)} · {image.format} · {image.visibility.value}',
    ]
    if image.taken_at:
        lines.append(f'Taken {day(image.taken_at)}')
    lines.append(f'Added {day(image.created_at)}')
    facts = ''.join(f'<div>{markup.text(line)}</div>' for line in lines)
    # Whole, on a neutral ground (no dominant-colour placeholder): crops and edges must show.
    return (
        f'<a class="sb-dup-link" href="/images/{markup.text(image.id)}">'
        f'<img src="{markup.image_url(image.id)}" loading="lazy" decoding="async" '
        f'alt="{markup.text(image.title)}" width="{image.width}" height="{image.height}">'
        f'{badge}</a>'
        f'<div class="sb-dup-facts"><div class="sb-dup-title">{markup.text(image.title)}</div>'
        f'{facts}</div>'
    )


class DuplicatesPage:
    def __init__(self, services: Services, user: UserPublic, session: str | None) -> None:
        self.services = services
        self.user = user
        self.session = session
        self.groups: list[list[ImagePublic]] = []
        self.checks: dict[str, ui.checkbox] = {}
        self.cards: dict[str, ui.element] = {}
        with ui.row().classes('w-full items-center gap-3'):
            ui.label('Duplicates').classes('text-2xl font-medium')
            ui.space()
            self.select_rest = (
                ui.button('Select all but the best', icon='done_all', on_click=self.pick_rest)
                .props('outline no-caps')
                .mark('select-rest')
            )
        self.intro = ui.label(
            'Images of yours that look like the same picture: copies at another size or '
            'quality, crops, small edits. Keep the best and delete the rest.'
        ).classes('opacity-80 max-w-3xl')
        self.body = ui.column().classes('w-full gap-4 pb-20').mark('duplicate-groups')
        with ui.page_sticky('bottom', y_offset=16).classes('z-10'):
            self.bar = ui.card().classes('q-pa-sm shadow-6').mark('duplicates-bar')
            with self.bar, ui.row().classes('items-center gap-2 no-wrap'):
                ui.button(icon='close', on_click=self.clear).props(
                    'flat round dense aria-label="Clear selection"'
                )
                self.count = ui.label().classes('font-medium whitespace-nowrap px-1')
                ui.button('Delete', icon='delete', on_click=self.delete).props(
                    'unelevated no-caps color=negative'
                ).mark('delete-duplicates')
        self.bar.visible = False

    async def load(self) -> None:
        try:
            groups = await run.io_bound(self.services.finding.duplicates, Actor.of(self.user))
        except ShoeboxError as exc:
            ui.notify(exc.message, type='negative')
            return
        if groups is None:
            return  # shutting down
        self.groups = groups
        self.render()

    def render(self) -> None:
        self.body.clear()
        self.checks, self.cards = {}, {}
        self.select_rest.visible = bool(self.groups)
        self.intro.visible = bool(self.groups)
        with self.body:
            if not self.groups:
                self._empty()
            else:
                extra = sum(len(g) - 1 for g in self.groups)
                copies = plural(extra, 'extra copy', 'extra copies')
                ui.label(f'{plural(len(self.groups), "group")} · {copies}').classes(
                    'font-medium'
                ).mark('duplicate-summary')
                for n, group in enumerate(self.groups, 1):
                    self._group(n, group)
        self._selection_changed()

    def _group(self, n: int, group: list[ImagePublic]) -> None:
        with ui.card().classes('w-full gap-2').props('flat bordered').mark('duplicate-group'):
            with ui.row().classes('w-full items-center gap-2'):
                ui.label(f'Group {n} · {plural(len(group), "image")}').classes('font-medium')
                ui.space()
                ui.button('Select the rest', on_click=lambda _, g=group: self.pick_rest(g)).props(
                    'flat dense no-caps'
                )
            with ui.element('div').classes('sb-dup-row'):
                for i, image in enumerate(group):
                    best = i == 0
                    card = ui.element('div').classes('sb-dup')
                    if best:
                        card.classes('sb-dup-best')
                    self.cards[image.id] = card
                    with card:
                        ui.html(member_card(image, best), sanitize=False)
                        check = (
                            ui.checkbox('Delete', on_change=self._selection_changed)
                            .props('dense color=negative')
                            .mark('duplicate-check')
                        )
                        check.props['aria-label'] = f'Delete “{image.title}”'
                        self.checks[image.id] = check

    def _empty(self) -> None:
        with ui.column().classes('w-full items-center text-center gap-2 py-16').mark('empty-state'):
            ui.icon('task_alt', size='64px').classes('opacity-50')
            ui.label('No duplicates').classes('text-lg font-medium')
            ui.label(
                'None of your images look like another one of yours. When you upload a copy of '
                'a picture you already have, it will show up here.'
            ).classes('opacity-70 max-w-md')
            ui.button('Back to my images', on_click=lambda: ui.navigate.to('/?scope=mine')).props(
                'outline no-caps'
            )

    # ---- selection and delete ---------------------------------------------------------------

    def selected(self) -> list[str]:
        return [image_id for image_id, check in self.checks.items() if check.value]

    def pick_rest(self, group: list[ImagePublic] | None = None) -> None:
        groups = [group] if group else self.groups
        for g in groups:
            for i, image in enumerate(g):
                check = self.checks.get(image.id)
                if check is not None:
                    check.value = i > 0
        self._selection_changed()

    def clear(self) -> None:
        for check in self.checks.values():
            check.value = False
        self._selection_changed()

    def _selection_changed(self) -> None:
        for image_id, check in self.checks.items():
            if check.value:
                self.cards[image_id].classes(add='sb-dup-doomed')
            else:
                self.cards[image_id].classes(remove='sb-dup-doomed')
        n = len(self.selected())
        self.bar.visible = n > 0
        self.count.text = f'{plural(n, "image")} selected'

    async def delete(self) -> None:
        ids = self.selected()
        if not ids:
            return
        if not await self.confirm_delete(ids):
            return
        user = acting_user(self.services, self.session)
        if user is None:
            return
        outcome = await run.io_bound(delete_images, self.services, Actor.of(user), ids)
        if outcome is None:
            return
        kind = 'positive' if not outcome.problems else 'warning'
        ui.notify(outcome.summary('Deleted'), type=kind, multi_line=True)
        await self.load()
        if outcome.done:
            undo_toast(
                self.services, self.session, ids, f'{plural(outcome.done, "image")} deleted',
                after_undo=self.load,
            )  # fmt: skip

    async def confirm_delete(self, ids: list[str]) -> bool:
        """Ask with the pictures in view: per group, what goes and what stays."""
        doomed = set(ids)
        touched = [g for g in self.groups if any(i.id in doomed for i in g)]
        whole = [g for g in touched if all(i.id in doomed for i in g)]
        with (
            ui.dialog() as dialog,
            ui.card().classes('w-full max-w-4xl gap-3').mark('confirm'),
        ):
            ui.label(f'Delete {plural(len(ids), "image")}?').classes('text-lg font-medium')
            ui.label(deletion_note(self.services)).classes('opacity-80')
            if whole:
                ui.label(f'{plural(len(whole), "group")} would lose every copy.').classes(
                    'text-negative font-medium'
                ).mark('loses-every-copy')
            with ui.scroll_area().classes('w-full max-h-[60vh]'):
                for group in touched:
                    ui.html(confirm_row(group, doomed), sanitize=False).classes('w-full')
            with ui.row().classes('w-full justify-end gap-2'):
                ui.button('Cancel', on_click=lambda: dialog.submit(False)).props('flat no-caps')
                ui.button(
                    f'Delete {plural(len(ids), "image")}', on_click=lambda: dialog.submit(True)
                ).props('no-caps unelevated color=negative').mark('confirm-ok')
        result = await dialog
        dialog.delete()
        return result is True


def confirm_row(group: list[ImagePublic], doomed: set[str]) -> str:
    """One group in the confirmation: every member, each marked as kept or deleted."""
    cells = []
    for image in group:
        gone = image.id in doomed
        label = 'Delete' if gone else 'Keep'
        cells.append(
            f'<figure class="sb-confirm-pic{" sb-confirm-gone" if gone else ""}">'
            f'<img src="{markup.image_url(image.id)}" alt="{markup.text(image.title)}" '
            f'loading="lazy" decoding="async">'
            f'<figcaption><b>{label}</b> · {markup.text(image.title)}<br>'
            f'{image.width:,} \u00d7 {image.height:,} px · '
            f'{markup.text(markup.file_size(image.size_bytes))}</figcaption></figure>'
        )
    return f'<div class="sb-confirm-row">{"".join(cells)}</div>'


def create(services: Services) -> None:
    @ui.page('/duplicates')
    async def duplicates_page(request: Request) -> RedirectResponse | None:
        user = current_user(services)
        if user is None:
            return redirect_to_sign_in(request)
        with frame(services, user, title='Duplicates', next_path=here(request)):
            page = DuplicatesPage(services, user, session_id())
        await page.load()
        return None
