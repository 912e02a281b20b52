"""A lean middleware stack for /api/v1, beside the web app's full one.

The web framework (NiceGUI) wraps every request in several `BaseHTTPMiddleware` layers: request
tracking for its per-browser storage, a Location rewrite for proxies, cache headers for its own
static files. Each such layer runs the rest of the request in a separate task and passes every
body chunk through a memory stream; for API traffic (uploads of many megabytes, thumbnails at
hundreds per second) that cost more than our own work. None of them does anything for /api/v1
except the request tracking, and what the API needs of that is small: to know the signed-in
browser, `app.storage.user` must resolve for the session cookie's browser id.

So requests under /api/v1 go to a second stack, built by the same FastAPI code from the same
user middleware minus those layers, with `BrowserSession` (pure ASGI) in place of NiceGUI's
request tracking. Our own guards (body limits, and SecurityHeaders outside everything) and
pure-ASGI middleware such as the session cookie and gzip run on both paths, in the same order.
Every other path takes the full stack, unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI
from nicegui import core
from nicegui.middlewares import RedirectWithPrefixMiddleware, SetCacheControlMiddleware
from nicegui.storage import RequestTrackingMiddleware, request_contextvar
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from api.image_routes import RENDITION_KINDS, serve_rendition
from api.page_headers import PageHeaders

Serve = Callable[[Request, str, str], Awaitable[Response]]  # (request, image id, kind)
# Not needed for /api/v1: the API sends no redirects (Location), serves no /_nicegui files and
# no HTML pages.
SKIPPED = (RedirectWithPrefixMiddleware, SetCacheControlMiddleware, PageHeaders)


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


class RenditionShortcut:
    """Answers GET and HEAD of /api/v1/images/{id}/thumbnail and /preview before routing.

    The gallery loads thumbnails by the hundred; FastAPI's routing and dependency machinery
    cost more than the work itself. `serve` is the very function the documented routes call
    (image_routes.serve_rendition): same caller resolution, access check and response. It sits
    just inside the session layers (it needs them to know the browser) and outside the rest,
    which concern request bodies and compression, neither of which applies to these.
    """

    def __init__(self, app: ASGIApp, prefix: str, serve: Serve) -> None:
        self.app = app
        self.serve = serve
        self.pattern = re.compile(
            rf'^{re.escape(prefix)}/images/([^/]+)/({"|".join(RENDITION_KINDS)})$'
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] == 'http' and scope['method'] in ('GET', 'HEAD'):
            match = self.pattern.match(scope['path'])
            if match is not None:
                request = Request(scope, receive)
                kind = RENDITION_KINDS[match.group(2)]
                response = await self.serve(request, match.group(1), kind)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class PathDispatch:
    """Requests for `prefix` and below go to `fast`, everything else to `full`."""

    def __init__(self, prefix: str, fast: ASGIApp, full: ASGIApp) -> None:
        self.prefix = prefix.rstrip('/')
        self.fast = fast
        self.full = full

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get('path', '')
        if scope['type'] == 'http' and (path == self.prefix or path.startswith(self.prefix + '/')):
            await self.fast(scope, receive, send)
        else:
            await self.full(scope, receive, send)


def build_stacks(app: FastAPI, build: Callable[[], ASGIApp], prefix: str) -> ASGIApp:
    """Both stacks, built by `build` (the app's own builder) from its user middleware as it is
    now, when the server starts: the full one, and the lean one for `prefix`."""
    full = build()
    everything: Any = app.user_middleware
    app.user_middleware = lean_middleware(list(everything), prefix)
    try:
        fast = build()
    finally:
        app.user_middleware = everything
    return PathDispatch(prefix, fast, full)
