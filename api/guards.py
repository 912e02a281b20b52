"""HTTP guards for the whole app: security headers, and request bodies refused while they stream.

Both are pure ASGI middleware (not BaseHTTPMiddleware), so a body is never buffered here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MiB = 1 << 20


def human_bytes(n: float) -> str:
    """1234567 -> '1.2 MB' (decimal units, as the Library's messages use)."""
    for unit in ('bytes', 'KB', 'MB'):
        if n < 1000:
            return f'{n:.0f} {unit}' if unit == 'bytes' else f'{n:.1f} {unit}'
        n /= 1000
    return f'{n:.1f} GB'


@dataclass(frozen=True)
class Limit:
    max_bytes: int
    message: str  # the 413 detail


LimitFor = Callable[[str, str], Limit | None]  # (method, path) -> its limit, or None for none


class SecurityHeaders:
    """Adds `X-Content-Type-Options: nosniff` to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] != 'http':
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message['type'] == 'http.response.start':
                headers = MutableHeaders(scope=message)
                headers['X-Content-Type-Options'] = 'nosniff'
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _BodyTooLarge(HTTPException):
    """Raised from `receive` once a streaming body crosses its limit.

    An HTTPException, so that whatever is reading the body (FastAPI's JSON parsing, a form
    parser) lets it through and the app answers 413 with `{"detail"}`, closing the connection.
    """

    def __init__(self, limit: Limit) -> None:
        super().__init__(413, limit.message, headers={'Connection': 'close'})


class BodyLimitGuard:
    """Refuses request bodies over a per-route limit: at once from Content-Length, or as a
    chunked body streams in, the moment the count crosses the limit. Nothing is read twice."""

    def __init__(self, app: ASGIApp, limit_for: LimitFor) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] != 'http':
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope['method'], scope['path'])
        if limit is None:
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > limit.max_bytes:
            await _send_413(send, limit)
            return

        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message['type'] == 'http.request':
                received += len(message.get('body', b''))
                if received > limit.max_bytes:
                    raise _BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message['type'] == 'http.response.start':
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _BodyTooLarge:  # only if nothing inside turned it into a response
            if started:
                raise
            await _send_413(send, limit)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get('headers', ()):
        if name == b'content-length':
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _send_413(send: Send, limit: Limit) -> None:
    """Refuse, and close the connection: the rest of the body is not worth receiving."""
    body = json.dumps({'detail': limit.message}).encode()
    await send(
        {
            'type': 'http.response.start',
            'status': 413,
            'headers': [
                (b'content-type', b'application/json'),
                (b'content-length', str(len(body)).encode()),
                (b'connection', b'close'),
            ],
        }
    )
    await send({'type': 'http.response.body', 'body': body})
