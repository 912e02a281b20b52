"""The timeline (issue 10): images by the date they were taken, falling back to the upload
time; the upload order as its own sort; jumping to a year; the years list and who sees what."""

from __future__ import annotations

import sqlite3

import pytest
from starlette.testclient import TestClient

from repo.core.schemas import UserPublic
from repo.library import Library
from tests import images
from tests.api_helpers import bearer, client_for, make_app, token_for, upload


@pytest.fixture
def client(library: Library) -> TestClient:
    return client_for(make_app(library))


@pytest.fixture
def alice_token(library: Library, alice: UserPublic) -> str:
    return token_for(library, alice)


def add(client: TestClient, token: str, title: str, taken: str | None, seed: int, **fields):  # type: ignore[no-untyped-def]
    data = images.exif_photo(seed, taken=taken) if taken else images.image_bytes(seed=seed)
    r = upload(client, token, data=data, filename=f'{title}.jpg', title=title, **fields)
    assert r.status_code == 201, r.text
    return r.json()


@pytest.fixture
def album(client: TestClient, library: Library, alice_token: str) -> dict[str, dict]:
    """Uploaded in this order: a 2020 photo, a 2015 scan, then a screenshot without EXIF."""
    made = {
        'summer': add(client, alice_token, 'Summer 2020', '2020:07:14 18:30:00', 1, tags='trip'),
        'scan': add(client, alice_token, 'Old scan 2015', '2015:03:02 09:00:00', 2, tags='trip'),
        'shot': add(client, alice_token, 'Screenshot', None, 3, visibility='public', tags='trip'),
    }
    library.wait_for_index()
    return made


def titles(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    return [i['title'] for i in response.json()['items']]


def test_newest_and_oldest_follow_the_date_taken_and_upload_order_stays(
    client: TestClient, album: dict, alice_token: str
) -> None:
    auth = bearer(alice_token)
    taken_order = ['Screenshot', 'Summer 2020', 'Old scan 2015']
    assert titles(client.get('/api/v1/images', headers=auth)) == taken_order
    assert titles(client.get('/api/v1/images?sort=newest', headers=auth)) == taken_order
    assert titles(client.get('/api/v1/images?sort=oldest', headers=auth)) == taken_order[::-1]
    uploaded = ['Screenshot', 'Old scan 2015', 'Summer 2020']
    assert titles(client.get('/api/v1/images?sort=uploaded_newest', headers=auth)) == uploaded
    assert titles(client.get('/api/v1/images?sort=uploaded_oldest', headers=auth)) == uploaded[::-1]
    summer = album['summer']
    assert summer['sort_at'].startswith('2020-07-14T18:30')
    assert album['shot']['sort_at'][:16] == album['shot']['created_at'][:16]


def test_search_sorts_by_date_taken_too(client: TestClient, album: dict, alice_token: str):
    auth = bearer(alice_token)
    found = client.get('/api/v1/images?q=trip&sort=oldest', headers=auth)
    assert titles(found) == ['Old scan 2015', 'Summer 2020', 'Screenshot']
    found = client.get('/api/v1/images?q=trip&sort=uploaded_oldest', headers=auth)
    assert titles(found) == ['Summer 2020', 'Old scan 2015', 'Screenshot']


def test_jumping_to_a_year_starts_there_and_goes_on(
    client: TestClient, album: dict, alice_token: str
) -> None:
    auth = bearer(alice_token)
    assert titles(client.get('/api/v1/images?year=2020', headers=auth)) == [
        'Summer 2020',
        'Old scan 2015',
    ]
    assert titles(client.get('/api/v1/images?year=2019', headers=auth)) == ['Old scan 2015']
    assert titles(client.get('/api/v1/images?year=2016&sort=oldest', headers=auth)) == [
        'Summer 2020',
        'Screenshot',
    ]
    page = client.get('/api/v1/images?year=2020', headers=auth).json()
    assert page['total'] == 2
    for bad in ('year=1066', 'year=soon', 'year=2020&sort=uploaded_newest'):
        r = client.get(f'/api/v1/images?{bad}', headers=auth)
        assert r.status_code == 422, bad


def test_the_years_count_only_what_the_caller_may_see(
    client: TestClient, library: Library, album: dict, alice_token: str, bob: UserPublic
) -> None:
    this_year = int(album['shot']['sort_at'][:4])
    mine = client.get('/api/v1/timeline', headers=bearer(alice_token))
    assert mine.status_code == 200
    assert mine.json() == {
        'years': [
            {'year': this_year, 'count': 1},
            {'year': 2020, 'count': 1},
            {'year': 2015, 'count': 1},
        ]
    }
    # Someone else's private photos are no one else's business: not even their years.
    bobs = client.get('/api/v1/timeline', headers=bearer(token_for(library, bob)))
    assert bobs.json() == {'years': [{'year': this_year, 'count': 1}]}
    anonymous = client.get('/api/v1/timeline')
    assert anonymous.json() == {'years': [{'year': this_year, 'count': 1}]}
    assert client.get('/api/v1/timeline?owner=alice&visibility=private').json() == {'years': []}
    assert client.get('/api/v1/timeline', headers=bearer('not-a-token')).status_code == 401


def test_the_sorts_are_documented(client: TestClient) -> None:
    listing = client.get('/openapi.json').json()['paths']['/api/v1/images']['get']
    sort = next(p for p in listing['parameters'] if p['name'] == 'sort')
    values = sort['schema']['anyOf'][0]['enum']
    assert set(values) == {'newest', 'oldest', 'relevance', 'uploaded_newest', 'uploaded_oldest'}
    assert 'uploaded_newest' in listing['description']
    assert '/api/v1/timeline' in client.get('/openapi.json').json()['paths']


def test_an_old_database_gets_its_timeline_from_taken_and_upload_times(
    make_library, settings
) -> None:  # type: ignore[no-untyped-def]
    lib = make_library(settings)
    alice = lib.create_user('alice', 'correct horse battery staple')
    summer = lib.add(
        alice.id, images.exif_photo(1, taken='2020:07:14 18:30:00'), 'summer.jpg', tags=['kept']
    )
    shot = lib.add(alice.id, images.image_bytes(seed=3), 'shot.jpg')
    lib.close()
    with sqlite3.connect(settings.db_path) as db:  # back to revision 0020, before the timeline
        for index in ('ix_image_sort_at', 'ix_image_owner_sort', 'ix_image_visibility_sort'):
            db.execute(f'DROP INDEX {index}')
        for column in ('sort_at', 'iso', 'exposure_s', 'f_number', 'focal_mm', 'latitude'):
            db.execute(f'ALTER TABLE image DROP COLUMN {column}')
        db.execute('ALTER TABLE image DROP COLUMN longitude')
        db.execute('ALTER TABLE image DROP COLUMN share_location')
        db.execute("UPDATE alembic_version SET version_num = '0020'")
    lib = make_library(settings)
    assert [i.id for i in lib.list(alice.id, sort='oldest').items] == [summer.id, shot.id]
    assert lib.get(alice.id, summer.id).sort_at.year == 2020
    assert images.own_tags(lib.get(alice.id, summer.id)) == ['kept']  # the table was not rebuilt
    with sqlite3.connect(settings.db_path) as db:
        (created,) = db.execute('SELECT created_at FROM image WHERE id = ?', (shot.id,)).fetchone()
        (sort_at,) = db.execute('SELECT sort_at FROM image WHERE id = ?', (shot.id,)).fetchone()
    assert sort_at == created
