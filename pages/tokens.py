"""Personal API tokens on the account page: create (shown once), list, revoke."""

from __future__ import annotations

from datetime import UTC, datetime

from nicegui import run, ui

from pages import local_time
from pages.dialogs import confirm
from pages.session import acting_user
from repo.container import Services
from repo.core.actor import Actor
from repo.core.errors import ShoeboxError
from repo.core.schemas import TokenPublic
from repo.core.scopes import scopes_for

DAY = 24 * 3600
EXPIRY = {0: 'Never', DAY: 'In a day', 30 * DAY: 'In 30 days', 365 * DAY: 'In a year'}
SCOPE_LABELS = {
    'images:read': 'see images',
    'images:write': 'upload and edit',
    'images:delete': 'delete images',
    'shares:write': 'share',
    'shop': 'use the shop',
    'admin': 'administer',
}


class TokensSection:
    def __init__(self, services: Services, session: str | None) -> None:
        self.services = services
        self.session = session
        user = services.signin.session_user(session)
        allowed = scopes_for(bool(user and user.is_admin))
        ui.label('API tokens').classes('text-lg font-medium')
        ui.label(
            'For the command line and scripts: send it as "Authorization: Bearer <token>". '
            'A token acts as you, within what you let it do, until you revoke it.'
        ).classes('text-sm opacity-70')
        with ui.row().classes('w-full items-start gap-2'):
            self.name = (
                ui.input('Token name', placeholder='laptop backup script')
                .props('outlined dense maxlength=100')
                .classes('grow min-w-[200px]')
                .mark('token-name')
            )
            self.expiry = (
                ui.select(EXPIRY, value=0, label='Expires')
                .props('outlined dense options-dense')
                .classes('min-w-[140px]')
                .mark('token-expiry')
            )
            ui.button('Create token', icon='key', on_click=self.create).props(
                'unelevated no-caps'
            ).mark('create-token')
        with ui.row().classes('w-full items-center gap-x-3 gap-y-0').mark('token-scopes'):
            ui.label('It may:').classes('text-sm opacity-70')
            self.scopes = {
                scope: ui.checkbox(SCOPE_LABELS[scope], value=True)
                .props('dense')
                .mark(f'scope-{scope}')
                for scope in allowed
            }
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
        used = 'Last used: never'
        if token.last_used_at:
            used = f'Last used: {local_time.when(token.last_used_at)}'
        if token.expires_at is None:
            expiry = 'never expires'
        elif token.expires_at <= datetime.now(UTC):
            expiry = f'expired {local_time.when(token.expires_at)}'
        else:
            expiry = f'expires {local_time.when(token.expires_at)}'
        may = ', '.join(SCOPE_LABELS[s] for s in token.scopes) or 'nothing'
        with ui.item().mark('token'):
            with ui.item_section():
                ui.item_label(token.name).classes('font-medium')
                ui.item_label(f'May: {may}').props('caption').mark('token-may')
                created = local_time.when(token.created_at)
                ui.item_label(f'Created {created} · {expiry}').props('caption')
                ui.item_label(used).props('caption').mark('token-used')
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
                lambda: self.services.signin.create_token(
                    Actor.of(user),
                    self.name.value or '',
                    scopes=[s for s, box in self.scopes.items() if box.value],
                    expires_in=self.expiry.value or None,
                )
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
