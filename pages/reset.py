"""/reset/{token}: set a new password through a one-time link (from an administrator, or after
signing in with a password that must be changed). Every session and token of the account ends.

The token is in the URL (the link's contract); this page keeps it out of referrers and never
logs it.
"""

from __future__ import annotations

from nicegui import run, ui

from pages.layout import frame
from pages.password_meter import StrengthMeter
from repo.container import Services
from repo.core.errors import ShoeboxError
from repo.core.schemas import UserPublic

NO_REFERRER = '<meta name="referrer" content="no-referrer">'


class ResetForm:
    def __init__(self, services: Services, token: str, user: UserPublic) -> None:
        self.services = services
        self.token = token
        self.user = user
        ui.label('Choose a new password').classes('text-2xl font-medium')
        ui.label(f'For @{user.username}. You will be signed out everywhere.').classes(
            'text-sm opacity-70'
        )
        self.new = (
            ui.input('New password', password=True, password_toggle_button=True)
            .props('outlined autofocus autocomplete=new-password debounce=250')
            .classes('w-full')
            .mark('reset-password')
        )
        StrengthMeter(self.new, lambda: [user.username, user.display_name, user.email or ''])
        self.confirm = (
            ui.input('Confirm new password', password=True)
            .props('outlined autocomplete=new-password')
            .classes('w-full')
            .mark('reset-confirm')
        )
        self.confirm.on('keydown.enter', self.submit)
        ui.button('Set password', on_click=self.submit).props('unelevated no-caps').classes(
            'w-full'
        ).mark('reset-submit')

    async def submit(self) -> None:
        if (self.new.value or '') != (self.confirm.value or ''):
            self.confirm.error = 'The two passwords do not match'
            return
        self.confirm.error = None
        try:
            done = await run.io_bound(self.services.resets.reset, self.token, self.new.value or '')
        except ShoeboxError as exc:
            self.new.error = exc.message
            return
        if done is None:
            return  # shutting down
        ui.notify('Your new password is set. Sign in with it.', type='positive')
        ui.navigate.to('/signin')


def create(services: Services) -> None:
    @ui.page('/reset/{token}')
    def reset_page(token: str) -> None:
        ui.add_head_html(NO_REFERRER)
        user = services.resets.account_of(token)
        with (
            frame(services, None, title='Set a new password'),
            ui.card().classes('w-full max-w-sm mx-auto gap-3 p-6').mark('reset'),
        ):
            if user is None:
                ui.label('This link does not work').classes('text-2xl font-medium')
                ui.label(
                    'It was used already, has expired (links last an hour) or was replaced by '
                    'a newer one. Ask your administrator for a new link.'
                ).classes('opacity-80').mark('reset-refused')
                ui.link('Sign in', '/signin')
                return
            ResetForm(services, token, user)
