"""API v1 share links: the owner's routes and the visitor's, with expiry, password, revoke."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from tests import sharing_helpers
from tests.sharing_helpers import Api

api, clock = sharing_helpers.api, sharing_helpers.clock  # the fixtures

SHARE_KEYS = {
    'id', 'url', 'key', 'expires_at', 'has_password', 'allow_download', 'show_metadata',
    'label', 'created_at', 'views',
}  # fmt: skip
LINK_GONE = {'detail': 'Share link not found'}
IMAGE_GONE = {'detail': 'Image not found'}


def share(api: Api, who: dict, **body) -> dict:  # type: ignore[no-untyped-def]
    response = api.client.post('/api/v1/shares', json=body, headers=who)
    assert response.status_code == 201, response.text
    return response.json()


def test_a_link_shows_its_images_to_a_visitor_without_an_account(api: Api):
    private = api.upload(api.alice, 1)
    other = api.upload(api.alice, 2)
    link = share(api, api.alice, image_ids=[private['id']], label='For Grandma')
    assert set(link) >= SHARE_KEYS
    assert link['url'].endswith(f'/s/{link["key"]}')
    assert len(link['key']) >= 22  # 128 bits or more, URL-safe
    assert link['has_password'] is False and link['views'] == 0
    visitor = api.visitor()
    shown = visitor.get(f'/api/v1/s/{link["key"]}')
    assert shown.status_code == 200
    body = shown.json()
    assert body['title'] == 'For Grandma' and body['allow_download'] is False
    assert [i['id'] for i in body['items']] == [private['id']]
    thumb = visitor.get(f'/api/v1/s/{link["key"]}/images/{private["id"]}/thumbnail')
    assert thumb.status_code == 200 and thumb.headers['content-type'] == 'image/webp'
    assert 'no-cache' in thumb.headers['cache-control']
    assert visitor.get(f'/api/v1/s/{link["key"]}/images/{private["id"]}/preview').status_code == 200
    # An image outside the link, through the link: the missing-image 404.
    outside = visitor.get(f'/api/v1/s/{link["key"]}/images/{other["id"]}/thumbnail')
    assert (outside.status_code, outside.json()) == (404, IMAGE_GONE)
    # Still private everywhere else.
    assert visitor.get(f'/api/v1/images/{private["id"]}').status_code == 404
    listed = api.client.get('/api/v1/shares', headers=api.alice).json()['items']
    assert [(s['id'], s['views']) for s in listed] == [(link['id'], 1)]


def test_the_original_only_where_downloads_are_allowed(api: Api):
    image = api.upload(api.alice, 3)
    closed = share(api, api.alice, image_ids=[image['id']])
    opened = share(api, api.alice, image_ids=[image['id']], allow_download=True)
    visitor = api.visitor()
    no = visitor.get(f'/api/v1/s/{closed["key"]}/images/{image["id"]}/original')
    assert (no.status_code, no.json()) == (404, IMAGE_GONE)
    yes = visitor.get(f'/api/v1/s/{opened["key"]}/images/{image["id"]}/original')
    assert yes.status_code == 200 and 'attachment' in yes.headers['content-disposition']
    assert yes.content[:2] == b'\xff\xd8'
    assert visitor.get(f'/api/v1/s/{opened["key"]}').json()['allow_download'] is True


def test_camera_facts_only_with_show_metadata(api: Api, monkeypatch):
    image = api.upload(api.alice, 4)
    from repo.db.tables import Image

    with api.library.services.uow() as tx:  # as if the camera had written them
        row = tx.session.get(Image, image['id'])
        row.camera = 'Canon EOS'
        row.iso, row.f_number, row.focal_mm, row.exposure_s = 400, 2.8, 35.0, 0.01
        row.taken_at = row.sort_at = datetime(2021, 6, 1, 12, 0)
        row.latitude, row.longitude = 52.37, 4.89
        tx.session.add(row)
    plain = share(api, api.alice, image_ids=[image['id']])
    rich = share(api, api.alice, image_ids=[image['id']], show_metadata=True)
    visitor = api.visitor()
    shown = visitor.get(f'/api/v1/s/{plain["key"]}').json()['items'][0]
    facts = ('camera', 'iso', 'f_number', 'focal_mm', 'exposure_s', 'taken_at', 'sort_at')
    assert {k: shown[k] for k in facts} == dict.fromkeys(facts)
    told = visitor.get(f'/api/v1/s/{rich["key"]}').json()['items'][0]
    assert told['camera'] == 'Canon EOS' and told['iso'] == 400 and told['taken_at']
    assert shown['location'] is None and told['location'] is None  # GPS never


def test_expired_revoked_and_unknown_links_are_the_same_404(api: Api):
    image = api.upload(api.alice, 5)
    short = share(api, api.alice, image_ids=[image['id']], expires_in=60)
    doomed = share(api, api.alice, image_ids=[image['id']])
    visitor = api.visitor()
    assert visitor.get(f'/api/v1/s/{short["key"]}').status_code == 200
    api.clock.advance(seconds=61)
    after = visitor.get(f'/api/v1/s/{short["key"]}')
    thumb = visitor.get(f'/api/v1/s/{short["key"]}/images/{image["id"]}/thumbnail')
    assert (after.status_code, after.json()) == (404, LINK_GONE)
    assert (thumb.status_code, thumb.json()) == (404, LINK_GONE)
    assert visitor.get(f'/api/v1/s/{doomed["key"]}').status_code == 200
    assert api.client.delete(f'/api/v1/shares/{doomed["id"]}', headers=api.alice).status_code == 204
    revoked = visitor.get(f'/api/v1/s/{doomed["key"]}')
    unknown = visitor.get('/api/v1/s/' + 'x' * 32)
    assert (revoked.status_code, revoked.json()) == (404, LINK_GONE)
    assert (unknown.status_code, unknown.json()) == (404, LINK_GONE)


def test_a_trashed_image_vanishes_from_its_links_and_comes_back_on_restore(api: Api):
    kept = api.upload(api.alice, 6)
    gone = api.upload(api.alice, 7)
    link = share(api, api.alice, image_ids=[kept['id'], gone['id']])
    visitor = api.visitor()
    assert api.client.delete(f'/api/v1/images/{gone["id"]}', headers=api.alice).status_code == 204
    items = visitor.get(f'/api/v1/s/{link["key"]}').json()['items']
    assert [i['id'] for i in items] == [kept['id']]
    thumb = visitor.get(f'/api/v1/s/{link["key"]}/images/{gone["id"]}/thumbnail')
    assert thumb.status_code == 404
    restored = api.client.post(
        '/api/v1/trash/restore', json={'image_ids': [gone['id']]}, headers=api.alice
    )
    assert restored.status_code == 200
    items = visitor.get(f'/api/v1/s/{link["key"]}').json()['items']
    assert {i['id'] for i in items} == {kept['id'], gone['id']}


def test_a_password_by_cookie_or_header_and_wrong_ones_up_to_429(api: Api):
    image = api.upload(api.alice, 8)
    link = share(api, api.alice, image_ids=[image['id']], password='open sesame')
    assert link['has_password'] is True and 'password' not in link
    key = link['key']
    visitor = api.visitor()
    locked = visitor.get(f'/api/v1/s/{key}')
    assert (locked.status_code, locked.json()) == (401, {'detail': 'This link needs a password'})
    assert visitor.get(f'/api/v1/s/{key}/images/{image["id"]}/thumbnail').status_code == 401
    by_header = visitor.get(f'/api/v1/s/{key}', headers={'X-Share-Password': 'open sesame'})
    assert by_header.status_code == 200
    unlocked = visitor.post(f'/api/v1/s/{key}/unlock', json={'password': 'open sesame'})
    assert unlocked.status_code == 200
    cookie = unlocked.headers['set-cookie']
    assert 'HttpOnly' in cookie and 'samesite=lax' in cookie.lower()
    assert key not in cookie and 'open sesame' not in cookie
    assert visitor.get(f'/api/v1/s/{key}').status_code == 200  # the cookie lets it in
    assert visitor.get(f'/api/v1/s/{key}/images/{image["id"]}/thumbnail').status_code == 200
    # A new password ends the old cookie.
    changed = api.client.patch(
        f'/api/v1/shares/{link["id"]}', json={'password': 'new one'}, headers=api.alice
    )
    assert changed.status_code == 200 and changed.json()['has_password'] is True
    assert visitor.get(f'/api/v1/s/{key}').status_code == 401
    # Wrong passwords: ten 401s, then 429 with Retry-After; even the right one waits.
    stranger = api.visitor()
    for _ in range(10):
        wrong = stranger.post(f'/api/v1/s/{key}/unlock', json={'password': 'guess'})
        assert wrong.status_code == 401
    refused = stranger.post(f'/api/v1/s/{key}/unlock', json={'password': 'new one'})
    assert refused.status_code == 429 and int(refused.headers['retry-after']) > 0
    api.clock.advance(minutes=11)
    assert stranger.post(f'/api/v1/s/{key}/unlock', json={'password': 'new one'}).status_code == 200


def test_patch_changes_expiry_flags_and_label_and_removes_the_password(api: Api):
    image = api.upload(api.alice, 9)
    link = share(api, api.alice, image_ids=[image['id']], password='pw', expires_in=60)
    assert link['expires_at'] is not None
    changed = api.client.patch(
        f'/api/v1/shares/{link["id"]}',
        json={'expires_in': None, 'password': None, 'allow_download': True, 'label': 'Bob'},
        headers=api.alice,
    ).json()
    assert changed['expires_at'] is None and changed['has_password'] is False
    assert changed['allow_download'] is True and changed['label'] == 'Bob'
    api.clock.advance(days=400)
    assert api.visitor().get(f'/api/v1/s/{link["key"]}').status_code == 200


def test_only_your_own_images_and_albums_and_links(api: Api):
    bobs_private = api.upload(api.bob, 10)
    bobs_public = api.upload(api.bob, 11, visibility='public')
    mine = api.upload(api.alice, 12)
    for ids in ([bobs_private['id']], [bobs_public['id']], [mine['id'], bobs_public['id']]):
        refused = api.client.post('/api/v1/shares', json={'image_ids': ids}, headers=api.alice)
        assert (refused.status_code, refused.json()) == (404, IMAGE_GONE)
    album = api.client.post('/api/v1/albums', json={'title': 'Bob'}, headers=api.bob).json()
    refused = api.client.post('/api/v1/shares', json={'album_id': album['id']}, headers=api.alice)
    assert refused.status_code == 404
    bobs_link = share(api, api.bob, image_ids=[bobs_private['id']])
    for method in ('PATCH', 'DELETE'):
        other = api.client.request(
            method, f'/api/v1/shares/{bobs_link["id"]}', json={'label': 'x'}, headers=api.alice
        )
        assert (other.status_code, other.json()) == (404, LINK_GONE)
    assert api.client.get('/api/v1/shares', headers=api.alice).json()['items'] == []
    assert api.visitor().get(f'/api/v1/s/{bobs_link["key"]}').status_code == 200


def test_anonymous_callers_are_401_on_the_owner_routes(api: Api):
    anonymous = api.visitor()
    assert anonymous.post('/api/v1/shares', json={'image_ids': ['x']}).status_code == 401
    assert anonymous.get('/api/v1/shares').status_code == 401
    assert anonymous.patch('/api/v1/shares/x', json={}).status_code == 401
    assert anonymous.delete('/api/v1/shares/x').status_code == 401


def test_an_album_link_shows_all_of_it_and_new_images_appear(api: Api):
    public = api.upload(api.alice, 13, visibility='public')
    private = api.upload(api.alice, 14)
    album = api.client.post(
        '/api/v1/albums', json={'title': 'Summer <b>2030</b>'}, headers=api.alice
    ).json()
    api.client.post(
        f'/api/v1/albums/{album["id"]}/images', json={'image_ids': [public['id']]},
        headers=api.alice,
    )  # fmt: skip
    link = share(api, api.alice, album_id=album['id'])
    visitor = api.visitor()
    shown = visitor.get(f'/api/v1/s/{link["key"]}').json()
    assert shown['title'] == 'Summer <b>2030</b>'
    assert [i['id'] for i in shown['items']] == [public['id']]
    api.client.post(
        f'/api/v1/albums/{album["id"]}/images', json={'image_ids': [private['id']]},
        headers=api.alice,
    )  # fmt: skip
    shown = visitor.get(f'/api/v1/s/{link["key"]}').json()
    assert [i['id'] for i in shown['items']] == [private['id'], public['id']]
    thumb = visitor.get(f'/api/v1/s/{link["key"]}/images/{private["id"]}/thumbnail')
    assert thumb.status_code == 200


@pytest.mark.parametrize(
    'body',
    [{}, {'image_ids': []}, {'image_ids': ['a'], 'album_id': 'b'}, {'image_ids': ['a'],
     'expires_in': 0}, {'image_ids': ['a'], 'password': ''}, {'image_ids': ['a'],
     'label': 'x' * 201}],
)  # fmt: skip
def test_invalid_links_are_422(api: Api, body: dict):
    image = api.upload(api.alice, 15)
    body = {k: ([image['id']] if v == ['a'] else v) for k, v in body.items()}
    response = api.client.post('/api/v1/shares', json=body, headers=api.alice)
    assert response.status_code == 422, response.text


def test_the_key_is_random_and_documented(api: Api):
    image = api.upload(api.alice, 16)
    keys = {share(api, api.alice, image_ids=[image['id']])['key'] for _ in range(5)}
    assert len(keys) == 5 and all(re.fullmatch(r'[A-Za-z0-9_-]{32}', k) for k in keys)
    paths = api.client.get('/openapi.json').json()['paths']
    for path in ('/api/v1/shares', '/api/v1/shares/{share_id}', '/api/v1/s/{key}',
                 '/api/v1/s/{key}/unlock', '/api/v1/s/{key}/images/{image_id}/{kind}'):  # fmt: skip
        assert path in paths
        for operation in paths[path].values():
            assert operation['tags'] == ['shares']


def test_an_original_through_a_link_never_carries_the_location(api: Api):
    import io

    from PIL import Image

    from tests.api_helpers import upload

    exif = Image.Exif()
    exif[0x0110] = 'Pocket camera'
    exif[0x8825] = {1: 'N', 2: (52.0, 22.0, 1.0), 3: 'E', 4: (4.0, 53.0, 1.0)}
    buf = io.BytesIO()
    Image.new('RGB', (120, 90), 'teal').save(buf, 'JPEG', exif=exif)
    data = buf.getvalue()
    image = upload(api.client, api.alice['Authorization'][7:], data, 'here.jpg').json()
    link = share(api, api.alice, image_ids=[image['id']], allow_download=True)
    got = api.visitor().get(f'/api/v1/s/{link["key"]}/images/{image["id"]}/original')
    assert got.status_code == 200
    shared = Image.open(io.BytesIO(got.content))
    shared.load()
    assert shared.size == (120, 90)
    assert shared.getexif().get_ifd(0x8825) == {}
    assert shared.getexif().get(0x0110) == 'Pocket camera'
    own = api.client.get(f'/api/v1/images/{image["id"]}/original', headers=api.alice)
    assert own.content == data  # the owner's own copy is as uploaded
    # Sharing the location with signed-in viewers does not open it to link visitors.
    r = api.client.patch(
        f'/api/v1/images/{image["id"]}', json={'share_location': True}, headers=api.alice
    )
    assert r.status_code == 200
    got = api.visitor().get(f'/api/v1/s/{link["key"]}/images/{image["id"]}/original')
    assert Image.open(io.BytesIO(got.content)).getexif().get_ifd(0x8825) == {}
