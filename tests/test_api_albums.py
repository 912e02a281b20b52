"""API v1 albums: yours and public ones, never widening an image's visibility."""

from __future__ import annotations

from tests import sharing_helpers
from tests.sharing_helpers import Api

api, clock = sharing_helpers.api, sharing_helpers.clock  # the fixtures

ALBUM_GONE = {'detail': 'Album not found'}
ALBUM_KEYS = {
    'id', 'title', 'description', 'visibility', 'owner', 'cover_image_id', 'count',
    'created_at', 'updated_at',
}  # fmt: skip


def album(api: Api, who: dict, **body) -> dict:  # type: ignore[no-untyped-def]
    response = api.client.post('/api/v1/albums', json=body, headers=who)
    assert response.status_code == 201, response.text
    return response.json()


def add(api: Api, who: dict, album_id: str, *image_ids: str) -> int:
    response = api.client.post(
        f'/api/v1/albums/{album_id}/images', json={'image_ids': list(image_ids)}, headers=who
    )
    return response.status_code


def item_ids(api: Api, album_id: str, who: dict | None = None) -> list[str]:
    response = api.client.get(f'/api/v1/albums/{album_id}', headers=who or {})
    assert response.status_code == 200, response.text
    return [i['id'] for i in response.json()['items']]


def test_make_fill_order_and_page_an_album(api: Api):
    a, b, c = (api.upload(api.alice, s)['id'] for s in (1, 2, 3))
    made = album(api, api.alice, title='Holidays', description='Sea', visibility='private')
    assert set(made) == ALBUM_KEYS and made['count'] == 0 and made['owner'] == 'alice'
    assert add(api, api.alice, made['id'], a) == 200
    assert add(api, api.alice, made['id'], b, c) == 200
    assert item_ids(api, made['id'], api.alice)[0] in (b, c)  # newest added first
    assert set(item_ids(api, made['id'], api.alice)) == {a, b, c}
    reordered = api.client.patch(
        f'/api/v1/albums/{made["id"]}', json={'order': [a, c, b], 'cover_image_id': c},
        headers=api.alice,
    )  # fmt: skip
    assert reordered.status_code == 200 and reordered.json()['cover_image_id'] == c
    assert item_ids(api, made['id'], api.alice) == [a, c, b]
    page = api.client.get(
        f'/api/v1/albums/{made["id"]}', params={'limit': 2, 'offset': 1}, headers=api.alice
    ).json()
    assert [i['id'] for i in page['items']] == [c, b] and page['total'] == 3
    removed = api.client.delete(f'/api/v1/albums/{made["id"]}/images/{c}', headers=api.alice)
    assert removed.status_code == 204
    assert item_ids(api, made['id'], api.alice) == [a, b]
    listed = api.client.get('/api/v1/albums', headers=api.alice).json()['items']
    assert [(x['id'], x['count'], x['cover_image_id']) for x in listed] == [(made['id'], 2, a)]
    assert api.client.delete(f'/api/v1/albums/{made["id"]}', headers=api.alice).status_code == 204
    assert api.client.get(f'/api/v1/images/{a}', headers=api.alice).status_code == 200


def test_a_public_album_never_shows_a_private_image_to_others(api: Api):
    public = api.upload(api.alice, 4, visibility='public')['id']
    private = api.upload(api.alice, 5)['id']
    made = album(api, api.alice, title='Mixed', visibility='public')
    add(api, api.alice, made['id'], private, public)
    assert item_ids(api, made['id'], api.alice) == [private, public]
    assert item_ids(api, made['id'], api.bob) == [public]
    visitor = api.visitor().get(f'/api/v1/albums/{made["id"]}').json()
    assert [i['id'] for i in visitor['items']] == [public] and visitor['total'] == 1
    assert visitor['count'] == 1 and visitor['cover_image_id'] == public
    listed = api.visitor().get('/api/v1/albums', params={'owner': 'alice'}).json()['items']
    assert [(x['id'], x['count']) for x in listed] == [(made['id'], 1)]


def test_someone_elses_private_album_is_404_and_yours_only_takes_your_images(api: Api):
    bobs_image = api.upload(api.bob, 6, visibility='public')['id']
    mine = api.upload(api.alice, 7)['id']
    secret = album(api, api.bob, title='Secret')
    public = album(api, api.bob, title='Open', visibility='public')
    c = api.client
    for response in (
        c.get(f'/api/v1/albums/{secret["id"]}', headers=api.alice),
        c.patch(f'/api/v1/albums/{secret["id"]}', json={'title': 'x'}, headers=api.alice),
        c.delete(f'/api/v1/albums/{secret["id"]}', headers=api.alice),
        c.post(f'/api/v1/albums/{secret["id"]}/images', json={'image_ids': [mine]},
               headers=api.alice),
        c.delete(f'/api/v1/albums/{secret["id"]}/images/{bobs_image}', headers=api.alice),
        c.patch(f'/api/v1/albums/{public["id"]}', json={'title': 'x'}, headers=api.alice),
        c.post(f'/api/v1/albums/{public["id"]}/images', json={'image_ids': [mine]},
               headers=api.alice),
    ):  # fmt: skip
        assert (response.status_code, response.json()) == (404, ALBUM_GONE)
    assert [a['id'] for a in c.get('/api/v1/albums', headers=api.alice).json()['items']] == [
        public['id']
    ]
    own = album(api, api.alice, title='Mine')
    refused = c.post(
        f'/api/v1/albums/{own["id"]}/images', json={'image_ids': [mine, bobs_image]},
        headers=api.alice,
    )  # fmt: skip
    assert (refused.status_code, refused.json()) == (404, {'detail': 'Image not found'})
    assert item_ids(api, own['id'], api.alice) == []


def test_anonymous_callers_may_read_public_albums_only(api: Api):
    anonymous = api.visitor()
    assert anonymous.post('/api/v1/albums', json={'title': 'x'}).status_code == 401
    secret = album(api, api.alice, title='Secret')
    assert anonymous.get(f'/api/v1/albums/{secret["id"]}').status_code == 404
    assert anonymous.get('/api/v1/albums').json()['items'] == []
    assert anonymous.patch(f'/api/v1/albums/{secret["id"]}', json={}).status_code == 401
    assert anonymous.delete(f'/api/v1/albums/{secret["id"]}').status_code == 401
    assert (
        anonymous.post(
            f'/api/v1/albums/{secret["id"]}/images', json={'image_ids': ['x']}
        ).status_code
        == 401
    )
    assert anonymous.delete(f'/api/v1/albums/{secret["id"]}/images/x').status_code == 401


def test_album_text_is_checked(api: Api):
    assert (
        api.client.post('/api/v1/albums', json={'title': '  '}, headers=api.alice).status_code
        == 422
    )
    assert (
        api.client.post(
            '/api/v1/albums', json={'title': 'x', 'visibility': 'secret'}, headers=api.alice
        ).status_code
        == 422
    )
