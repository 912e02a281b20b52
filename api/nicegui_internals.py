"""Everything of Shoebox that reaches into NiceGUI's (and Starlette's) machinery, in one place.

Checked against NiceGUI CHECKED_WITH (tests/test_boundaries.py pins it): after an upgrade, read
each piece here against the new version's source and update CHECKED_WITH.

- `BrowserSession`: what NiceGUI's request tracking does that the API needs, as pure ASGI
  (it uses the storage's private counters and loader).
- `lean_middleware` / `build_stacks` / `wrap_outermost`: a second, lean middleware stack for
  /api/v1, built by the app's own builder, and our security headers outside everything (the
  app's `build_middleware_stack` is replaced once).
- `use_data_dir_for_browser_storage`: NiceGUI's server-side browser storage in our data folder.
- `move_browser`: a new browser id (session cookie) for the browser of a request, its storage
  moved along (pages/session_rotation.py; it uses the storage's private loader).
- `restrict_websocket`: the websocket's engine.io origin check, in place of NiceGUI's `'*'`.
- the full stack gets `api.page_headers.PageHeaders` just inside gzip (pages' CSP).

Why a lean stack at all: the web framework wraps every request in several `BaseHTTPMiddleware`
layers (request tracking for its per-browser storage, a Location rewrite for proxies, cache
headers for its own static files). Each runs the rest of the request in a separate task and
passes every body chunk through a memory stream; for API traffic (uploads of many megabytes,
thumbnails at hundreds per second) that cost more than our own work. None of them does
anything for /api/v1 except the request tracking, and what the API needs of that is small.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from nicegui import core
from nicegui.middlewares import RedirectWithPrefixMiddleware, SetCacheControlMiddleware
from nicegui.storage import RequestTrackingMiddleware, request_contextvar
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from api.fast_path import PathDispatch, RenditionShortcut
from api.image_routes import serve_rendition
from api.origin_guard import is_allowed
from api.page_headers import with_page_headers

CHECKED_WITH = '3.18.0'
# Not needed for /api/v1: the API sends no redirects (Location) and serves no /_nicegui files.
SKIPPED = (RedirectWithPrefixMiddleware, SetCacheControlMiddleware)
WRAPPED = '_shoebox_wrapped'  # marks the app's stack builder once wrap_outermost replaced it


class BrowserSession:
    """What NiceGUI's RequestTrackingMiddleware does that the API needs, as pure ASGI.

    For a request whose (signed) session cookie names a browser: put the request in NiceGUI's
    request context and make sure that browser's server-side storage is loaded, so
    `app.storage.user` works in the routes, and count the request as in flight so NiceGUI's
    storage pruning leaves that storage alone meanwhile. A request without a browser id gets
    none: an API call never mints a browser id, a cookie or server-side storage.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] != 'http':
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        request.state.responded = False
        context_token = request_contextvar.set(request)
        try:
            browser_id = scope.get('session', {}).get('id')
            if not isinstance(browser_id, str) or not browser_id:
                await self.app(scope, receive, send)
                return
            storage = core.app.storage
            active = storage._active_request_sessions  # NiceGUI's own counter
            active[browser_id] += 1
            try:
                if browser_id not in storage._users:
                    await storage._create_user_storage(browser_id)
                await self.app(scope, receive, send)
            finally:
                active[browser_id] -= 1
                if active[browser_id] <= 0:
                    del active[browser_id]
        finally:
            request.state.responded = True
            request_contextvar.reset(context_token)


def lean_middleware(middleware: list[Middleware], prefix: str) -> list[Middleware]:
    """The app's user middleware for the API path: same order, minus SKIPPED, with NiceGUI's
    request tracking replaced by BrowserSession and RenditionShortcut right inside it (at the
    start when there is no browser session). Anything else (ours or unknown) is kept."""
    shortcut = Middleware(RenditionShortcut, prefix=prefix, serve=serve_rendition)
    lean = []
    for entry in middleware:
        if entry.cls in SKIPPED:
            continue
        if entry.cls is RequestTrackingMiddleware:
            lean += [Middleware(BrowserSession), shortcut]
            continue
        lean.append(entry)
    if shortcut not in lean:
        lean.insert(0, shortcut)
    return lean


def build_stacks(app: FastAPI, build: Callable[[], ASGIApp], prefix: str) -> ASGIApp:
    """Both stacks, built by `build` (the app's own builder) from its user middleware as it is
    now, when the server starts: the full one (with the pages' security headers), and the lean
    one for `prefix`."""
    everything: Any = app.user_middleware
    try:
        app.user_middleware = with_page_headers(list(everything))
        full = build()
        app.user_middleware = lean_middleware(list(everything), prefix)
        fast = build()
    finally:
        app.user_middleware = everything
    return PathDispatch(prefix, fast, full)


def wrap_outermost(app: FastAPI, outermost: Callable[[ASGIApp], ASGIApp], prefix: str) -> None:
    """Put `outermost` (SecurityHeaders) outside everything, even the error middleware that
    sends 500s, and give `prefix` (/api/v1) its lean middleware stack.

    `add_middleware` would place it inside ServerErrorMiddleware (and inside middleware the
    web framework adds later), so the built stack is wrapped instead. Only once per app: a test
    harness that resets the app's routes and middleware keeps the same app object.
    """
    if getattr(app.build_middleware_stack, WRAPPED, False):
        return
    build = app.build_middleware_stack

    def build_with_headers():  # type: ignore[no-untyped-def]
        return outermost(build_stacks(app, build, prefix))

    setattr(build_with_headers, WRAPPED, True)
    app.build_middleware_stack = build_with_headers  # type: ignore[method-assign]


def use_data_dir_for_browser_storage(folder: Path) -> None:
    """NiceGUI's server-side browser storage goes into `folder` (one data folder to back up).

    Not under the test simulation, whose plugin already points it at a temporary folder.
    """
    from nicegui import app, helpers
    from nicegui.storage import Storage

    if helpers.is_user_simulation():
        return
    Storage.path = folder.resolve()
    app.storage = Storage()


async def move_browser(request: Request, contents: dict[str, Any]) -> None:
    """Give the browser of this request a new id, whose server-side storage holds `contents`;
    the storage of the id it had is emptied (NiceGUI then deletes its file). The id lives in
    the signed `session` cookie (Starlette's SessionMiddleware), which this request's response
    sets anew because the session changed."""
    from nicegui import app

    storage = app.storage
    old = storage.user
    new_id = str(uuid.uuid4())
    await storage._create_user_storage(new_id)  # NiceGUI's own loader for a browser's storage
    request.session['id'] = new_id
    storage.user.update(contents)
    old.clear()


def restrict_websocket(public: Iterable[str]) -> None:
    """Let only this app's own pages open NiceGUI's websocket: engine.io asks `check` about the
    Origin of every handshake (NiceGUI creates the server with cors_allowed_origins='*')."""
    allowed = tuple(public)

    def check(origin: str | None, environ: dict) -> bool:
        scheme = environ.get('wsgi.url_scheme', 'http')
        return is_allowed(origin, scheme, environ.get('HTTP_HOST'), allowed)

    core.sio.eio.cors_allowed_origins = check
