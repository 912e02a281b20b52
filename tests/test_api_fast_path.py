"""The lean middleware stack for /api/v1 (api/fast_path.py) and its helpers.

The API must behave exactly as before for scripts and for the signed-in browser; what changes
is only which of the web framework's layers a request passes through.
"""

# ruff: noqa: F811  (pytest fixtures imported from tests.ui_fixtures are used as arguments)

from __future__ import annotations

import asyncio
import contextvars
import threading

import pytest
from nicegui import app
from nicegui.middlewares import RedirectWithPrefixMiddleware, SetCacheControlMiddleware
from nicegui.storage import RequestTrackingMiddleware
from nicegui.testing import User
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.sessions import SessionMiddleware

from api.fast_path import RenditionShortcut
from api.guards import BodyLimitGuard
from api.nicegui_internals import BrowserSession, lean_middleware
from api.offload import Offload
from repo.core.schemas import UserPublic
from tests.ui_fixtures import (  # noqa: F401  (fixtures)
    PASSWORD,
    add_image,
    alice,
    library,
    make_account,
    shoebox_env,
    sign_in,
    user,
)


def test_the_api_stack_keeps_our_guards_and_the_session_and_drops_the_page_layers() -> None:
    full = [
        Middleware(SessionMiddleware, secret_key='x'),
        Middleware(RequestTrackingMiddleware),
        Middleware(SetCacheControlMiddleware),
        Middleware(RedirectWithPrefixMiddleware),
        Middleware(GZipMiddleware),
        Middleware(BodyLimitGuard, limit_for=lambda method, path: None),
    ]
    lean = [m.cls for m in lean_middleware(full, '/api/v1')]
    assert lean == [
        SessionMiddleware,
        BrowserSession,
        RenditionShortcut,
        GZipMiddleware,
        BodyLimitGuard,
    ]


def test_without_browser_sessions_the_shortcut_comes_first_and_nothing_is_lost() -> None:
    class Unknown:  # somebody's future middleware: kept, in its place
        pass

    full = [Middleware(Unknown), Middleware(BodyLimitGuard, limit_for=lambda m, p: None)]
    lean = [m.cls for m in lean_middleware(full, '/api/v1')]
    assert lean == [RenditionShortcut, Unknown, BodyLimitGuard]


async def test_offload_runs_in_a_thread_with_the_callers_context() -> None:
    var: contextvars.ContextVar[str] = contextvars.ContextVar('var', default='unset')
    var.set('request')
    offload = Offload(threads=2, name='test-offload')

    def where() -> tuple[str, str]:
        return threading.current_thread().name, var.get()

    results = await asyncio.gather(*(offload.run(where) for _ in range(5)))
    assert all(name.startswith('test-offload') and value == 'request' for name, value in results)

    def fail() -> None:
        raise LookupError('boom')

    with pytest.raises(LookupError, match='boom'):
        await offload.run(fail)


async def test_api_calls_mint_no_browser_session(user: User, alice: UserPublic, add_image) -> None:
    """A script or an anonymous visitor calling the API gets no cookie and no server storage."""
    image = add_image(alice, 'Open to all', visibility='public')
    before = set(app.storage._users)
    for path in ('/api/v1/images', f'/api/v1/images/{image.id}/thumbnail', '/api/v1/nowhere'):
        response = await user.http_client.get(path)
        assert 'set-cookie' not in response.headers, path
    assert set(app.storage._users) == before
    assert (await user.http_client.get(f'/api/v1/images/{image.id}/thumbnail')).status_code == 200


async def test_the_api_knows_the_signed_in_browser_on_every_route(
    user: User, alice: UserPublic, add_image
) -> None:
    image = add_image(alice, 'Mine only')
    for path in ('/api/v1/me', f'/api/v1/images/{image.id}'):
        assert (await user.http_client.get(path)).status_code in (401, 404), path
    await sign_in(user)
    me = await user.http_client.get('/api/v1/me')
    assert me.status_code == 200
    assert me.json()['username'] == 'alice'
    for tail in ('', '/thumbnail', '/preview', '/original'):
        response = await user.http_client.get(f'/api/v1/images/{image.id}{tail}')
        assert response.status_code == 200, tail
        assert response.headers['x-content-type-options'] == 'nosniff'
    head = await user.http_client.head(f'/api/v1/images/{image.id}/thumbnail')
    assert (head.status_code, head.content) == (200, b'')
    assert int(head.headers['content-length']) > 0
