"""/shares: your share links, each with its label, expiry, views, a copy button and revoke."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import run, ui

from pages import markup
from pages.dialogs import confirm
from pages.layout import frame
from pages.session import acting_user, current_user, here, redirect_to_sign_in, session_id
from pages.share_dialog import copy, link_url
from repo.container import Services
from repo.core.actor import Actor
from repo.core.errors import ShoeboxError
from repo.core.schemas_sharing import SharePublic

EMPTY = 'No share links yet. Share images from an image page, the gallery selection or an album.'


class SharesPage:
    def __init__(self, services: Services, session: str | None) -> None:
        self.services = services
        self.session = session
        self.body = ui.column().classes('w-full gap-2').mark('shares')

    async def load(self) -> None:
        user = acting_user(self.services, self.session)
        if user is None:
            return
        shares = await run.io_bound(self.services.sharing.list, Actor.of(user))
        if shares is None:
            return
        self.body.clear()
        with self.body:
            if not shares:
                ui.label(EMPTY).classes('opacity-70').mark('no-shares')
            for share in shares:
                self.row(share)

    def row(self, share: SharePublic) -> None:
        url = link_url(self.services, share.path)
        card = ui.card().classes('w-full').props('flat bordered').mark('share-row')
        with card, ui.row().classes('w-full items-center gap-2'):
            with ui.column().classes('grow gap-0 min-w-0'):
                ui.label(share.label or 'No label').classes('font-medium truncate')
                what = (
                    'an album' if share.album_id else markup.plural(len(share.image_ids), 'image')
                )
                bits = [what, markup.plural(share.views, 'view')]
                bits.append(
                    f'expires {markup.when(share.expires_at)}'
                    if share.expires_at
                    else 'never expires'
                )
                if share.has_password:
                    bits.append('password')
                if share.allow_download:
                    bits.append('downloads allowed')
                ui.label(' · '.join(bits)).classes('text-sm opacity-70')
            ui.button('Copy link', icon='content_copy', on_click=lambda u=url: copy(u)).props(
                'outline no-caps dense'
            ).mark('copy-link')
            ui.button(icon='open_in_new', on_click=lambda u=url: ui.navigate.to(u, True)).props(
                'flat round dense aria-label="Open the link"'
            )
            ui.button('Revoke', on_click=lambda s=share: self.revoke(s)).props(
                'flat no-caps dense color=negative'
            ).mark('revoke')

    async def revoke(self, share: SharePublic) -> None:
        if not await confirm(
            'Revoke this link?', 'It stops working at once for everybody who has it.', 'Revoke',
            danger=True,
        ):  # fmt: skip
            return
        user = acting_user(self.services, self.session)
        if user is None:
            return
        try:
            await run.io_bound(self.services.sharing.revoke, Actor.of(user), share.id)
        except ShoeboxError as exc:
            ui.notify(exc.message, type='negative')
        else:
            ui.notify('Link revoked', type='positive')
        await self.load()


def create(services: Services) -> None:
    @ui.page('/shares')
    async def shares_page(request: Request) -> RedirectResponse | None:
        user = current_user(services)
        if user is None:
            return redirect_to_sign_in(request)
        with frame(services, user, title='Share links', next_path=here(request)):
            ui.label('Share links').classes('text-2xl font-medium')
            page = SharesPage(services, session_id())
        await page.load()
        return None
