"""API v1 trash: deleting moves to the trash; restore, empty, purge after trash_days."""

from __future__ import annotations

from datetime import timedelta

from repo.core.actor import SYSTEM
from tests import sharing_helpers
from tests.api_helpers import upload
from tests.images import image_bytes
from tests.sharing_helpers import Api

api, clock = sharing_helpers.api, sharing_helpers.clock  # the fixtures


def delete(api: Api, who: dict, image_id: str) -> None:
    assert api.client.delete(f'/api/v1/images/{image_id}', headers=who).status_code == 204


def ids(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    return [i['id'] for i in response.json()['items']]


def blobs(api: Api) -> int:
    return sum(1 for p in api.library.settings.blobs_dir.rglob('*') if p.is_file())


def test_a_deleted_image_vanishes_everywhere_and_restore_brings_all_of_it_back(api: Api):
    image = api.upload(api.alice, 1, title='Harbour at dawn', tags='boats', visibility='public')
    twin = api.upload(api.alice, 2, title='Other')
    album = api.client.post('/api/v1/albums', json={'title': 'Trip'}, headers=api.alice).json()
    api.client.post(
        f'/api/v1/albums/{album["id"]}/images', json={'image_ids': [image['id']]},
        headers=api.alice,
    )  # fmt: skip
    api.library.wait_for_index()
    delete(api, api.alice, image['id'])
    api.library.wait_for_index()
    c, alice = api.client, api.alice
    assert ids(c.get('/api/v1/images', headers=alice)) == [twin['id']]
    assert ids(c.get('/api/v1/images', params={'q': 'harbour'}, headers=alice)) == []
    assert ids(api.visitor().get('/api/v1/images')) == []
    assert 'boats' not in {t['name'] for t in c.get('/api/v1/tags', headers=alice).json()}
    assert c.get(f'/api/v1/images/{image["id"]}', headers=alice).status_code == 404
    assert c.get(f'/api/v1/images/{image["id"]}/thumbnail', headers=alice).status_code == 404
    assert c.get(f'/api/v1/albums/{album["id"]}', headers=alice).json()['items'] == []
    similar = c.get(f'/api/v1/images/{twin["id"]}/similar', headers=alice).json()
    assert image['id'] not in [i['id'] for i in similar['items']]

    trash = c.get('/api/v1/trash', headers=alice).json()
    assert trash['trash_days'] == 30
    [item] = trash['items']
    assert item['id'] == image['id'] and item['title'] == 'Harbour at dawn'
    assert item['deleted_at'] and item['purge_at'] > item['deleted_at']
    assert c.get(f'/api/v1/trash/{image["id"]}/thumbnail', headers=alice).status_code == 200

    restored = c.post('/api/v1/trash/restore', json={'image_ids': [image['id']]}, headers=alice)
    assert ids(restored) == [image['id']]
    api.library.wait_for_index()
    back = c.get(f'/api/v1/images/{image["id"]}', headers=alice).json()
    assert back['tags'] == image['tags'] and back['visibility'] == 'public'
    assert ids(c.get('/api/v1/images', params={'q': 'harbour'}, headers=alice)) == [image['id']]
    assert ids(api.visitor().get('/api/v1/images')) == [image['id']]
    assert ids(c.get(f'/api/v1/albums/{album["id"]}', headers=alice)) == [image['id']]
    assert c.get('/api/v1/trash', headers=alice).json()['items'] == []


def test_empty_removes_the_bytes_only_when_no_other_row_uses_them(api: Api):
    data = image_bytes(seed=3)
    mine = upload(api.client, api.alice['Authorization'][7:], data, 'a.jpg').json()
    bobs = upload(api.client, api.bob['Authorization'][7:], data, 'b.jpg').json()
    before = blobs(api)
    delete(api, api.alice, mine['id'])
    assert blobs(api) == before  # in the trash: the bytes stay
    emptied = api.client.request(
        'DELETE', '/api/v1/trash', json={'image_ids': [mine['id']]}, headers=api.alice
    )
    assert emptied.status_code == 200 and emptied.json() == {'count': 1}
    original = api.client.get(f'/api/v1/images/{bobs["id"]}/original', headers=api.bob)
    assert original.content == data  # bob's copy keeps them
    delete(api, api.bob, bobs['id'])
    assert blobs(api) == before
    emptied = api.client.request('DELETE', '/api/v1/trash', json={'all': True}, headers=api.bob)
    assert emptied.json() == {'count': 1}
    assert blobs(api) == 0
    api.library.wait_for_index()
    assert api.library.check(grace_s=0).ok


def test_the_purge_job_deletes_what_is_older_than_trash_days(api: Api):
    old = api.upload(api.alice, 4)
    delete(api, api.alice, old['id'])
    api.clock.advance(days=20)
    recent = api.upload(api.alice, 5)
    delete(api, api.alice, recent['id'])
    trash = api.library.services.trash
    assert trash.purge_due() == 0
    api.clock.advance(days=10, seconds=1)
    assert trash.purge_due() == 1
    left = api.client.get('/api/v1/trash', headers=api.alice).json()['items']
    assert [i['id'] for i in left] == [recent['id']]
    # A shorter setting applies to what is already there.
    api.library.services.runtime.update(SYSTEM, {'trash_days': 7})
    assert trash.purge_due() == 1
    api.library.wait_for_index()
    assert api.library.check(grace_s=0).ok


def test_no_trash_when_trash_days_is_zero(api: Api):
    api.library.services.runtime.update(SYSTEM, {'trash_days': 0})
    image = api.upload(api.alice, 6)
    delete(api, api.alice, image['id'])
    assert api.client.get('/api/v1/trash', headers=api.alice).json()['items'] == []
    assert blobs(api) == 0


def test_uploading_bytes_in_your_trash_restores_that_image(api: Api):
    image = api.upload(api.alice, 7, title='First', tags='kept')
    delete(api, api.alice, image['id'])
    again = upload(api.client, api.alice['Authorization'][7:], image_bytes(seed=7), 'new.jpg')
    assert again.status_code == 201
    body = again.json()
    assert body['restored'] is True and body['id'] == image['id'] and body['title'] == 'First'
    assert 'kept' in body['tags']
    assert api.client.get('/api/v1/trash', headers=api.alice).json()['items'] == []
    fresh = api.upload(api.alice, 8)
    assert fresh['restored'] is False


def test_someone_elses_trash_is_404_and_anonymous_is_401(api: Api):
    image = api.upload(api.bob, 9)
    delete(api, api.bob, image['id'])
    c = api.client
    assert c.get('/api/v1/trash', headers=api.alice).json()['items'] == []
    for response in (
        c.post('/api/v1/trash/restore', json={'image_ids': [image['id']]}, headers=api.alice),
        c.request('DELETE', '/api/v1/trash', json={'image_ids': [image['id']]}, headers=api.alice),
        c.get(f'/api/v1/trash/{image["id"]}/thumbnail', headers=api.alice),
    ):
        assert (response.status_code, response.json()) == (404, {'detail': 'Image not found'})
    assert c.request('DELETE', '/api/v1/trash', json={'all': True}, headers=api.alice).json() == {
        'count': 0
    }
    assert len(c.get('/api/v1/trash', headers=api.bob).json()['items']) == 1
    anonymous = api.visitor()
    assert anonymous.get('/api/v1/trash').status_code == 401
    assert anonymous.post('/api/v1/trash/restore', json={'image_ids': ['x']}).status_code == 401
    assert anonymous.request('DELETE', '/api/v1/trash', json={'all': True}).status_code == 401
    assert anonymous.get(f'/api/v1/trash/{image["id"]}/thumbnail').status_code == 401
    assert c.request('DELETE', '/api/v1/trash', json={}, headers=api.alice).status_code == 422


def test_deleting_an_account_removes_its_trash_albums_links_and_comments(api: Api):
    image = api.upload(api.alice, 10)
    kept = api.upload(api.alice, 11)
    api.client.post('/api/v1/albums', json={'title': 'A'}, headers=api.alice)
    api.client.post('/api/v1/shares', json={'image_ids': [kept['id']]}, headers=api.alice)
    delete(api, api.alice, image['id'])
    alice = api.library.find_user('alice')
    api.library.delete_user(alice.id)
    assert blobs(api) == 0
    with api.library.services.uow() as tx:
        from sqlmodel import select

        from repo.db.tables_sharing import Album, ShareLink, TrashedImage

        for table in (Album, ShareLink, TrashedImage):
            assert tx.session.exec(select(table)).all() == []


def test_purge_at_follows_the_setting(api: Api):
    image = api.upload(api.alice, 12)
    delete(api, api.alice, image['id'])
    [item] = api.client.get('/api/v1/trash', headers=api.alice).json()['items']
    from datetime import datetime

    deleted = datetime.fromisoformat(item['deleted_at'])
    assert datetime.fromisoformat(item['purge_at']) - deleted == timedelta(days=30)


def test_the_trash_still_counts_against_the_quota(api: Api):
    image = api.upload(api.alice, 13)
    before = api.client.get('/api/v1/me', headers=api.alice).json()['usage']
    delete(api, api.alice, image['id'])
    during = api.client.get('/api/v1/me', headers=api.alice).json()['usage']
    assert (during['images'], during['bytes_used']) == (before['images'], before['bytes_used'])
    api.client.request('DELETE', '/api/v1/trash', json={'all': True}, headers=api.alice)
    after = api.client.get('/api/v1/me', headers=api.alice).json()['usage']
    assert (after['images'], after['bytes_used']) == (0, 0)
