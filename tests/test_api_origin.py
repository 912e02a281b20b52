"""Cross-origin writes: a browser session's cookie counts only on requests from this app's pages.

A state-changing API request authenticated by the session cookie must come from the app's own
origin (or a configured SHOEBOX_PUBLIC_URL), as its Origin header (or Referer) says; anything
else is refused with 403 and changes nothing. Reads, bearer tokens and scripts without an
Origin are unaffected. The same rule admits pages to the NiceGUI websocket.
"""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from api.nicegui_internals import restrict_websocket
from api.origin_guard import is_allowed
from repo.config import Settings
from repo.core.schemas import UserPublic
from repo.library import Library
from tests.api_helpers import bearer, client_for, make_app, token_for

OWN = 'http://testserver'  # TestClient's origin


@pytest.fixture
def browser(library: Library, alice: UserPublic) -> TestClient:
    """A client whose cookie is Alice's browser session."""

    def session_user(request):  # type: ignore[no-untyped-def]
        return alice if request.cookies.get('sid') == 'alice-session' else None

    client = client_for(make_app(library, session_user))
    client.cookies.set('sid', 'alice-session')
    return client


@pytest.fixture
def image_id(library: Library, alice: UserPublic) -> str:
    return library.add(alice.id, _jpeg(), 'mine.jpg', title='Mine').id


def _jpeg() -> bytes:
    from tests.images import image_bytes

    return image_bytes('JPEG', seed=41)


def rename(client: TestClient, image_id: str, headers: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.patch(f'/api/v1/images/{image_id}', json={'title': 'evil'}, headers=headers)


@pytest.mark.parametrize(
    'headers',
    [
        {'Origin': 'https://evil.example'},
        {'Origin': 'null'},
        {'Origin': 'http://testserver.evil.example'},
        {'Origin': 'https://testserver'},  # another scheme is another origin
        {'Referer': 'https://evil.example/page'},
        {'Referer': 'not a url'},
        {'Sec-Fetch-Site': 'cross-site'},
    ],
    ids=['foreign', 'null', 'lookalike', 'scheme', 'referer', 'bad-referer', 'fetch-metadata'],
)
def test_a_cookie_write_from_another_origin_is_refused(
    browser: TestClient, library: Library, alice: UserPublic, image_id: str, headers: dict
) -> None:
    r = rename(browser, image_id, headers)
    assert r.status_code == 403, r.text
    assert 'another site' in r.json()['detail']
    assert browser.delete(f'/api/v1/images/{image_id}', headers=headers).status_code == 403
    assert library.get(alice.id, image_id).title == 'Mine'


def test_a_cookie_upload_from_another_origin_is_refused(
    browser: TestClient, library: Library, alice: UserPublic
) -> None:
    r = browser.post(
        '/api/v1/images',
        headers={'Origin': 'https://evil.example'},
        files={'file': ('x.jpg', _jpeg(), 'image/jpeg')},
    )
    assert r.status_code == 403
    assert library.list(alice.id).total == 0


@pytest.mark.parametrize(
    'headers',
    [{'Origin': OWN}, {'Origin': 'HTTP://TESTSERVER:80'}, {'Referer': OWN + '/images/x'}, {}],
    ids=['origin', 'normalized', 'referer', 'none'],
)
def test_a_cookie_write_from_the_app_itself_goes_through(
    browser: TestClient, library: Library, alice: UserPublic, image_id: str, headers: dict
) -> None:
    assert rename(browser, image_id, headers).status_code == 200
    assert library.get(alice.id, image_id).title == 'evil'


def test_reads_with_the_cookie_are_not_checked(browser: TestClient, image_id: str) -> None:
    r = browser.get(f'/api/v1/images/{image_id}', headers={'Origin': 'https://evil.example'})
    assert r.status_code == 200  # SameSite and CORS keep other sites from reading it


def test_bearer_tokens_are_not_checked(library: Library, alice: UserPublic, image_id: str) -> None:
    client = client_for(make_app(library))
    headers = {**bearer(token_for(library, alice)), 'Origin': 'https://evil.example'}
    assert rename(client, image_id, headers).status_code == 200


def test_without_a_session_the_origin_does_not_matter(library: Library) -> None:
    """An anonymous browser has nothing to protect: it gets the anonymous answer."""
    client = client_for(make_app(library, lambda request: None))
    r = client.post(
        '/api/v1/images/search-by-image',
        headers={'Origin': 'https://evil.example'},
        files={'file': ('x.jpg', _jpeg(), 'image/jpeg')},
    )
    assert r.status_code == 200, r.text


def test_a_configured_public_url_counts_as_the_app(
    make_library,  # type: ignore[no-untyped-def]
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    settings = Settings(data_dir=tmp_path / 'data', public_url='https://photos.example.com')
    library = make_library(settings)
    alice = library.create_user('alice', 'correct horse battery staple')
    image = library.add(alice.id, _jpeg(), 'mine.jpg', title='Mine')
    client = client_for(make_app(library, lambda request: alice))
    ok = rename(client, image.id, {'Origin': 'https://photos.example.com'})
    assert ok.status_code == 200
    refused = rename(client, image.id, {'Origin': 'http://photos.example.com'})
    assert refused.status_code == 403


def test_the_origin_rule() -> None:
    own = ('http', '127.0.0.1:8080')
    assert is_allowed('http://127.0.0.1:8080', *own, ())
    assert not is_allowed('http://127.0.0.1:8081', *own, ())
    assert not is_allowed('http://localhost:8080', *own, ())
    assert not is_allowed('null', *own, ())
    assert not is_allowed(None, *own, ())
    assert not is_allowed('javascript:alert(1)', *own, ())
    assert is_allowed('https://photos.example.com', *own, ('https://photos.example.com',))
    assert is_allowed('https://[::1]:8443', 'https', '[::1]:8443', ())
    assert is_allowed('http://127.0.0.1:8080', 'ws', '127.0.0.1:8080', ())  # the websocket


def test_the_websocket_admits_only_the_apps_own_pages() -> None:
    """engine.io asks this callable about every websocket and polling request's Origin."""
    from nicegui import core

    before = core.sio.eio.cors_allowed_origins
    try:
        restrict_websocket(('https://photos.example.com',))
        check = core.sio.eio.cors_allowed_origins
        environ = {'wsgi.url_scheme': 'http', 'HTTP_HOST': '127.0.0.1:8080'}
        assert check('http://127.0.0.1:8080', environ)
        assert check('https://photos.example.com', environ)
        assert not check('https://evil.example', environ)
        assert not check('null', environ)
    finally:
        core.sio.eio.cors_allowed_origins = before
