"""Pure-ASGI shortcuts of our own on the API's lean stack (built in api/nicegui_internals.py).

`RenditionShortcut` answers thumbnail and preview requests before routing; `PathDispatch` sends
/api/v1 to the lean stack and everything else to the web app's full one.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from api.image_routes import RENDITION_KINDS

Serve = Callable[[Request, str, str], Awaitable[Response]]  # (request, image id, kind)


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
