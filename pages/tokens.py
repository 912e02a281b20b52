"""Personal API tokens on the account page: create (shown once), list, revoke."""

from __future__ import annotations

from nicegui import run, ui

from pages import markup
from pages.dialogs import confirm
from pages.session import acting_user
from repo.container import Services
from repo.core.actor import Actor
from repo.core.errors import ShoeboxError
from repo.core.schemas import TokenPublic


class TokensSection:
    def __init__(self, services: Services, session: str | None) -> None:
        self.services = services
        self.session = session
        ui.label('API tokens').classes('text-lg font-medium')
        ui.label(
            'For the command line and scripts: send it as "Authorization: Bearer <token>". '
            'A token acts as you until you revoke it.'
        ).classes('text-sm opacity-70')
        with ui.row().classes('w-full items-start gap-2'):
            self.name = (
                ui.input('Token name', placeholder='laptop backup script')
                .props('outlined dense maxlength=100')
                .classes('grow min-w-[200px]')
                .mark('token-name')
            )
            ui.button('Create token', icon='key', on_click=self.create).props(
                'unelevated no-caps'
            ).mark('create-token')
        self.name.on('keydown.enter', self.create)
        self.list = ui.list().props('bordered separator').classes('w-full rounded-borders')
        self.list.mark('token-list')
        self.refresh()

    def refresh(self) -> None:
        user = self.services.signin.session_user(self.session)
        tokens = self.services.signin.list_tokens(Actor.of(user)) if user else []
        self.list.clear()
        with self.list:
            if not tokens:
                with ui.item():
                    ui.item_label('No tokens yet.').classes('opacity-70')
            for token in tokens:
                self._row(token)

    def _row(self, token: TokenPublic) -> None:
        used = markup.when(token.last_used_at) if token.last_used_at else 'never used'
        with ui.item().mark('token'):
            with ui.item_section():
                ui.item_label(token.name).classes('font-medium')
                ui.item_label(f'Created {markup.when(token.created_at)} · {used}').props('caption')
            with ui.item_section().props('side'):
                ui.button('Revoke', on_click=lambda t=token: self.revoke(t)).props(
                    'flat dense no-caps color=negative'
                ).mark('revoke')

    async def create(self) -> None:
        user = acting_user(self.services, self.session)
        if user is None:
            return
        try:
            created = await run.io_bound(
                self.services.signin.create_token, Actor.of(user), self.name.value or ''
            )
        except ShoeboxError as exc:
            self.name.error = exc.message
            return
        if created is None:
            return  # the app is shutting down
        secret, token = created
        self.name.error = None
        self.name.value = ''
        self.refresh()
        with ui.dialog() as dialog, ui.card().classes('w-[560px] max-w-full').mark('new-token'):
            ui.label(f'Token “{token.name}” created').classes('text-lg font-medium')
            ui.label('Copy it now: it is shown only once.').classes('text-orange-10')
            value = (
                ui.input(value=secret)
                .props('outlined readonly dense')
                .classes('w-full font-mono')
                .mark('token-value')
            )
            with ui.row().classes('w-full justify-end gap-2'):
                ui.button(
                    'Copy',
                    icon='content_copy',
                    on_click=lambda: ui.clipboard.write(value.value or ''),
                ).props('flat no-caps')
                ui.button('Done', on_click=dialog.close).props('unelevated no-caps')
        dialog.on('hide', dialog.delete)
        dialog.open()

    async def revoke(self, token: TokenPublic) -> None:
        if not await confirm(
            f'Revoke “{token.name}”?',
            'Scripts using this token stop working at once.',
            'Revoke',
            danger=True,
        ):
            return
        user = acting_user(self.services, self.session)
        if user is None:
            return
        try:
            await run.io_bound(self.services.signin.revoke_token, Actor.of(user), token.id)
        except ShoeboxError as exc:
            ui.notify(exc.message, type='negative')
        else:
            ui.notify('Token revoked', type='positive')
        self.refresh()
