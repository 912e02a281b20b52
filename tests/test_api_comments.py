"""API v1 comments: as visible as the image, plain text, rate-limited, switchable per image."""

from __future__ import annotations

from tests import sharing_helpers
from tests.sharing_helpers import Api

api, clock = sharing_helpers.api, sharing_helpers.clock  # the fixtures

XSS = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


def comment(api: Api, who: dict, image_id: str, text: str):  # type: ignore[no-untyped-def]
    return api.client.post(f'/api/v1/images/{image_id}/comments', json={'text': text}, headers=who)


def test_comment_read_and_delete_on_a_public_image(api: Api):
    image = api.upload(api.alice, 1, visibility='public')['id']
    made = comment(api, api.bob, image, XSS)
    assert made.status_code == 201
    body = made.json()
    assert {'id', 'author', 'text', 'created_at'} <= set(body)
    assert body['author'] == 'bob' and body['text'] == XSS  # stored as text, as given
    api.clock.advance(seconds=1)
    comment(api, api.alice, image, 'Thanks!')
    listed = api.visitor().get(f'/api/v1/images/{image}/comments').json()
    assert [c['text'] for c in listed['items']] == [XSS, 'Thanks!']  # newest last
    assert listed['comments_enabled'] is True
    # The author or the image's owner may delete; anyone else gets the missing-comment 404.
    theirs = comment(api, api.alice, image, 'by alice').json()['id']
    assert api.client.delete(f'/api/v1/comments/{theirs}', headers=api.bob).status_code == 404
    assert api.client.delete(f'/api/v1/comments/{body["id"]}', headers=api.alice).status_code == 204
    assert api.client.delete(f'/api/v1/comments/{theirs}', headers=api.alice).status_code == 204
    left = api.client.get(f'/api/v1/images/{image}/comments', headers=api.bob).json()['items']
    assert [c['text'] for c in left] == ['Thanks!']


def test_a_private_images_comments_are_as_invisible_as_the_image(api: Api):
    image = api.upload(api.alice, 2)['id']
    own = comment(api, api.alice, image, 'note to self').json()['id']
    gone = {'detail': 'Image not found'}
    for response in (
        api.client.get(f'/api/v1/images/{image}/comments', headers=api.bob),
        comment(api, api.bob, image, 'hi'),
        api.visitor().get(f'/api/v1/images/{image}/comments'),
    ):
        assert (response.status_code, response.json()) == (404, gone)
    assert api.client.delete(f'/api/v1/comments/{own}', headers=api.bob).status_code == 404
    assert (
        api.visitor().post(f'/api/v1/images/{image}/comments', json={'text': 'hi'}).status_code
        == 401
    )
    assert api.visitor().delete(f'/api/v1/comments/{own}').status_code == 401


def test_length_rate_and_the_owners_switch(api: Api):
    image = api.upload(api.alice, 3, visibility='public')['id']
    assert comment(api, api.bob, image, '   ').status_code == 422
    assert comment(api, api.bob, image, 'x' * 2001).status_code == 422
    assert comment(api, api.bob, image, 'x' * 2000).status_code == 201
    for i in range(9):
        assert comment(api, api.bob, image, f'n{i}').status_code == 201
    throttled = comment(api, api.bob, image, 'one too many')
    assert throttled.status_code == 429 and 'retry-after' in throttled.headers
    api.clock.advance(minutes=1, seconds=1)
    assert comment(api, api.bob, image, 'later').status_code == 201
    # Only the owner switches comments off; then nobody may add one.
    assert (
        api.client.patch(
            f'/api/v1/images/{image}', json={'comments_enabled': False}, headers=api.bob
        ).status_code
        == 403
    )
    assert (
        api.client.patch(
            f'/api/v1/images/{image}', json={'comments_enabled': False}, headers=api.alice
        ).status_code
        == 200
    )
    assert comment(api, api.bob, image, 'no').status_code == 403
    listed = api.client.get(f'/api/v1/images/{image}/comments', headers=api.bob).json()
    assert listed['comments_enabled'] is False


def test_comments_come_back_with_a_restored_image(api: Api):
    image = api.upload(api.alice, 4, visibility='public')['id']
    comment(api, api.bob, image, 'lovely')
    api.client.delete(f'/api/v1/images/{image}', headers=api.alice)
    assert api.client.get(f'/api/v1/images/{image}/comments', headers=api.bob).status_code == 404
    api.client.post('/api/v1/trash/restore', json={'image_ids': [image]}, headers=api.alice)
    listed = api.client.get(f'/api/v1/images/{image}/comments', headers=api.bob).json()['items']
    assert [c['text'] for c in listed] == ['lovely']
