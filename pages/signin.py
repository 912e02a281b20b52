"""Sign in (and back to where you were), throttled per account and address by the Services."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import run, ui

from pages.layout import frame
from pages.session import client_address, current_user, safe_next
from pages.session_rotation import SessionRotation
from repo.container import Services
from repo.core.actor import ANONYMOUS, Actor
from repo.core.errors import InvalidCredentials, Throttled


class SignInForm:
    def __init__(self, services: Services, rotation: SessionRotation, next_path: str) -> None:
        self.services = services
        self.rotation = rotation
        self.next_path = next_path
        self.message = (
            ui.label('').classes('text-negative').props('role=alert').mark('signin-error')
        )
        self.message.visible = False
        self.username = (
            ui.input('Username')
            .props('outlined autofocus autocomplete=username maxlength=64')
            .classes('w-full')
            .mark('username')
        )
        self.password = (
            ui.input('Password', password=True, password_toggle_button=True)
            .props('outlined autocomplete=current-password')
            .classes('w-full')
            .mark('password')
        )
        self.username.on('keydown.enter', self.submit)
        self.password.on('keydown.enter', self.submit)
        self.button = (
            ui.button('Sign in', on_click=self.submit)
            .props('unelevated no-caps')
            .classes('w-full')
            .mark('sign-in')
        )
        self.timer = ui.timer(1.0, self._tick, active=False)
        self.wait = 0

    def _show(self, text: str) -> None:
        self.message.text = text
        self.message.visible = True

    def _tick(self) -> None:
        self.wait -= 1
        if self.wait <= 0:
            self.timer.active = False
            self.button.enable()
            self.message.visible = False
        else:
            self._show(f'Too many failed sign-ins. Try again in {self.wait} seconds.')

    async def submit(self) -> None:
        if not self.button.enabled:
            return
        username, password = self.username.value or '', self.password.value or ''
        if not username.strip() or not password:
            self._show('Enter your username and password.')
            return
        self.message.visible = False
        self.button.props('loading')
        try:
            user = await run.io_bound(
                self.services.signin.authenticate,
                ANONYMOUS,
                username,
                password,
                client_address(),
            )
        except InvalidCredentials as exc:
            self._show(exc.message)
            self.password.value = ''
            return
        except Throttled as exc:
            self._show(exc.message)
            self.wait = exc.retry_after
            self.button.disable()
            self.timer.active = True
            return
        finally:
            self.button.props(remove='loading')
        if user is None:
            return  # the app is shutting down
        if user.must_change_password:  # made by an administrator: choose your own first
            link = await run.io_bound(self.services.resets.link_for_self, Actor.of(user))
            if link is not None:
                ui.navigate.to(link.path)
            return
        self.rotation.hand_off(user.id, self.next_path)


def create(services: Services, rotation: SessionRotation) -> None:
    @ui.page('/signin')
    async def signin(request: Request, next: str = '') -> RedirectResponse | None:
        target = safe_next(next)
        if current_user(services) is not None:
            return RedirectResponse(target, status_code=303)
        await rotation.fresh_browser_id(request)
        with (
            frame(services, None, title='Sign in', next_path=target),
            ui.card().classes('w-full max-w-sm mx-auto gap-3 p-6').mark('signin'),
        ):
            ui.label('Sign in').classes('text-2xl font-medium')
            SignInForm(services, rotation, target)
            if services.limits().open_signup:
                with ui.row().classes('gap-1 text-sm'):
                    ui.label('New here?')
                    suffix = f'?next={quote(target, safe="/")}' if target != '/' else ''
                    ui.link('Create an account', f'/signup{suffix}')
        return None
