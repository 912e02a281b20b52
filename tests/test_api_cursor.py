"""Keyset pagination: `?cursor=` on GET /api/v1/images walks a list without skipping or
repeating an image while others arrive between pages, and never shows others' private ones."""

from __future__ import annotations

import itertools

import pytest
from starlette.testclient import TestClient

from repo.core.timeline import SORTS
from tests.api_helpers import bearer, make_app, token_for, upload
from tests.images import image_bytes

_seed = itertools.count(5000)


@pytest.fixture
def http(library) -> TestClient:  # type: ignore[no-untyped-def]
    return TestClient(make_app(library), raise_server_exceptions=False)


def add(http: TestClient, token: str, visibility: str = 'public') -> str:
    made = upload(http, token, image_bytes(seed=next(_seed)), visibility=visibility)
    assert made.status_code == 201, made.text
    return made.json()['id']


def walk(http: TestClient, token: str | None, sort: str, between=lambda: None) -> list[str]:  # type: ignore[no-untyped-def]
    """Every id met following next_cursor, three a page, calling `between` after each page."""
    headers = bearer(token) if token else {}
    seen: list[str] = []
    params: dict[str, str | int] = {'sort': sort, 'limit': 3}
    for _ in range(50):
        page = http.get('/api/v1/images', params=params, headers=headers)
        assert page.status_code == 200, page.text
        body = page.json()
        seen += [item['id'] for item in body['items']]
        if body['next_cursor'] is None:
            return seen
        params['cursor'] = body['next_cursor']
        between()
    raise AssertionError('the walk did not end')


@pytest.mark.parametrize('sort', SORTS)
def test_a_walk_skips_and_repeats_nothing_while_uploads_arrive(library, alice, http, sort):
    token = token_for(library, alice)
    before = [add(http, token) for _ in range(8)]
    arrived: list[str] = []
    seen = walk(http, token, sort, between=lambda: arrived.append(add(http, token)))
    assert len(seen) == len(set(seen)), 'an image came twice'
    assert set(before) <= set(seen), 'an image there from the start was skipped'
    assert set(seen) <= set(before) | set(arrived)
    if sort in ('oldest', 'uploaded_oldest'):  # what arrives goes to the end: met on the way
        assert set(arrived) <= set(seen)


def test_the_walk_gives_the_same_order_as_one_big_page(library, alice, http):
    token = token_for(library, alice)
    for _ in range(7):
        add(http, token)
    whole = http.get('/api/v1/images', params={'limit': 50}, headers=bearer(token)).json()
    assert whole['next_cursor'] is None
    assert walk(http, token, 'newest') == [item['id'] for item in whole['items']]


def test_a_walk_never_shows_someone_elses_private_image(library, alice, bob, http):
    mine, theirs = token_for(library, alice), token_for(library, bob)
    public = [add(http, theirs) for _ in range(4)] + [add(http, mine) for _ in range(2)]
    hidden = [add(http, theirs, visibility='private') for _ in range(4)]
    seen = walk(http, mine, 'newest')
    assert set(seen) == set(public)
    assert not set(hidden) & set(seen)
    assert not set(hidden) & set(walk(http, None, 'uploaded_oldest'))


@pytest.mark.parametrize(
    'params',
    [
        {'cursor': 'not-a-cursor'},
        {'cursor': 'e30'},  # base64 of {}: well formed, not ours
        {'cursor': 'x' * 500},
    ],
)
def test_a_cursor_the_server_did_not_give_is_a_422(library, alice, http, params):
    response = http.get('/api/v1/images', params=params, headers=bearer(token_for(library, alice)))
    assert response.status_code == 422
    assert 'cursor' in str(response.json()['detail'])


def test_a_cursor_with_offset_another_sort_or_a_search_is_a_422(library, alice, http):
    token = token_for(library, alice)
    for _ in range(4):
        add(http, token)
    first = http.get('/api/v1/images', params={'limit': 2}, headers=bearer(token)).json()
    cursor = first['next_cursor']
    assert cursor
    for params in (
        {'cursor': cursor, 'offset': 2},
        {'cursor': cursor, 'sort': 'oldest'},
        {'cursor': cursor, 'q': 'harbour'},
    ):
        response = http.get('/api/v1/images', params=params, headers=bearer(token))
        assert response.status_code == 422, params
        assert 'cursor' in str(response.json()['detail'])
