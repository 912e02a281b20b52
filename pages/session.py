"""Who is signed in: the server-side session id lives in NiceGUI's server-side user storage.

The browser's cookie holds only NiceGUI's signed browser id; the login session itself is a row in
the database (Services.sessions), so ending it there (sign-out, password change, account deletion)
takes effect on the very next request. Nothing is written for anonymous visitors. Signing in
goes through pages/session_rotation.py, which gives the browser a new cookie each time.
"""

from __future__ import annotations

from contextlib import suppress
from urllib.parse import quote, urlsplit

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import app, context, ui

from repo.container import Services
from repo.core.actor import ANONYMOUS
from repo.core.schemas import UserPublic

SESSION_KEY = 'session'
SIGN_IN_PATH = '/signin'


def session_id() -> str | None:
    """The login session id of this browser, or None (also outside a request context)."""
    try:
        value = app.storage.user.get(SESSION_KEY)
    except (RuntimeError, AssertionError, KeyError):
        return None
    return value if isinstance(value, str) else None


def current_user(services: Services) -> UserPublic | None:
    """The signed-in user, checked against the database on every call."""
    return services.signin.session_user(session_id())


def end_session(services: Services, session: str | None = None) -> None:
    """Sign out: the session row goes, and so does this browser's server-side storage.

    `session` is the login session the page was built with (a page left open may belong to a
    browser id that has moved on since: pages/session_rotation.py); by default this browser's.
    """
    services.signin.end_session(ANONYMOUS, session or session_id())
    with suppress(RuntimeError, AssertionError):
        app.storage.user.clear()


def safe_next(target: str | None, default: str = '/') -> str:
    """A same-site path to go back to after signing in: '/...' only, never '//' or a scheme."""
    if not target or not isinstance(target, str) or len(target) > 2000:
        return default
    if not target.startswith('/') or target.startswith('//') or '\\' in target:
        return default
    if any(ord(ch) < 32 for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    if parts.path.startswith(SIGN_IN_PATH) or parts.path.startswith('/signup'):
        return default
    return target


def here(request: Request) -> str:
    """The path and query of this request, for coming back to it."""
    query = request.url.query
    return request.url.path + (f'?{query}' if query else '')


def sign_in_url(next_path: str | None = None) -> str:
    target = safe_next(next_path, '')
    return SIGN_IN_PATH + (f'?next={quote(target, safe="/")}' if target and target != '/' else '')


def redirect_to_sign_in(request: Request) -> RedirectResponse:
    return RedirectResponse(sign_in_url(here(request)), status_code=303)


def client_address() -> str | None:
    """The connecting address (for throttling sign-ins). Proxies are not trusted here."""
    try:
        request = context.client.request
    except (RuntimeError, AttributeError):
        return None
    if request is None or request.client is None:
        return None
    return request.client.host


def acting_user(services: Services, session: str | None) -> UserPublic | None:
    """The user an action runs as, checked again right now (the session may have ended since
    the page was built). When it has ended, say so and go to sign-in."""
    user = services.signin.session_user(session)
    if user is None:
        ui.notify('Your session has ended. Please sign in again.', type='warning')
        ui.navigate.to(SIGN_IN_PATH)
    return user
