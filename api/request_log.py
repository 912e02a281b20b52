"""One log line and the metrics of every HTTP request.

The line names the route's template (`/api/v1/images/{image_id}`), never the path as sent nor
its query string, so no token, share key or password that a URL may carry reaches the log; and
the metrics' route label stays a bounded set. Requests no route took (static files, the
thumbnail fast path, unknown paths) are labelled `other`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from repo.services.metrics import Metrics

log = logging.getLogger('shoebox.access')
OTHER = 'other'


def route_label(scope: Scope, prefixes: tuple[str, ...] = ()) -> str:
    """The template of the route that answered. A route of an included router knows only its
    own part (`/images/{image_id}`): the prefix it was included under is found again."""
    route = scope.get('route')
    template = getattr(route, 'path', None)
    regex = getattr(route, 'path_regex', None)
    if not isinstance(template, str) or regex is None:
        return OTHER
    path = scope.get('path', '')
    if regex.match(path):
        return template
    for prefix in prefixes:
        if path.startswith(prefix) and regex.match(path[len(prefix) :]):
            return prefix + template
    return template


class RequestLog:
    def __init__(
        self, app: ASGIApp, metrics: Callable[[], Metrics], prefixes: tuple[str, ...] = ()
    ) -> None:
        self.app = app
        self.prefixes = prefixes
        self.metrics = metrics  # asked per request: tests swap the services under one app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] != 'http':
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message['type'] == 'http.response.start':
                status = message['status']
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            seconds = time.perf_counter() - started
            route = route_label(scope, self.prefixes)
            method = scope.get('method', '')
            self.metrics().request_done(route, method, status, seconds)
            log.info(
                '%s %s %d %.1fms',
                method,
                route,
                status,
                seconds * 1000,
                extra={'route': route, 'method': method, 'status': status, 'ms': seconds * 1000},
            )
