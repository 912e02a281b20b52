"""Security headers for HTML pages: a Content-Security-Policy with a fresh nonce per page, no
framing, and a same-origin Referrer-Policy.

What the web framework needs, and why each source is there:
- script-src: NiceGUI's page is several inline scripts (the import map, the app with its element
  tree, our shortcut script). Each gets this response's nonce, so an inline script or event
  handler (`onerror=`, `onanimationstart=`) or a `javascript:` URL that came from anywhere else
  does not run. 'unsafe-eval' stays: Vue compiles NiceGUI's component templates at runtime with
  `new Function`, and NiceGUI runs its server-sent JavaScript (`run_javascript`, event handlers)
  through `eval`. Script files come from this origin only.
- style-src 'unsafe-inline': Quasar, Tailwind's browser build and NiceGUI add <style> elements
  at runtime, and the hand-built HTML blocks carry style="" attributes (tile colours).
- connect-src 'self': the websocket and uploads go to this origin (CSP 3 lets 'self' match
  ws: and wss: of the same host).
- img-src data: blob: the uploader's local previews (object URLs) and Quasar's data: images.
The element tree is JSON inside a script; NiceGUI escapes `<` `>` `&` in it, so user text can
never open a <script> there, and every `<script` in a page response is the framework's or ours.

Pure ASGI; HTML responses are small and read whole (the nonce goes into the body), everything
else passes through untouched. It sits inside the gzip layer, which compresses afterwards.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable

from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SCRIPT_TAG = re.compile(rb'<script(?=[\s>])', re.IGNORECASE)
# FastAPI's /redoc loads ReDoc (and its fonts) from these. /docs needs none of them: Shoebox
# serves Swagger UI's files itself (api/docs_assets.py), so that page gets the plain policy.
DOCS_CDN = 'https://cdn.jsdelivr.net'
DOCS_PATHS = ('/redoc',)
DOCS_EXTRA = {
    'script': f' {DOCS_CDN}',
    'style': f' {DOCS_CDN} https://fonts.googleapis.com',
    'img': ' https://fastapi.tiangolo.com https://cdn.redoc.ly',
    'font': ' https://fonts.gstatic.com',
}


def policy(nonce: str, *, docs: bool = False) -> str:
    """The Content-Security-Policy of an HTML page."""
    extra = DOCS_EXTRA if docs else dict.fromkeys(DOCS_EXTRA, '')
    directives = [
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}' 'unsafe-eval'{extra['script']}",
        f"style-src 'self' 'unsafe-inline'{extra['style']}",
        f"img-src 'self' data: blob:{extra['img']}",
        f"font-src 'self' data:{extra['font']}",
        "connect-src 'self'",
        "media-src 'self' blob:",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
    return '; '.join(directives)


PAGE_HEADERS = {
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'same-origin',
}


class PageHeaders:
    """Adds the page policy to every text/html response and its nonce to every <script> tag."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] != 'http':
            await self.app(scope, receive, send)
            return
        docs = scope.get('path', '') in DOCS_PATHS
        start: Message | None = None
        body: list[bytes] = []

        async def send_page(message: Message) -> None:
            nonlocal start
            if message['type'] == 'http.response.start':
                headers = MutableHeaders(scope=message)
                if not headers.get('content-type', '').startswith('text/html'):
                    start = None
                    await send(message)
                    return
                start = message
                return
            if message['type'] != 'http.response.body' or start is None:
                await send(message)
                return
            body.append(message.get('body', b''))
            if message.get('more_body', False):
                return
            nonce = secrets.token_urlsafe(18)
            content = SCRIPT_TAG.sub(f'<script nonce="{nonce}"'.encode(), b''.join(body))
            headers = MutableHeaders(scope=start)
            headers['Content-Security-Policy'] = policy(nonce, docs=docs)
            for name, value in PAGE_HEADERS.items():
                headers[name] = value
            if 'content-length' in headers and scope.get('method') != 'HEAD':
                headers['Content-Length'] = str(len(content))
            await send(start)
            await send({'type': 'http.response.body', 'body': content})

        await self.app(scope, receive, send_page)


def with_page_headers(middleware: Iterable[Middleware]) -> list[Middleware]:
    """The app's middleware with PageHeaders just inside the gzip layer (or outermost)."""
    entries = [m for m in middleware if m.cls is not PageHeaders]
    names = [getattr(m.cls, '__name__', '') for m in entries]
    at = names.index('GZipMiddleware') + 1 if 'GZipMiddleware' in names else 0
    return [*entries[:at], Middleware(PageHeaders), *entries[at:]]
