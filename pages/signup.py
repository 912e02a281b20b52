"""Create an account: rules as hints, a live strength meter, each error next to its field."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import run, ui

from pages.layout import frame
from pages.password_meter import StrengthMeter
from pages.session import current_user, safe_next, sign_in_url
from pages.session_rotation import SessionRotation
from repo.container import Services
from repo.core.account_rules import MIN_PASSWORD, check_password, check_username
from repo.core.actor import ANONYMOUS
from repo.core.errors import Conflict, Invalid, ShoeboxError

USERNAME_HINT = '3 to 32 characters: letters, digits, _ . - ; starting with a letter'


class SignUpForm:
    def __init__(self, services: Services, rotation: SessionRotation, next_path: str) -> None:
        self.services = services
        self.rotation = rotation
        self.next_path = next_path
        field = 'w-full'
        self.username = (
            ui.input('Username')
            .props('outlined autofocus autocomplete=username maxlength=32')
            .classes(field)
            .mark('username')
        )
        self.username.props['hint'] = USERNAME_HINT
        self.display_name = (
            ui.input('Display name (optional)')
            .props('outlined autocomplete=name hint="Shown next to your images" maxlength=100')
            .classes(field)
            .mark('display-name')
        )
        self.email = (
            ui.input('Email (optional)')
            .props('outlined type=email autocomplete=email maxlength=254')
            .classes(field)
            .mark('email')
        )
        self.password = (
            ui.input('Password', password=True, password_toggle_button=True)
            .props('outlined autocomplete=new-password debounce=250')
            .classes(field)
            .mark('password')
        )
        self.password.props['hint'] = (
            f'At least {MIN_PASSWORD} characters; a few unusual words work well'
        )
        StrengthMeter(self.password, self._user_inputs)
        self.confirm = (
            ui.input('Confirm password', password=True)
            .props('outlined autocomplete=new-password')
            .classes(field)
            .mark('confirm')
        )
        self.confirm.on('keydown.enter', self.submit)
        self.button = (
            ui.button('Create account', on_click=self.submit)
            .props('unelevated no-caps size=md')
            .classes('w-full')
            .mark('create-account')
        )

    def _user_inputs(self) -> list[str]:
        return [self.username.value or '', self.display_name.value or '', self.email.value or '']

    def _check(self) -> bool:
        """The rules the domain enforces, checked here first so each error sits by its field."""
        ok = True

        def fail(field: ui.input, message: str) -> None:
            nonlocal ok
            field.error = message
            ok = False

        try:
            check_username(self.username.value or '')
        except Invalid as exc:
            fail(self.username, exc.message)
        if len((self.display_name.value or '').strip()) > 100:
            fail(self.display_name, 'Display name must be at most 100 characters long')
        email = (self.email.value or '').strip()
        if email and ('@' not in email or ' ' in email or len(email) > 254):
            fail(self.email, 'Email address does not look right (expected name@example.org)')
        try:
            check_password(self.password.value or '', self._user_inputs())
        except Invalid as exc:
            fail(self.password, exc.message.split('. ')[0])  # the meter below gives the advice
        if (self.confirm.value or '') != (self.password.value or ''):
            fail(self.confirm, 'The two passwords do not match')
        return ok

    async def submit(self) -> None:
        if not self._check():
            return
        self.button.props('loading')
        try:
            user = await run.io_bound(
                self.services.accounts.create_user,
                ANONYMOUS,
                self.username.value or '',
                self.password.value or '',
                display_name=self.display_name.value,
                email=self.email.value,
            )
        except Conflict as exc:
            self.username.error = exc.message
            return
        except ShoeboxError as exc:
            target = self.password if exc.message.startswith('Password') else self.username
            target.error = exc.message
            return
        finally:
            self.button.props(remove='loading')
        if user is None:
            return  # the app is shutting down
        ui.notify(f'Welcome to Shoebox, {user.display_name}!', type='positive')
        self.rotation.hand_off(user.id, self.next_path)


def create(services: Services, rotation: SessionRotation) -> None:
    @ui.page('/signup')
    async def signup(request: Request, next: str = '') -> RedirectResponse | None:
        target = safe_next(next)
        if current_user(services) is not None:
            return RedirectResponse(target, status_code=303)
        await rotation.fresh_browser_id(request)
        with (
            frame(services, None, title='Create an account'),
            ui.card().classes('w-full max-w-md mx-auto gap-3 p-6').mark('signup'),
        ):
            ui.label('Create an account').classes('text-2xl font-medium')
            if not services.limits().open_signup:
                ui.label('Sign-up is closed on this server. Ask its admin for an account.').mark(
                    'signup-closed'
                )
                ui.button('Sign in', on_click=lambda: ui.navigate.to(sign_in_url(target))).props(
                    'unelevated no-caps'
                )
                return None
            SignUpForm(services, rotation, target)
            with ui.row().classes('gap-1 text-sm'):
                ui.label('Already have an account?')
                ui.link('Sign in', sign_in_url(target))
        return None
