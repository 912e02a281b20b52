"""The API contract is exact: what /openapi.json says is what the server does.

The schemas of api/schema_rules.py are checked against the domain's own rules in both
directions, with generated input and the JSON Schema engine schemathesis uses (ECMAScript
regular expressions, not Python's). .ci/contract runs schemathesis itself against a server.
"""

from __future__ import annotations

from typing import Any

import jsonschema_rs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from api import schema_rules as rules
from api.image_routes import MAX_QUERY
from repo.core.account_rules import RESERVED_USERNAMES, check_username
from repo.core.errors import Invalid
from repo.core.palette import color_name
from repo.core.schemas import UserPublic
from repo.core.validation import check_tags, check_visibility
from repo.library import Library
from search_index.query import MAX_QUERY_CHARS
from tests.api_helpers import bearer, client_for, make_app, token_for, upload

PASSWORD = 'correct horse battery staple'
# Text with the characters the rules are about: every kind of space, letters that lower-case
# to ASCII, commas, controls, and anything else.
SPACES = [' ', '\t', '\n', '\x1c', '\x85', '\xa0', '\u2003', '\u3000', '\ufeff']
OTHERS = ['\u212a', 'K', 'k', ',', '@', '.', '-', '_', '\x00', '\u200b', 'a', 'Z', '0', 'é', 'İ']
TRICKY = st.sampled_from([*SPACES, *OTHERS])
TEXT = st.text(st.one_of(TRICKY, st.characters(codec='utf-8')), max_size=40)  # no surrogates


def valid(schema: dict[str, Any], value: object) -> bool:
    return jsonschema_rs.validator_for(schema).is_valid(value)


def accepts(rule, value: str) -> bool:  # type: ignore[no-untyped-def]
    try:
        rule(value)
    except Invalid:
        return False
    return True


@settings(max_examples=400, deadline=None)  # no timing: a loaded machine is slow
@given(st.one_of(TEXT, st.from_regex(rules.USERNAME['pattern'])))
def test_the_username_schema_is_the_username_rule(name: str) -> None:
    reserved = name.strip().lower() in RESERVED_USERNAMES  # left to the description: 422
    if not reserved:
        assert valid(rules.USERNAME, name) == accepts(check_username, name), repr(name)


def test_usernames_that_lower_case_into_ascii_are_refused() -> None:
    assert not accepts(check_username, '\u212aelvin')  # KELVIN SIGN + 'elvin'
    assert not valid(rules.USERNAME, '\u212aelvin')
    assert accepts(check_username, ' Kelvin\x1c') and valid(rules.USERNAME, ' Kelvin\x1c')


@settings(max_examples=400, deadline=None)  # no timing: a loaded machine is slow
@given(st.one_of(TEXT, st.from_regex(rules.COLOR['pattern']), st.sampled_from(rules.COLOR_NAMES)))
def test_the_colour_schema_is_the_colour_rule(value: str) -> None:
    expected = len(value) <= 20 and (not value.strip() or color_name(value) is not None)
    assert valid(rules.COLOR, value) == expected, repr(value)


@settings(max_examples=300, deadline=None)  # no timing: a loaded machine is slow
@given(st.one_of(TEXT, st.from_regex(rules.FORM_VISIBILITY['pattern'])))
def test_the_form_visibility_schema_is_the_visibility_rule(value: str) -> None:
    expected = value == '' or accepts(check_visibility, value)  # empty: the default
    assert valid(rules.FORM_VISIBILITY, value) == expected, repr(value)


@settings(max_examples=300, deadline=None)  # no timing: a loaded machine is slow
@given(TEXT)
def test_a_tag_the_schema_refuses_is_refused(tag: str) -> None:
    if not valid(rules.TAG, tag):
        assert not accepts(lambda t: check_tags([t]), tag)


def test_a_blank_or_invisible_tag_is_skipped_like_an_empty_one() -> None:
    assert check_tags(['', ' ', '\u200b', '\x00', 'Beach']) == ['beach']


@pytest.fixture
def client(library: Library) -> TestClient:
    return client_for(make_app(library))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    display=st.one_of(st.none(), TEXT, st.text(min_size=95, max_size=110)),
    email=st.one_of(st.none(), TEXT, st.builds(lambda a, b: f'{a}@{b}', TEXT, TEXT)),
)
def test_the_signup_schema_matches_what_signup_accepts(
    client: TestClient, library: Library, display: str | None, email: str | None
) -> None:
    body = {'username': 'dora', 'password': PASSWORD, 'display_name': display, 'email': email}
    schema = {
        'type': 'object',
        'properties': {
            'display_name': {'anyOf': [rules.DISPLAY_NAME, {'type': 'null'}]},
            'email': {'anyOf': [rules.EMAIL, {'type': 'null'}]},
        },
    }
    r = client.post('/api/v1/auth/signup', json=body)
    assert r.status_code in (201, 422), r.text
    assert valid(schema, body) == (r.status_code == 201), (body, r.text)
    if r.status_code == 201:
        library.delete_user(r.json()['id'])


def test_a_long_password_is_fine(client: TestClient) -> None:
    """zxcvbn refuses input over 72 characters: the strength check looks at the first 72."""
    password = 'purple elephant juggles lanterns ' * 30  # 990 characters
    r = client.post('/api/v1/auth/signup', json={'username': 'erin', 'password': password})
    assert r.status_code == 201, r.text


# ---- what the document says ------------------------------------------------------------------


@pytest.fixture
def openapi(client: TestClient) -> dict[str, Any]:
    return client.get('/openapi.json').json()


def statuses(openapi: dict[str, Any], path: str, method: str) -> set[str]:
    return set(openapi['paths'][f'/api/v1{path}'][method]['responses'])


def test_unreadable_bodies_full_disks_and_cross_site_requests_are_documented(
    openapi: dict[str, Any],
) -> None:
    for path, method in (('/auth/signup', 'post'), ('/auth/token', 'post')):
        assert {'400', '413', '422'} <= statuses(openapi, path, method)
    assert {'400', '403', '413', '422'} <= statuses(openapi, '/images/{image_id}', 'patch')
    for path in ('/images', '/images/search-by-image'):
        assert {'403', '413', '415', '422', '507'} <= statuses(openapi, path, 'post')


def test_the_upload_forms_say_which_files_they_take(openapi: dict[str, Any]) -> None:
    for path in ('/images', '/images/search-by-image'):
        form = openapi['paths'][f'/api/v1{path}']['post']['requestBody']['content'][
            'multipart/form-data'
        ]
        assert form['encoding']['file']['contentType'] == rules.IMAGE_TYPES
        assert form['schema']['required'] == ['file']


def test_the_search_text_limit_is_the_index_limit(openapi: dict[str, Any]) -> None:
    assert MAX_QUERY == MAX_QUERY_CHARS
    query = {p['name']: p for p in openapi['paths']['/api/v1/images']['get']['parameters']}
    assert query['q']['schema']['maxLength'] == MAX_QUERY_CHARS
    assert query['offset']['schema']['maximum'] >= 10**6


def test_booleans_are_booleans(
    client: TestClient, library: Library, alice: UserPublic, openapi: dict[str, Any]
) -> None:
    token = token_for(library, alice)
    image = upload(client, token).json()
    for value in (0, 1, 'true', 'yes'):
        r = client.patch(
            f'/api/v1/images/{image["id"]}', json={'allow_download': value}, headers=bearer(token)
        )
        assert r.status_code == 422, (value, r.text)
    r = client.patch(
        f'/api/v1/images/{image["id"]}', json={'allow_download': True}, headers=bearer(token)
    )
    assert r.status_code == 200
    assert r.json()['allow_download'] is True


def test_a_huge_offset_is_422_not_a_crash(client: TestClient) -> None:
    r = client.get('/api/v1/images', params={'offset': 827192073493674852352})
    assert r.status_code == 422


@pytest.mark.parametrize(
    ('path', 'allowed'),
    [
        ('/api/v1/images/search-by-image', {'POST'}),
        ('/api/v1/images/abc', {'GET', 'HEAD', 'PATCH', 'DELETE'}),
        ('/api/v1/auth/token', {'POST', 'DELETE'}),
    ],
)
def test_allow_on_405_lists_the_methods_of_that_resource(
    client: TestClient, path: str, allowed: set[str]
) -> None:
    r = client.options(path)
    assert r.status_code == 405
    assert {m.strip() for m in r.headers['allow'].split(',')} == allowed
