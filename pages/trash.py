"""/trash: your deleted images, to restore or delete for good; when each goes by itself."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import run, ui

from pages import markup
from pages.dialogs import confirm
from pages.layout import frame
from pages.session import acting_user, current_user, here, redirect_to_sign_in, session_id
from repo.container import Services
from repo.core.actor import Actor
from repo.core.errors import ShoeboxError
from repo.core.schemas_sharing import TrashedPublic


def tile(item: TrashedPublic) -> str:
    image = item.image
    bg = markup.safe_color(image.colors[0] if image.colors else None)
    return (
        f'<div class="sb-tile sb-trash-tile" style="background:{bg}">'
        f'<img src="/api/v1/trash/{markup.text(image.id)}/thumbnail" loading="lazy" '
        f'alt="{markup.text(image.title)}" width="{image.width}" height="{image.height}">'
        f'<span class="sb-caption">{markup.text(image.title)}</span></div>'
    )


class TrashPage:
    def __init__(self, services: Services, session: str | None) -> None:
        self.services = services
        self.session = session
        days = services.trash.days()
        with ui.row().classes('w-full items-center gap-2'):
            ui.label('Trash').classes('text-2xl font-medium grow')
            self.restore_all = (
                ui.button(
                    'Restore all', icon='restore_from_trash', on_click=self.restore_everything
                )
                .props('outline no-caps')
                .mark('restore-all')
            )
            self.empty_button = (
                ui.button('Empty trash', icon='delete_forever', on_click=self.empty)
                .props('outline no-caps color=negative')
                .mark('empty-trash')
            )
        ui.label(
            f'Deleted images stay here for {markup.plural(days, "day")}, then they go for good.'
            if days > 0
            else 'The trash is off: deleted images go at once.'
        ).classes('text-sm opacity-70')
        self.body = ui.element('div').classes('sb-trash-grid w-full').mark('trash')
        self.items: list[TrashedPublic] = []

    async def load(self) -> None:
        user = acting_user(self.services, self.session)
        if user is None:
            return
        items = await run.io_bound(self.services.trash.list, Actor.of(user))
        if items is None:
            return
        self.items = items
        self.restore_all.visible = self.empty_button.visible = bool(items)
        self.body.clear()
        with self.body:
            if not items:
                ui.label('The trash is empty.').classes('opacity-70').mark('trash-empty')
            for item in items:
                with ui.column().classes('gap-1 sb-trash-item').mark('trash-item'):
                    ui.html(tile(item), sanitize=False).classes('w-full')
                    ui.label(f'Goes {markup.when(item.purge_at)}').classes('text-xs opacity-70')
                    with ui.row().classes('gap-1 no-wrap'):
                        ui.button(
                            'Restore', on_click=lambda i=item: self.restore([i.image.id])
                        ).props('flat dense no-caps').mark('restore')
                        ui.button(
                            'Delete', on_click=lambda i=item: self.delete_now([i.image.id])
                        ).props('flat dense no-caps color=negative').mark('delete-now')

    def _actor(self) -> Actor | None:
        user = acting_user(self.services, self.session)
        return Actor.of(user) if user is not None else None

    async def restore(self, ids: list[str]) -> None:
        actor = self._actor()
        if actor is None:
            return
        try:
            restored = await run.io_bound(self.services.trash.restore, actor, ids)
        except ShoeboxError as exc:
            ui.notify(exc.message, type='negative')
        else:
            ui.notify(f'Restored {markup.plural(len(restored or []), "image")}', type='positive')
        await self.load()

    async def restore_everything(self) -> None:
        await self.restore([i.image.id for i in self.items])

    async def delete_now(self, ids: list[str]) -> None:
        if not await confirm(
            'Delete for good?', 'The image and its files are removed. This cannot be undone.',
            'Delete', danger=True,
        ):  # fmt: skip
            return
        await self._purge(ids, everything=False)

    async def empty(self) -> None:
        n = len(self.items)
        if not await confirm(
            'Empty the trash?', f'{markup.plural(n, "image")} and their files are removed for '
            'good. This cannot be undone.', 'Empty trash', danger=True,
        ):  # fmt: skip
            return
        await self._purge(None, everything=True)

    async def _purge(self, ids: list[str] | None, *, everything: bool) -> None:
        actor = self._actor()
        if actor is None:
            return
        try:
            count = await run.io_bound(
                lambda: self.services.trash.empty(actor, ids, everything=everything)
            )
        except ShoeboxError as exc:
            ui.notify(exc.message, type='negative')
        else:
            ui.notify(f'Deleted {markup.plural(count or 0, "image")} for good', type='positive')
        await self.load()


def create(services: Services) -> None:
    @ui.page('/trash')
    async def trash_page(request: Request) -> RedirectResponse | None:
        user = current_user(services)
        if user is None:
            return redirect_to_sign_in(request)
        with frame(services, user, title='Trash', next_path=here(request)):
            page = TrashPage(services, session_id())
        await page.load()
        return None
