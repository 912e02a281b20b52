"""API v1 accounts and tokens: sign-up, tokens, /me, revocation, identity rules."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from repo.core.schemas import UserPublic
from repo.core.throttle import FREE_FAILURES
from repo.library import Library
from tests.api_helpers import bearer, client_for, make_app, token_for, upload
from tests.conftest import PASSWORD


@pytest.fixture
def client(library: Library) -> TestClient:
    return client_for(make_app(library))


def assert_not_authenticated(response, detail: str = 'Not authenticated') -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 401, response.text
    assert response.json() == {'detail': detail}
    assert response.headers['www-authenticate'].startswith('Bearer')


# ---- sign-up -------------------------------------------------------------------------------------


def test_signup_creates_the_account(client: TestClient) -> None:
    r = client.post(
        '/api/v1/auth/signup',
        json={
            'username': 'Carol',
            'password': PASSWORD,
            'email': 'carol@example.org',
            'display_name': 'Carol C.',
        },
    )
    assert r.status_code == 201, r.text
    user = r.json()
    assert user['username'] == 'carol'
    assert user['display_name'] == 'Carol C.'
    assert user['email'] == 'carol@example.org'
    assert 'password' not in r.text and PASSWORD not in r.text


@pytest.mark.parametrize(
    ('body', 'words'),
    [
        ({'username': 'carol', 'password': 'password1'}, 'too easy to guess'),
        ({'username': 'carol', 'password': 'short'}, 'at least 8 characters'),
        ({'username': 'x', 'password': PASSWORD}, '3 to 32 characters'),
        ({'username': 'admin', 'password': PASSWORD}, 'reserved'),
        ({'username': 'carol', 'password': PASSWORD, 'email': 'nope'}, 'Email'),
        ({'username': 'carol'}, '"password" is required'),
        ({'password': PASSWORD}, '"username" is required'),
    ],
)
def test_signup_names_the_broken_rule(client: TestClient, body: dict, words: str) -> None:
    r = client.post('/api/v1/auth/signup', json=body)
    assert r.status_code == 422
    detail = r.json()['detail']
    assert isinstance(detail, str)
    assert words in detail


def test_signup_with_a_taken_name_is_409(client: TestClient, alice: UserPublic) -> None:
    r = client.post('/api/v1/auth/signup', json={'username': 'ALICE', 'password': PASSWORD + '!'})
    assert r.status_code == 409
    assert 'taken' in r.json()['detail']


def test_signup_switched_off_is_403(make_library, settings) -> None:  # type: ignore[no-untyped-def]
    library = make_library(settings.with_(open_signup=False))
    client = client_for(make_app(library))
    r = client.post('/api/v1/auth/signup', json={'username': 'carol', 'password': PASSWORD})
    assert r.status_code == 403
    assert isinstance(r.json()['detail'], str)
    assert library.list_users() == []


def test_a_body_that_is_not_json_gets_a_readable_422(client: TestClient) -> None:
    r = client.post(
        '/api/v1/auth/signup', content=b'{not json', headers={'content-type': 'application/json'}
    )
    assert r.status_code == 422
    assert r.json() == {'detail': 'The request body is not valid JSON'}


# ---- tokens --------------------------------------------------------------------------------------


def test_token_for_good_credentials_works_as_bearer(client: TestClient, alice: UserPublic) -> None:
    r = client.post(
        '/api/v1/auth/token', json={'username': 'alice', 'password': PASSWORD, 'name': 'laptop'}
    )
    assert r.status_code == 200
    body = r.json()
    assert body['token_type'] == 'bearer'
    assert set(body) == {'access_token', 'token_type'}
    me = client.get('/api/v1/me', headers=bearer(body['access_token']))
    assert me.status_code == 200
    assert me.json()['username'] == 'alice'


def test_unknown_user_and_wrong_password_get_the_same_401(
    client: TestClient, alice: UserPublic
) -> None:
    wrong = client.post('/api/v1/auth/token', json={'username': 'alice', 'password': 'nope nope'})
    unknown = client.post('/api/v1/auth/token', json={'username': 'zed', 'password': PASSWORD})
    for r in (wrong, unknown):
        assert r.status_code == 401
        assert r.json() == {'detail': 'Invalid username or password'}
    assert wrong.content == unknown.content


def test_too_many_failed_sign_ins_are_throttled_with_retry_after(
    client: TestClient, alice: UserPublic
) -> None:
    for _ in range(FREE_FAILURES):
        r = client.post('/api/v1/auth/token', json={'username': 'alice', 'password': 'bad guess'})
        assert r.status_code == 401
    r = client.post('/api/v1/auth/token', json={'username': 'alice', 'password': PASSWORD})
    assert r.status_code == 429
    assert int(r.headers['retry-after']) >= 1
    assert 'Try again' in r.json()['detail']


def test_me_needs_an_account(client: TestClient) -> None:
    assert_not_authenticated(client.get('/api/v1/me'))


@pytest.mark.parametrize(
    'header',
    ['Bearer sbx_not-a-real-token', 'Bearer ', 'bearer', 'sbx_no_scheme', 'Token sbx_x'],
)
def test_a_bad_token_is_401_even_where_anonymous_is_allowed(
    client: TestClient, header: str
) -> None:
    for path in ('/api/v1/me', '/api/v1/images'):
        r = client.get(path, headers={'Authorization': header})
        assert_not_authenticated(r, 'Invalid or revoked token')


def test_a_reverse_proxys_basic_auth_header_is_left_alone(
    library: Library, alice: UserPublic
) -> None:
    """Behind nginx basic auth, every browser request carries `Authorization: Basic`."""
    client = client_for(make_app(library, lambda request: alice))
    r = client.get('/api/v1/me', headers={'Authorization': 'Basic YWxpY2U6cGFzcw=='})
    assert r.status_code == 200
    assert r.json()['username'] == 'alice'  # the session still identifies the browser


def test_a_token_in_the_query_string_is_ignored(
    client: TestClient, library: Library, alice: UserPublic
) -> None:
    token = token_for(library, alice)
    upload(client, token)  # a private image of alice's
    for name in ('access_token', 'token', 'api_key'):
        assert_not_authenticated(client.get(f'/api/v1/me?{name}={token}'))
        listed = client.get(f'/api/v1/images?{name}={token}')
        assert listed.status_code == 200
        assert listed.json()['total'] == 0  # anonymous: the private image is not there


def test_revoking_the_token_in_use(client: TestClient, library: Library, alice: UserPublic) -> None:
    token = token_for(library, alice)
    other = token_for(library, alice)
    r = client.delete('/api/v1/auth/token', headers=bearer(token))
    assert r.status_code == 204
    assert r.content == b''
    assert_not_authenticated(
        client.get('/api/v1/me', headers=bearer(token)), 'Invalid or revoked token'
    )
    assert_not_authenticated(
        client.get('/api/v1/images', headers=bearer(token)), 'Invalid or revoked token'
    )
    assert_not_authenticated(
        client.delete('/api/v1/auth/token', headers=bearer(token)), 'Invalid or revoked token'
    )
    assert client.get('/api/v1/me', headers=bearer(other)).status_code == 200  # only that one


def test_a_token_revoked_on_the_tokens_page_or_with_its_account_stops_working(
    client: TestClient, library: Library, alice: UserPublic, bob: UserPublic
) -> None:
    token = token_for(library, alice)
    assert client.get('/api/v1/me', headers=bearer(token)).status_code == 200
    (listed,) = library.tokens.list(alice.id)
    library.tokens.revoke(alice.id, listed.id)
    assert_not_authenticated(
        client.get('/api/v1/me', headers=bearer(token)), 'Invalid or revoked token'
    )
    bobs = token_for(library, bob)
    assert client.get('/api/v1/images', headers=bearer(bobs)).status_code == 200
    library.delete_user(bob.id)
    assert_not_authenticated(
        client.get('/api/v1/images', headers=bearer(bobs)), 'Invalid or revoked token'
    )


def test_revoking_needs_a_token(client: TestClient) -> None:
    assert_not_authenticated(client.delete('/api/v1/auth/token'))


# ---- the browser session -------------------------------------------------------------------------


def test_the_web_session_identifies_the_caller_but_not_cross_site_writes(
    library: Library, alice: UserPublic
) -> None:
    def session_user(request):  # type: ignore[no-untyped-def]
        return alice if request.cookies.get('sid') == 'alice-session' else None

    client = client_for(make_app(library, session_user))
    client.cookies.set('sid', 'alice-session')
    assert client.get('/api/v1/me').json()['username'] == 'alice'
    added = upload(client, None, title='from the browser')
    assert added.status_code == 201, added.text
    assert added.json()['owner'] == 'alice'
    image_id = added.json()['id']
    same_site = client.patch(
        f'/api/v1/images/{image_id}',
        json={'title': 'renamed'},
        headers={'Sec-Fetch-Site': 'same-origin'},
    )
    assert same_site.status_code == 200
    cross_site = client.patch(
        f'/api/v1/images/{image_id}',
        json={'title': 'evil'},
        headers={'Sec-Fetch-Site': 'cross-site'},
    )
    assert cross_site.status_code == 403  # refused outright (was: treated as anonymous, 401)
    assert 'another site' in cross_site.json()['detail']
    assert library.get(alice.id, image_id).title == 'renamed'


def test_register_again_swaps_the_library_without_duplicating_routes(
    library: Library,
    make_library,
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    from api import register
    from repo.config import Settings

    app = make_app(library)
    routes = len(app.routes)
    other = make_library(Settings(data_dir=tmp_path / 'other'))
    other.create_user('dora', PASSWORD)
    register(app, other.services)
    assert len(app.routes) == routes
    r = client_for(app).post('/api/v1/auth/token', json={'username': 'dora', 'password': PASSWORD})
    assert r.status_code == 200
