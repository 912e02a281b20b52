"""The account page: profile, change password, API tokens, export, delete the account."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import run, ui

from pages import local_time, markup
from pages.account_export import ExportSection
from pages.layout import frame
from pages.password_meter import StrengthMeter
from pages.session import (
    acting_user,
    current_user,
    end_session,
    here,
    redirect_to_sign_in,
    session_id,
)
from pages.session_rotation import SessionRotation
from pages.tokens import TokensSection
from pages.usage_bar import account_usage
from repo.container import Services
from repo.core.actor import Actor
from repo.core.errors import InvalidCredentials, ShoeboxError
from repo.core.schemas import UserPublic

CHANGED = 'password=changed'  # the query the account page comes back with after a change


class PasswordSection:
    def __init__(
        self, services: Services, rotation: SessionRotation, user: UserPublic, session: str | None
    ) -> None:
        self.services = services
        self.rotation = rotation
        self.user = user
        self.session = session
        ui.label('Change password').classes('text-lg font-medium')
        ui.label('Your other signed-in browsers will be signed out.').classes('text-sm opacity-70')
        self.current = (
            ui.input('Current password', password=True)
            .props('outlined autocomplete=current-password')
            .classes('w-full')
            .mark('current-password')
        )
        self.new = (
            ui.input('New password', password=True, password_toggle_button=True)
            .props('outlined autocomplete=new-password debounce=250')
            .classes('w-full')
            .mark('new-password')
        )
        StrengthMeter(self.new, lambda: [user.username, user.display_name, user.email or ''])
        self.confirm = (
            ui.input('Confirm new password', password=True)
            .props('outlined autocomplete=new-password')
            .classes('w-full')
            .mark('confirm-password')
        )
        self.confirm.on('keydown.enter', self.submit)
        ui.button('Change password', on_click=self.submit).props('unelevated no-caps').mark(
            'change-password'
        )

    async def submit(self) -> None:
        if (self.new.value or '') != (self.confirm.value or ''):
            self.confirm.error = 'The two passwords do not match'
            return
        user = acting_user(self.services, self.session)
        if user is None:
            return
        try:
            await run.io_bound(
                self.services.accounts.change_password,
                Actor.of(user),
                self.current.value or '',
                self.new.value or '',
                keep_session=self.session,
            )
        except InvalidCredentials as exc:
            self.current.error = exc.message
            return
        except ShoeboxError as exc:
            self.new.error = exc.message
            return
        for f in (self.current, self.new, self.confirm):
            f.value = ''
            f.error = None
        # A new login session under a new cookie for this browser; the current one ends.
        self.rotation.hand_off(user.id, f'/account?{CHANGED}')


class DeleteSection:
    def __init__(self, services: Services, user: UserPublic, session: str | None) -> None:
        self.services = services
        self.user = user
        self.session = session
        ui.label('Delete account').classes('text-lg font-medium text-negative')
        ui.label('Your account, all your images and your API tokens are removed for good.').classes(
            'text-sm opacity-70'
        )
        ui.button('Delete my account…', icon='delete_forever', on_click=self.ask).props(
            'outline no-caps color=negative'
        ).mark('delete-account')

    async def ask(self) -> None:
        mine = await run.io_bound(
            self.services.images.list, Actor.of(self.user), owner=self.user.username, limit=1
        )
        count = mine.total if mine is not None else 0
        with ui.dialog() as dialog, ui.card().classes('max-w-md gap-3').mark('confirm-delete'):
            ui.label('Delete your account?').classes('text-lg font-medium')
            ui.label(
                f'This deletes @{self.user.username} and {markup.plural(count, "image")}. '
                'It cannot be undone.'
            )
            typed = (
                ui.input(f'Type {self.user.username} to confirm')
                .props('outlined autofocus')
                .classes('w-full')
                .mark('confirm-username')
            )
            with ui.row().classes('w-full justify-end gap-2'):
                ui.button('Cancel', on_click=lambda: dialog.submit(False)).props('flat no-caps')
                go = (
                    ui.button('Delete account', on_click=lambda: dialog.submit(True))
                    .props('unelevated no-caps color=negative')
                    .mark('confirm-delete-account')
                )
                go.bind_enabled_from(typed, 'value', lambda v: v == self.user.username)
        confirmed = await dialog
        dialog.delete()
        if confirmed is not True or typed.value != self.user.username:
            return
        user = acting_user(self.services, self.session)
        if user is None:
            return
        try:
            deleted = await run.io_bound(
                self.services.accounts.delete_user, Actor.of(user), user.id
            )
        except ShoeboxError as exc:
            ui.notify(exc.message, type='negative')
            return
        end_session(self.services, self.session)
        ui.navigate.to(f'/goodbye?images={deleted or 0}')


def create(services: Services, rotation: SessionRotation) -> None:
    @ui.page('/account')
    async def account(request: Request, password: str = '') -> RedirectResponse | None:
        user = current_user(services)
        if user is None:
            return redirect_to_sign_in(request)
        await rotation.fresh_browser_id(request, keep_login=True)  # pages/session_rotation.py
        session = session_id()
        if f'password={password}' == CHANGED:
            ui.notify('Password changed. Other sessions were signed out.', type='positive')
        with (
            frame(services, user, title='Account', next_path=here(request)),
            ui.column().classes('w-full max-w-2xl mx-auto gap-4'),
        ):
            ui.label('Account').classes('text-2xl font-medium')
            with ui.card().classes('w-full gap-1').props('flat bordered').mark('profile'):
                ui.label(user.display_name).classes('text-lg font-medium')
                ui.label(f'@{user.username}').classes('opacity-70')
                if user.email:
                    ui.label(user.email).classes('opacity-70')
                ui.label(f'Member since {local_time.when(user.created_at)}').classes(
                    'text-sm opacity-70'
                )
            with ui.card().classes('w-full gap-2').props('flat bordered').mark('usage'):
                account_usage(services, user)
            with ui.card().classes('w-full gap-3').props('flat bordered'):
                PasswordSection(services, rotation, user, session)
            with ui.card().classes('w-full gap-3').props('flat bordered'):
                TokensSection(services, session)
            with ui.card().classes('w-full gap-3').props('flat bordered').mark('export-card'):
                ExportSection(services, user)
            with ui.card().classes('w-full gap-3').props('flat bordered'):
                DeleteSection(services, user, session)
        return None

    @ui.page('/goodbye')
    def goodbye(images: int = 0) -> None:
        with (
            frame(services, current_user(services), title='Account deleted'),
            ui.column().classes('w-full items-center text-center gap-3 py-20').mark('goodbye'),
        ):
            ui.icon('waving_hand', size='56px').classes('opacity-60')
            ui.label('Your account has been deleted').classes('text-2xl font-medium')
            ui.label(f'{markup.plural(max(images, 0), "image")} went with it.').classes(
                'opacity-70'
            )
            ui.button('Go to the gallery', on_click=lambda: ui.navigate.to('/')).props(
                'unelevated no-caps'
            )
