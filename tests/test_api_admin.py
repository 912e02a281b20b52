"""API v1 administration: every /admin route, its statuses and rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from starlette.testclient import TestClient

from repo.core.actor import Actor
from repo.core.schemas import UserPublic
from repo.library import Library
from tests.api_helpers import bearer, client_for, make_app, token_for, upload
from tests.conftest import PASSWORD
from tests.images import image_bytes

NEW_PASSWORD = 'seven quiet otters paddle home'
USER_KEYS = {
    'username', 'display_name', 'email', 'is_admin', 'disabled', 'created_at', 'last_seen_at',
    'images', 'bytes_used', 'quota_bytes', 'quota_images',
}  # fmt: skip
# Every admin route with a body that would be valid for an administrator.
ADMIN_ROUTES = [
    ('GET', '/api/v1/admin/users', None),
    ('POST', '/api/v1/admin/users', {'username': 'carol', 'password': PASSWORD}),
    ('PATCH', '/api/v1/admin/users/bob', {'disabled': True}),
    ('DELETE', '/api/v1/admin/users/bob', None),
    ('POST', '/api/v1/admin/users/bob/password-reset', None),
    ('GET', '/api/v1/admin/settings', None),
    ('PATCH', '/api/v1/admin/settings', {'open_signup': False}),
    ('GET', '/api/v1/admin/stats', None),
    ('GET', '/api/v1/admin/audit', None),
]


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def library(settings, pool, fast_hasher, clock):  # type: ignore[no-untyped-def]
    """The conftest library, with a clock the test moves (reset links expire)."""
    lib = Library(settings, executor=pool, password_hasher=fast_hasher, clock=clock)
    yield lib
    lib.close()


@pytest.fixture
def client(library: Library) -> TestClient:
    return client_for(make_app(library))


@pytest.fixture
def admin(library: Library, alice: UserPublic) -> dict[str, str]:
    assert alice.is_admin  # the first account
    return bearer(token_for(library, alice))


def call(client: TestClient, method: str, path: str, body: object = None, **kw):  # type: ignore[no-untyped-def]
    return client.request(method, path, json=body, **kw)


# ---- who may -------------------------------------------------------------------------------


@pytest.mark.parametrize(('method', 'path', 'body'), ADMIN_ROUTES)
def test_every_admin_route_is_401_for_anonymous_and_403_for_others(
    client: TestClient, library: Library, alice, bob, method: str, path: str, body: object
) -> None:
    r = call(client, method, path, body)
    assert r.status_code == 401, r.text
    assert r.json() == {'detail': 'Not authenticated'}
    bobs = bearer(token_for(library, bob))
    r = call(client, method, path, body, headers=bobs)
    assert r.status_code == 403, r.text
    assert r.json() == {'detail': 'Only an administrator may do this'}
    # Even a body that is not valid gets the 403 first (nothing is said about the body).
    r = client.request(method, path, content=b'{not json', headers=bobs)
    assert r.status_code == 403
    # An administrator's token without the admin scope is refused too.
    token, _ = library.services.signin.create_token(
        Actor.of(alice), 'images only', scopes=['images:read', 'images:write']
    )
    r = call(client, method, path, body, headers=bearer(token))
    assert r.status_code == 403
    assert r.json() == {'detail': 'This token may not administer this Shoebox'}
    assert library.find_user('bob').username == 'bob'  # nothing happened


def test_the_admin_routes_are_documented_with_their_statuses(client: TestClient) -> None:
    spec = client.get('/openapi.json').json()
    for method, path, _ in ADMIN_ROUTES:
        template = path.replace('/bob', '/{username}')
        operation = spec['paths'][template][method.lower()]
        assert {'401', '403'} <= set(operation['responses']), (method, path)
        assert operation['tags'] == ['admin']
    assert '507' in spec['paths']['/api/v1/images']['post']['responses']
    me = spec['components']['schemas']['MeOut']
    assert 'usage' in me['properties']


# ---- accounts ------------------------------------------------------------------------------


def test_the_users_list_has_usage_and_quotas(
    client: TestClient, library: Library, admin, alice, bob
) -> None:
    added = library.add(bob.id, image_bytes(seed=1), 'b.jpg')
    r = client.get('/api/v1/admin/users', headers=admin)
    assert r.status_code == 200
    users = {u['username']: u for u in r.json()}
    assert set(users) == {'alice', 'bob'}
    assert set(users['bob']) == USER_KEYS
    assert (users['bob']['images'], users['bob']['bytes_used']) == (1, added.size_bytes)
    assert users['bob']['quota_bytes'] is None and users['alice']['is_admin'] is True
    found = client.get('/api/v1/admin/users', params={'q': 'BO'}, headers=admin).json()
    assert [u['username'] for u in found] == ['bob']


def test_an_admin_creates_accounts_even_with_sign_up_closed(
    client: TestClient, library: Library, admin
) -> None:
    client.patch('/api/v1/admin/settings', json={'open_signup': False}, headers=admin)
    r = client.post(
        '/api/v1/admin/users',
        json={'username': 'Carol', 'password': PASSWORD, 'must_change_password': True},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    assert set(r.json()) == USER_KEYS and r.json()['username'] == 'carol'
    assert library.find_user('carol').must_change_password
    again = client.post(
        '/api/v1/admin/users', json={'username': 'carol', 'password': PASSWORD}, headers=admin
    )
    assert again.status_code == 409
    weak = client.post(
        '/api/v1/admin/users', json={'username': 'dave', 'password': 'password1'}, headers=admin
    )
    assert weak.status_code == 422 and 'guess' in weak.json()['detail']
    # Carol must choose her own password before she gets a token.
    r = client.post('/api/v1/auth/token', json={'username': 'carol', 'password': PASSWORD})
    assert r.status_code == 403 and 'new password first' in r.json()['detail']


def test_patch_disables_promotes_and_sets_quotas(
    client: TestClient, library: Library, admin, alice, bob
) -> None:
    url = '/api/v1/admin/users/bob'
    r = client.patch(url, json={'is_admin': True, 'quota_bytes': 5000, 'quota_images': 3},
                     headers=admin)  # fmt: skip
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body['is_admin'], body['quota_bytes'], body['quota_images']) == (True, 5000, 3)
    r = client.patch(url, json={'quota_bytes': None}, headers=admin)  # back to the default
    assert r.json()['quota_bytes'] is None and r.json()['quota_images'] == 3
    assert client.patch(url, json={'disabled': True}, headers=admin).json()['disabled'] is True
    assert client.patch(url, json={}, headers=admin).json()['disabled'] is True  # no change
    assert client.patch(url, json={'quota_images': -1}, headers=admin).status_code == 422
    assert client.patch(url, json={'disabled': None}, headers=admin).status_code == 422
    missing = client.patch('/api/v1/admin/users/nobody', json={'disabled': True}, headers=admin)
    assert missing.status_code == 404
    whats = [e['what'] for e in client.get('/api/v1/admin/audit', headers=admin).json()]
    assert whats[:5] == ['user.disable', 'user.quota', 'user.quota', 'user.quota', 'user.promote']


def test_the_last_admin_is_409_for_demote_disable_and_delete(
    client: TestClient, library: Library, admin, alice, bob
) -> None:
    for body in ({'is_admin': False}, {'disabled': True}):
        r = client.patch('/api/v1/admin/users/alice', json=body, headers=admin)
        assert r.status_code == 409, r.text
        assert 'last administrator' in r.json()['detail']
    r = client.delete('/api/v1/admin/users/alice', headers=admin)
    assert r.status_code == 409
    assert library.find_user('alice').is_admin
    client.patch('/api/v1/admin/users/bob', json={'is_admin': True}, headers=admin)
    assert client.patch('/api/v1/admin/users/alice', json={'is_admin': False},
                        headers=admin).status_code == 200  # fmt: skip


def test_delete_removes_the_account_and_its_images(
    client: TestClient, library: Library, admin, alice, bob
) -> None:
    kept = library.add(alice.id, image_bytes(seed=2), 'a.jpg', visibility='public')
    library.add(bob.id, image_bytes(seed=3), 'b.jpg', visibility='public')
    bobs = bearer(token_for(library, bob))
    r = client.delete('/api/v1/admin/users/bob', headers=admin)
    assert r.status_code == 204
    assert client.get('/api/v1/me', headers=bobs).status_code == 401
    assert [i['id'] for i in client.get('/api/v1/images').json()['items']] == [kept.id]
    assert client.delete('/api/v1/admin/users/bob', headers=admin).status_code == 404
    (entry, *_) = client.get('/api/v1/admin/audit', headers=admin).json()
    assert {k: entry[k] for k in ('who', 'what', 'whom')} == {
        'who': 'alice', 'what': 'user.delete', 'whom': 'bob',
    }  # fmt: skip
    assert entry['details'] == {'images': 1}


# ---- disabled accounts -----------------------------------------------------------------------


def test_a_disabled_accounts_token_and_session_stop_at_once(library: Library, alice, bob) -> None:
    session = library.sessions.create(bob.id)

    def session_user(request):  # type: ignore[no-untyped-def]
        return library.sessions.user(request.cookies.get('sid'))

    client = client_for(make_app(library, session_user))
    admin = bearer(token_for(library, alice))
    token = bearer(token_for(library, bob))
    client.cookies.set('sid', session)
    assert client.get('/api/v1/me').json()['username'] == 'bob'
    assert client.get('/api/v1/me', headers=token).status_code == 200
    client.patch('/api/v1/admin/users/bob', json={'disabled': True}, headers=admin)
    r = client.get('/api/v1/me', headers=token)
    assert r.status_code == 401 and r.json() == {'detail': 'Invalid or revoked token'}
    assert client.get('/api/v1/me').status_code == 401  # the session ended: anonymous now
    wrong = client.post('/api/v1/auth/token', json={'username': 'bob', 'password': 'nope'})
    right = client.post(
        '/api/v1/auth/token', json={'username': 'bob', 'password': PASSWORD + ' too'}
    )
    assert right.status_code == wrong.status_code == 401
    assert right.json() == wrong.json()


# ---- reset links ----------------------------------------------------------------------------


def test_a_reset_link_is_one_time_and_lasts_an_hour(
    client: TestClient, library: Library, admin, alice, bob, clock: Clock
) -> None:
    token = bearer(token_for(library, bob))
    r = client.post('/api/v1/admin/users/bob/password-reset', headers=admin)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {'reset_url', 'expires_at'}
    assert body['reset_url'].startswith('http://testserver/reset/')
    assert datetime.fromisoformat(body['expires_at']) == clock.now + timedelta(hours=1)
    secret = body['reset_url'].rsplit('/', 1)[1]
    assert secret not in str(client.get('/api/v1/admin/audit', headers=admin).json())
    resets = library.services.resets
    resets.reset(secret, NEW_PASSWORD)
    assert client.get('/api/v1/me', headers=token).status_code == 401  # every token ended
    with pytest.raises(Exception, match='not valid'):
        resets.reset(secret, 'another fine long passphrase')  # used twice
    late = client.post('/api/v1/admin/users/bob/password-reset', headers=admin).json()
    clock.now += timedelta(hours=1, seconds=1)
    with pytest.raises(Exception, match='not valid'):
        resets.reset(late['reset_url'].rsplit('/', 1)[1], 'another fine long passphrase')
    assert library.authenticate('bob', NEW_PASSWORD).username == 'bob'
    missing = client.post('/api/v1/admin/users/nobody/password-reset', headers=admin)
    assert missing.status_code == 404


# ---- settings, stats, audit ------------------------------------------------------------------


def test_settings_change_at_once_without_a_restart(
    client: TestClient, library: Library, admin, alice
) -> None:
    r = client.get('/api/v1/admin/settings', headers=admin)
    assert r.json() == {
        'open_signup': True, 'default_quota_bytes': None, 'default_quota_images': None,
        'trash_days': 30, 'max_file_bytes': 50_000_000, 'max_pixels': 100_000_000,
    }  # fmt: skip
    small = client.patch('/api/v1/admin/settings', json={'max_file_bytes': 2000}, headers=admin)
    assert small.status_code == 200 and small.json()['max_file_bytes'] == 2000
    big = upload(client, admin['Authorization'].split()[1], image_bytes(seed=4, size=(400, 300)))
    assert big.status_code == 413  # refused by the new limit, while streaming
    closed = client.patch('/api/v1/admin/settings', json={'open_signup': False}, headers=admin)
    assert closed.json()['open_signup'] is False
    r = client.post('/api/v1/auth/signup', json={'username': 'zed', 'password': PASSWORD})
    assert r.status_code == 403
    for bad in ({'trash_days': -1}, {'max_pixels': 0}, {'max_file_bytes': None},
                {'colour': 'blue'}, {'open_signup': 'maybe'}):  # fmt: skip
        r = client.patch('/api/v1/admin/settings', json=bad, headers=admin)
        assert r.status_code == 422, (bad, r.text)
        assert isinstance(r.json()['detail'], str)


def test_stats_and_the_audit_log(client: TestClient, library: Library, admin, alice, bob) -> None:
    library.add(bob.id, image_bytes(seed=5), 'b.jpg')
    stats = client.get('/api/v1/admin/stats', headers=admin).json()
    assert set(stats) == {'users', 'images', 'bytes', 'pending_index_work', 'jobs_queued'}
    assert (stats['users'], stats['images']) == (2, 1) and stats['bytes'] > 0
    client.patch('/api/v1/admin/users/bob', json={'quota_images': 9}, headers=admin)
    audit = client.get('/api/v1/admin/audit', params={'limit': 1}, headers=admin).json()
    (entry,) = audit
    assert set(entry) == {'who', 'what', 'whom', 'when', 'details'}
    assert (entry['who'], entry['what'], entry['whom'], entry['details']) == (
        'alice', 'user.quota', 'bob', {'quota_images': 9},
    )  # fmt: skip
    assert client.get('/api/v1/admin/audit', params={'limit': 0}, headers=admin).status_code == 422


def test_anything_else_under_admin_is_refused_before_it_is_looked_up(
    client: TestClient, library: Library, admin, bob
) -> None:
    bobs = bearer(token_for(library, bob))
    assert client.get('/api/v1/admin/secrets').status_code == 401
    assert client.get('/api/v1/admin/secrets', headers=bobs).status_code == 403
    assert client.put('/api/v1/admin/users', headers=bobs).status_code == 403
    r = client.get('/api/v1/admin/secrets', headers=admin)
    assert r.status_code == 404 and r.json() == {'detail': 'Not Found'}
    r = client.put('/api/v1/admin/users', headers=admin)
    assert r.status_code == 405 and 'GET' in r.headers['allow']


def test_settings_and_quotas_take_exactly_what_their_schema_states(
    client: TestClient, admin, bob
) -> None:
    """An integer is an integer as JSON Schema says (616.0 is one; true and "616" are not), the
    bounds are in the schema, and null is refused where it means nothing."""
    spec = client.get('/openapi.json').json()['components']['schemas']
    assert spec['SettingsPatch']['properties']['max_pixels']['minimum'] == 1
    assert spec['AdminUserPatch']['properties']['quota_bytes']['anyOf'][0]['minimum'] == 0
    r = client.patch('/api/v1/admin/settings', json={'max_file_bytes': 616.0}, headers=admin)
    assert r.status_code == 200 and r.json()['max_file_bytes'] == 616
    for refused in ({'max_file_bytes': True}, {'max_file_bytes': '616'}, {'max_pixels': 0},
                    {'trash_days': None}, {'open_signup': None}, {'max_pixels': 1.5}):  # fmt: skip
        r = client.patch('/api/v1/admin/settings', json=refused, headers=admin)
        assert r.status_code == 422, refused
    assert client.get('/api/v1/admin/settings', headers=admin).json()['max_file_bytes'] == 616
    for refused in ({'disabled': None}, {'quota_bytes': -1}, {'quota_images': False}):
        r = client.patch('/api/v1/admin/users/bob', json=refused, headers=admin)
        assert r.status_code == 422, refused
    r = client.patch('/api/v1/admin/users/bob', json={'quota_images': 12.0}, headers=admin)
    assert r.status_code == 200 and r.json()['quota_images'] == 12
