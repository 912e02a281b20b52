"""Helpers for the API tests: an app around a Library, tokens, uploads, raw ASGI calls."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import httpx
from fastapi import FastAPI
from starlette.testclient import TestClient

import api
from repo.core.schemas import UserPublic
from repo.library import Library
from tests.images import image_bytes

SessionUser = Callable[..., UserPublic | None]


def make_app(library: Library, session_user: SessionUser | None = None) -> FastAPI:
    app = FastAPI()
    api.register(app, library.services, session_user=session_user)
    return app


def client_for(app: FastAPI) -> TestClient:
    return TestClient(app, raise_server_exceptions=False)


def token_for(library: Library, user: UserPublic) -> str:
    return library.tokens.create(user.id, 'test')[0]


def bearer(token: str) -> dict[str, str]:
    return {'Authorization': f'Bearer {token}'}


def upload(
    client: TestClient | httpx.Client,
    token: str | None,
    data: bytes | None = None,
    filename: str = 'photo.jpg',
    **fields: str,
) -> httpx.Response:
    headers = bearer(token) if token else {}
    content = image_bytes() if data is None else data
    return client.post(
        '/api/v1/images',
        headers=headers,
        files={'file': (filename, content, 'application/octet-stream')},
        data=fields,
    )


def multipart_head(boundary: str = 'xyzzy', filename: str = 'big.jpg') -> bytes:
    return (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        'Content-Type: image/jpeg\r\n\r\n'
    ).encode()


@dataclass
class RawResult:
    """What a raw ASGI call produced, and how much of the request body the app pulled."""

    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b''
    bytes_received: int = 0
    receive_calls: int = 0


async def raw_call(
    app: FastAPI,
    method: str,
    path: str,
    headers: dict[str, str],
    chunks: AsyncIterator[bytes | None],
) -> RawResult:
    """Drive the ASGI app directly, feeding the body chunk by chunk as the app asks for it.

    A None chunk is the client going away (`http.disconnect`).
    """
    result = RawResult()
    scope = {
        'type': 'http',
        'asgi': {'version': '3.0'},
        'http_version': '1.1',
        'method': method,
        'scheme': 'http',
        'path': path,
        'raw_path': path.encode(),
        'root_path': '',
        'query_string': b'',
        'headers': [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        'client': ('127.0.0.1', 5000),
        'server': ('testserver', 80),
    }
    finished = False

    async def receive() -> dict:
        nonlocal finished
        result.receive_calls += 1
        if finished:
            return {'type': 'http.disconnect'}
        try:
            chunk = await anext(chunks)
        except StopAsyncIteration:
            finished = True
            return {'type': 'http.request', 'body': b'', 'more_body': False}
        if chunk is None:
            finished = True
            return {'type': 'http.disconnect'}
        result.bytes_received += len(chunk)
        return {'type': 'http.request', 'body': chunk, 'more_body': True}

    async def send(message: dict) -> None:
        if message['type'] == 'http.response.start':
            result.status = message['status']
            result.headers = {k.decode().lower(): v.decode() for k, v in message['headers']}
        elif message['type'] == 'http.response.body':
            result.body += message.get('body', b'')

    await app(scope, receive, send)
    return result
