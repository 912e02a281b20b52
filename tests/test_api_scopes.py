"""Scoped API tokens: every class of route refuses a token without its scope (403 "This token
may not ...") and serves one with only that scope."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from starlette.testclient import TestClient

from repo.core.actor import Actor
from repo.core.schemas import UserPublic
from repo.core.scopes import ALL_SCOPES
from repo.library import Library
from tests.api_helpers import bearer, client_for, make_app, upload
from tests.conftest import PASSWORD
from tests.images import image_bytes

Call = Callable[[TestClient, dict[str, str], str], httpx.Response]


def form(data: bytes) -> dict:
    return {'files': {'file': ('q.jpg', data, 'image/jpeg')}}


# (scope, what the 403 says, the request) for one route of each kind; `image` is an image id.
ROUTES: list[tuple[str, str, str, Call]] = [
    ('images:read', 'see images', 'list', lambda c, h, i: c.get('/api/v1/images', headers=h)),
    ('images:read', 'see images', 'search',
     lambda c, h, i: c.get('/api/v1/images', params={'q': 'harbour'}, headers=h)),
    ('images:read', 'see images', 'one', lambda c, h, i: c.get(f'/api/v1/images/{i}', headers=h)),
    ('images:read', 'see images', 'thumbnail',
     lambda c, h, i: c.get(f'/api/v1/images/{i}/thumbnail', headers=h)),
    ('images:read', 'see images', 'original',
     lambda c, h, i: c.get(f'/api/v1/images/{i}/original', headers=h)),
    ('images:read', 'see images', 'similar',
     lambda c, h, i: c.get(f'/api/v1/images/{i}/similar', headers=h)),
    ('images:read', 'see images', 'by image',
     lambda c, h, i: c.post('/api/v1/images/search-by-image', headers=h,
                            **form(image_bytes(seed=9)))),
    ('images:read', 'see images', 'duplicates',
     lambda c, h, i: c.get('/api/v1/duplicates', headers=h)),
    ('images:read', 'see images', 'tags', lambda c, h, i: c.get('/api/v1/tags', headers=h)),
    ('images:write', 'upload or change images', 'upload',
     lambda c, h, i: c.post('/api/v1/images', headers=h, **form(image_bytes(seed=8)))),
    ('images:write', 'upload or change images', 'edit',
     lambda c, h, i: c.patch(f'/api/v1/images/{i}', json={'title': 'New'}, headers=h)),
    ('images:delete', 'delete images', 'delete',
     lambda c, h, i: c.delete(f'/api/v1/images/{i}', headers=h)),
    ('admin', 'administer this Shoebox', 'admin users',
     lambda c, h, i: c.get('/api/v1/admin/users', headers=h)),
    ('admin', 'administer this Shoebox', 'admin settings',
     lambda c, h, i: c.patch('/api/v1/admin/settings', json={'trash_days': 7}, headers=h)),
]  # fmt: skip


@pytest.fixture
def client(library: Library) -> TestClient:
    return client_for(make_app(library))


def token(library: Library, user: UserPublic, scopes: list[str]) -> dict[str, str]:
    value, _ = library.services.signin.create_token(Actor.of(user), 'scoped', scopes=scopes)
    return bearer(value)


@pytest.mark.parametrize(('scope', 'says', 'name', 'request_'), ROUTES, ids=[r[2] for r in ROUTES])
def test_each_route_needs_its_scope(
    client: TestClient, library: Library, alice: UserPublic, scope, says, name, request_
) -> None:
    image = library.add(alice.id, image_bytes(seed=1), 'harbour.jpg', title='Harbour').id
    others = [s for s in ALL_SCOPES if s != scope]
    r = request_(client, token(library, alice, others), image)
    assert r.status_code == 403, r.text
    assert r.json() == {'detail': f'This token may not {says}'}
    assert library.get(alice.id, image).title == 'Harbour'  # nothing changed
    r = request_(client, token(library, alice, [scope]), image)
    assert r.status_code < 300, r.text


def scopes_of(library: Library, user: UserPublic) -> list[tuple[str, ...]]:
    return [t.scopes for t in library.tokens.list(user.id)]


def test_the_scopes_are_given_at_sign_in_and_default_to_all_the_account_may(
    client: TestClient, library: Library, alice: UserPublic, bob: UserPublic
) -> None:
    r = client.post('/api/v1/auth/token', json={'username': 'bob', 'password': PASSWORD + ' too'})
    assert r.status_code == 200 and set(r.json()) == {'access_token', 'token_type'}
    assert scopes_of(library, bob) == [tuple(s for s in ALL_SCOPES if s != 'admin')]
    r = client.post('/api/v1/auth/token', json={'username': 'alice', 'password': PASSWORD})
    assert scopes_of(library, alice) == [ALL_SCOPES]  # an administrator's: admin too
    r = client.post(
        '/api/v1/auth/token',
        json={'username': 'alice', 'password': PASSWORD, 'scopes': ['images:read'],
              'expires_in': 3600},
    )  # fmt: skip
    assert r.status_code == 200
    (made,) = [t for t in library.tokens.list(alice.id) if t.scopes == ('images:read',)]
    assert made.expires_at is not None
    reader = bearer(r.json()['access_token'])
    assert client.get('/api/v1/me', headers=reader).status_code == 200  # /me needs no scope
    assert upload(client, r.json()['access_token']).status_code == 403
    for body in ({'scopes': ['admin']}, {'scopes': ['photos:all']}, {'scopes': []},
                 {'expires_in': 5}):  # fmt: skip
        r = client.post(
            '/api/v1/auth/token',
            json={'username': 'bob', 'password': PASSWORD + ' too', **body},
        )
        assert r.status_code == 422, (body, r.text)
    assert client.delete('/api/v1/auth/token', headers=reader).status_code == 204


def test_reserved_scopes_exist_for_shares_and_the_shop(
    client: TestClient, library: Library, alice: UserPublic
) -> None:
    r = client.post(
        '/api/v1/auth/token',
        json={'username': 'alice', 'password': PASSWORD, 'scopes': ['shares:write', 'shop']},
    )
    assert r.status_code == 200
    assert ('shares:write', 'shop') in scopes_of(library, alice)
    r = client.get('/api/v1/images', headers=bearer(r.json()['access_token']))
    assert r.status_code == 403
