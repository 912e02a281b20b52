"""Raw HTTP against the real server process (main.py): request-head cap, websocket origins.

These need no browser, only the server of tests/test_browser.py.
"""

# ruff: noqa: F811  (the server fixture imported from tests.test_browser is used as an argument)

from __future__ import annotations

import contextlib
import socket
from urllib.parse import urlsplit

import httpx

from tests.test_browser import Server, server  # noqa: F401  (the server fixture)


def raw(server: Server, request: bytes) -> bytes:
    parts = urlsplit(server.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as s:
        with contextlib.suppress(OSError):  # the server may close before a huge head is sent
            s.sendall(request)
        data = b''
        try:
            while chunk := s.recv(65536):
                data += chunk
        except OSError:
            pass
    return data


def test_a_huge_request_head_is_431(server: Server) -> None:
    line = b'X-Filler: ' + b'a' * (20 * 1024 * 1024) + b'\r\n'
    answer = raw(server, b'GET /api/v1/me HTTP/1.1\r\nHost: x\r\n' + line + b'\r\n')
    assert answer.startswith(b'HTTP/1.1 431 ')
    assert b'"detail"' in answer
    url = raw(server, b'GET /?q=' + b'q' * 100_000 + b' HTTP/1.1\r\nHost: x\r\n\r\n')
    assert url.startswith(b'HTTP/1.1 431 ')
    # The server is fine, and heads under the cap pass (cookies and long URLs are far smaller).
    under = b'X-Filler: ' + b'a' * 60_000 + b'\r\nConnection: close\r\n'
    fine = raw(server, b'GET /api/v1/me HTTP/1.1\r\nHost: x\r\n' + under + b'\r\n')
    assert fine.startswith(b'HTTP/1.1 401 ')


def test_the_websocket_admits_only_the_apps_own_pages(server: Server) -> None:
    handshake = server.url + '/_nicegui_ws/socket.io/?EIO=4&transport=polling'
    assert httpx.get(handshake, headers={'Origin': server.url}).status_code == 200
    for origin in ('https://evil.example', 'null'):
        assert httpx.get(handshake, headers={'Origin': origin}).status_code == 400
