"""The HTTP guards: oversized bodies are refused while they stream, and nothing is left behind.

These drive the ASGI app directly, so the test sees exactly how much of a body the app pulled.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI, Request

from api.multipart import UploadForm, owned_by_job
from api.offload import image_jobs
from repo.core.schemas import UserPublic
from repo.library import Library
from tests.api_helpers import bearer, make_app, multipart_head, raw_call, token_for

MAX_FILE = 200_000
MiB = 1 << 20
CHUNK = 64 * 1024
UPLOAD_LIMIT = MAX_FILE + MiB  # the per-request guard: one file plus multipart overhead
NICEGUI_UPLOAD = '/_nicegui/client/3f2a9c/upload/17'


@pytest.fixture
def small_library(make_library, settings) -> Library:  # type: ignore[no-untyped-def]
    return make_library(settings.with_(max_file_bytes=MAX_FILE))


@pytest.fixture
def user(small_library: Library) -> UserPublic:
    return small_library.create_user('alice', 'correct horse battery staple')


@pytest.fixture
def token(small_library: Library, user: UserPublic) -> str:
    return token_for(small_library, user)


@pytest.fixture
def app(small_library: Library) -> FastAPI:
    app = make_app(small_library)
    pulled: list[int] = []

    @app.post(NICEGUI_UPLOAD)
    async def nicegui_like_upload(request: Request) -> dict:
        """Stands in for NiceGUI's upload route: it reads the whole form, as NiceGUI does."""
        async with request.form() as form:
            pulled.append(len(form))
        return {'upload': 'success'}

    return app


def upload_headers(token: str, **extra: str) -> dict[str, str]:
    return {
        **bearer(token),
        'content-type': 'multipart/form-data; boundary=xyzzy',
        **extra,
    }


async def endless_file(head: bytes = b'') -> AsyncIterator[bytes]:
    """A multipart body whose file part never ends (a client streaming gigabytes)."""
    if head:
        yield head
    while True:
        yield b'\xff' * CHUNK


def left_behind(library: Library) -> list[str]:
    folders = (library.settings.tmp_dir, library.settings.blobs_dir)
    return [str(p) for folder in folders for p in folder.rglob('*') if p.is_file()]


async def test_an_oversized_file_is_refused_while_it_streams(
    app: FastAPI, small_library: Library, token: str
) -> None:
    result = await raw_call(
        app, 'POST', '/api/v1/images', upload_headers(token), endless_file(multipart_head())
    )
    assert result.status == 413
    assert result.body == b'{"detail":"The file is larger than the 200.0 KB limit"}'
    assert result.bytes_received <= MAX_FILE + 2 * CHUNK  # stopped right at the limit
    assert left_behind(small_library) == []
    assert small_library.list(None).total == 0


async def test_a_huge_content_length_is_refused_without_reading_the_body(
    app: FastAPI, small_library: Library, token: str
) -> None:
    for path in ('/api/v1/images', NICEGUI_UPLOAD):
        headers = upload_headers(token, **{'content-length': str(2_000_000_000)})
        result = await raw_call(app, 'POST', path, headers, endless_file(multipart_head()))
        assert result.status == 413, path
        assert result.receive_calls == 0
        assert result.headers['connection'] == 'close'
        assert result.body == b'{"detail": "The file is larger than the 200.0 KB limit"}'
        assert result.headers['x-content-type-options'] == 'nosniff'
    assert left_behind(small_library) == []


async def test_a_chunked_body_over_the_limit_is_cut_off_on_the_web_upload_route(
    app: FastAPI, small_library: Library, token: str
) -> None:
    result = await raw_call(
        app, 'POST', NICEGUI_UPLOAD, upload_headers(token), endless_file(multipart_head())
    )
    assert result.status == 413
    assert UPLOAD_LIMIT < result.bytes_received <= UPLOAD_LIMIT + CHUNK
    assert result.headers['content-type'] == 'application/json'


async def test_a_body_within_the_limit_passes_the_guard(
    app: FastAPI, small_library: Library, token: str
) -> None:
    async def one_small_form() -> AsyncIterator[bytes]:
        yield multipart_head() + b'x' * 1000 + b'\r\n--xyzzy--\r\n'

    result = await raw_call(app, 'POST', NICEGUI_UPLOAD, upload_headers(token), one_small_form())
    assert result.status == 200
    assert result.body == b'{"upload":"success"}'


async def test_json_bodies_are_capped_too(app: FastAPI, token: str) -> None:
    async def big_json() -> AsyncIterator[bytes]:
        yield b'{"title": "'
        for _ in range(40):
            yield b'a' * CHUNK

    headers = {**bearer(token), 'content-type': 'application/json'}
    result = await raw_call(app, 'PATCH', '/api/v1/images/some-id', headers, big_json())
    assert result.status == 413
    assert result.bytes_received <= 1_000_000 + CHUNK


async def test_the_app_keeps_answering_while_a_big_upload_streams(
    app: FastAPI, small_library: Library, token: str
) -> None:
    """A slow upload in flight does not block other requests (the event loop stays free)."""
    halfway = asyncio.Event()
    release = asyncio.Event()

    async def slow_body() -> AsyncIterator[bytes]:
        yield multipart_head()
        for i in range(100):
            if i == 2:
                halfway.set()
                await release.wait()
            yield b'\xff' * CHUNK

    upload = asyncio.create_task(
        raw_call(app, 'POST', '/api/v1/images', upload_headers(token), slow_body())
    )
    await asyncio.wait_for(halfway.wait(), 10)
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url='http://test') as client:
        r = await asyncio.wait_for(client.get('/api/v1/images'), 10)
    assert r.status_code == 200
    release.set()
    result = await asyncio.wait_for(upload, 30)
    assert result.status == 413
    assert left_behind(small_library) == []


async def test_a_form_cut_short_is_422_and_leaves_nothing(
    app: FastAPI, small_library: Library, token: str
) -> None:
    async def cut_short() -> AsyncIterator[bytes]:
        yield multipart_head()
        yield b'\xff' * CHUNK  # and the body ends without the closing boundary

    result = await raw_call(app, 'POST', '/api/v1/images', upload_headers(token), cut_short())
    assert result.status == 422
    assert 'ended before the form was complete' in result.body.decode()
    assert left_behind(small_library) == []


async def test_a_client_that_disconnects_mid_upload_leaves_nothing(
    app: FastAPI, small_library: Library, token: str
) -> None:
    async def goes_away() -> AsyncIterator[bytes | None]:
        yield multipart_head()
        yield b'\xff' * CHUNK
        yield None

    try:
        await raw_call(app, 'POST', '/api/v1/images', upload_headers(token), goes_away())
    except Exception as exc:  # nobody is listening for an answer any more
        assert type(exc).__name__ == 'ClientDisconnect'
    assert left_behind(small_library) == []


async def test_a_cancelled_upload_request_leaves_its_file_to_the_job(library: Library):
    """A request cancelled (server shutting down, say) while its job runs must not delete the
    staged file under that job; the job itself discards it once done."""
    form = UploadForm(file=library.stage(), filename='photo.jpg')
    form.file.write(b'some bytes')  # type: ignore[union-attr]
    started, release = asyncio.Event(), threading.Event()
    loop = asyncio.get_running_loop()
    seen: list[bool] = []

    def job() -> str:
        loop.call_soon_threadsafe(started.set)
        release.wait(10)
        seen.append(form.file.path.exists())  # type: ignore[union-attr]
        return 'done'

    request = asyncio.ensure_future(image_jobs.run(owned_by_job(form, job)))
    await started.wait()
    request.cancel()
    with pytest.raises(asyncio.CancelledError):
        await request
    path = form.file.path  # type: ignore[union-attr]
    assert path.exists()
    release.set()
    for _ in range(100):
        if seen and not path.exists():
            break
        await asyncio.sleep(0.05)
    assert seen == [True] and not path.exists()
