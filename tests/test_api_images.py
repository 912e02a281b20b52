"""API v1 images: upload, list and search, read, bytes, edit, delete, and who may do what."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from repo.core.schemas import UserPublic
from repo.library import Library
from tests import images
from tests.api_helpers import bearer, client_for, make_app, token_for, upload

IMAGE_KEYS = {
    'id',
    'title',
    'description',
    'tags',
    'visibility',
    'owner',
    'filename',
    'format',
    'width',
    'height',
    'size_bytes',
    'sha256',
    'colors',
    'taken_at',
    'created_at',
    'updated_at',
}
ID_ROUTES = [
    ('GET', ''),
    ('GET', '/thumbnail'),
    ('GET', '/preview'),
    ('GET', '/original'),
    ('PATCH', ''),
    ('DELETE', ''),
]


@pytest.fixture
def client(library: Library) -> TestClient:
    return client_for(make_app(library))


@pytest.fixture
def alice_token(library: Library, alice: UserPublic) -> str:
    return token_for(library, alice)


@pytest.fixture
def bob_token(library: Library, bob: UserPublic) -> str:
    return token_for(library, bob)


def added(client: TestClient, token: str, **kwargs) -> dict:  # type: ignore[no-untyped-def]
    r = upload(client, token, **kwargs)
    assert r.status_code == 201, r.text
    return r.json()


def call(client: TestClient, method: str, url: str, token: str | None = None):  # type: ignore[no-untyped-def]
    headers = bearer(token) if token else {}
    body = {'json': {'title': 'x'}} if method == 'PATCH' else {}
    return client.request(method, url, headers=headers, **body)


# ---- upload --------------------------------------------------------------------------------------


def test_upload_returns_the_image_in_the_documented_shape(
    client: TestClient, alice_token: str
) -> None:
    data = images.image_bytes('PNG', seed=3, size=(120, 80))
    image = added(
        client,
        alice_token,
        data=data,
        filename='Beach day.png',
        title='The beach',
        description='Sand and sea',
        tags=' Beach, summer ,beach',
        visibility='public',
    )
    assert set(image) >= IMAGE_KEYS
    assert image['title'] == 'The beach'
    assert image['description'] == 'Sand and sea'
    assert [t for t in image['tags'] if t not in image['auto_tags']] == ['beach', 'summer']
    assert 'landscape' in image['auto_tags']  # added by Shoebox, and marked as such
    assert image['visibility'] == 'public'
    assert image['owner'] == 'alice'
    assert image['filename'] == 'Beach day.png'
    assert (image['format'], image['width'], image['height']) == ('PNG', 120, 80)
    assert image['size_bytes'] == len(data)
    assert len(image['sha256']) == 64
    assert image['colors'] and all(c.startswith('#') and len(c) == 7 for c in image['colors'])
    assert 'owner_id' not in image and 'dhash' not in image


def test_upload_defaults_private_and_a_title_from_the_file_name(
    client: TestClient, alice_token: str
) -> None:
    image = added(client, alice_token, filename='IMG_0001.jpg')
    assert image['visibility'] == 'private'
    assert image['title'] == 'IMG_0001'


def test_an_owner_field_in_the_form_is_ignored(
    client: TestClient, alice: UserPublic, bob_token: str
) -> None:
    image = added(client, bob_token, owner='alice', owner_id=str(alice.id))
    assert image['owner'] == 'bob'


def test_upload_needs_an_account(client: TestClient) -> None:
    r = upload(client, None)
    assert r.status_code == 401
    assert r.json() == {'detail': 'Not authenticated'}


@pytest.mark.parametrize(
    ('data', 'status', 'words'),
    [
        (images.SVG, 415, 'SVG'),
        (images.PDF, 415, 'PDF'),
        (images.TEXT, 415, 'text'),
        (images.HTML, 415, ''),
        (images.tiff_bytes(), 415, 'TIFF'),
        (images.truncated_jpeg(), 422, 'truncated'),
        (images.flat_png_bomb(), 422, 'bomb'),
        (images.png_header_only(20_000, 20_000), 422, 'limit'),
        (b'', 422, 'empty'),
    ],
    ids=['svg', 'pdf', 'text', 'html', 'tiff', 'truncated', 'bomb', 'too-many-pixels', 'empty'],
)
def test_refused_uploads_say_why_and_leave_nothing(
    client: TestClient, library: Library, alice_token: str, data: bytes, status: int, words: str
) -> None:
    r = upload(client, alice_token, data=data, filename='file.jpg')
    assert r.status_code == status, r.text
    assert set(r.json()) == {'detail'}
    assert words in r.json()['detail']
    assert list(library.settings.tmp_dir.iterdir()) == []
    assert not any(p.is_file() for p in library.settings.blobs_dir.rglob('*'))


def test_same_bytes_again_is_409_naming_the_existing_image(
    client: TestClient, alice_token: str, bob_token: str
) -> None:
    first = added(client, alice_token, filename='a.jpg')
    again = upload(client, alice_token, filename='b.jpg')
    assert again.status_code == 409
    body = again.json()
    assert body['existing_id'] == first['id']
    assert isinstance(body['detail'], str)
    assert upload(client, bob_token).status_code == 201  # someone else's copy is not a duplicate


@pytest.mark.parametrize(
    ('fields', 'words'),
    [
        ({'visibility': 'friends'}, 'Visibility'),
        ({'title': 'x' * 300}, 'title'),
        ({'tags': ','.join(f't{i}' for i in range(40))}, 'tags'),
    ],
)
def test_invalid_fields_are_422(
    client: TestClient, library: Library, alice_token: str, fields: dict, words: str
) -> None:
    r = upload(client, alice_token, **fields)
    assert r.status_code == 422
    assert words in r.json()['detail']
    assert list(library.settings.tmp_dir.iterdir()) == []


def test_a_form_without_a_file_is_422(client: TestClient, alice_token: str) -> None:
    r = client.post(
        '/api/v1/images', headers=bearer(alice_token), data={'title': 'x'}, files={'x': b''}
    )
    assert r.status_code == 422
    assert r.json() == {'detail': 'The form field "file" is required'}


def test_a_body_that_is_not_multipart_is_415(client: TestClient, alice_token: str) -> None:
    r = client.post('/api/v1/images', headers=bearer(alice_token), json={'file': 'abc'})
    assert r.status_code == 415
    assert 'multipart/form-data' in r.json()['detail']


def test_two_files_in_one_request_are_refused(
    client: TestClient, library: Library, alice_token: str
) -> None:
    r = client.post(
        '/api/v1/images',
        headers=bearer(alice_token),
        files=[('file', ('a.jpg', images.image_bytes(seed=1))), ('file', ('b.jpg', b'xx'))],
    )
    assert r.status_code == 422
    assert 'one file' in r.json()['detail']
    assert list(library.settings.tmp_dir.iterdir()) == []


# ---- list and search -----------------------------------------------------------------------------


@pytest.fixture
def gallery(client: TestClient, library: Library, alice_token: str, bob_token: str) -> dict:
    """alice: sunset (public, beach), harbour (private, beach); bob: forest (public)."""
    made = {
        'sunset': added(
            client, alice_token, data=images.image_bytes(seed=1), title='Sunset over the bay',
            tags='beach,evening', visibility='public',
        ),
        'harbour': added(
            client, alice_token, data=images.image_bytes(seed=2), title='Harbour at night',
            tags='beach', visibility='private',
        ),
        'forest': added(
            client, bob_token, data=images.image_bytes(seed=3), title='Forest walk',
            description='A sunset seen through trees', visibility='public',
        ),
    }  # fmt: skip
    library.wait_for_index()
    return made


def titles(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    return [i['title'] for i in response.json()['items']]


def test_listing_shows_what_the_caller_may_see_newest_first(
    client: TestClient, gallery: dict, alice_token: str, bob_token: str
) -> None:
    anonymous = client.get('/api/v1/images')
    assert titles(anonymous) == ['Forest walk', 'Sunset over the bay']
    assert anonymous.json() | {'items': None} == {
        'items': None,
        'total': 2,
        'limit': 50,
        'offset': 0,
        'suggestion': None,
        'next_cursor': None,  # the page is not full: it is the last
    }
    mine = client.get('/api/v1/images', headers=bearer(alice_token))
    assert titles(mine) == ['Forest walk', 'Harbour at night', 'Sunset over the bay']
    oldest = client.get('/api/v1/images?sort=oldest', headers=bearer(alice_token))
    assert titles(oldest) == ['Sunset over the bay', 'Harbour at night', 'Forest walk']
    bobs_view = client.get('/api/v1/images?owner=alice', headers=bearer(bob_token))
    assert titles(bobs_view) == ['Sunset over the bay']


def test_listing_filters_and_pages(client: TestClient, gallery: dict, alice_token: str) -> None:
    auth = bearer(alice_token)
    assert titles(client.get('/api/v1/images?tags=beach', headers=auth)) == [
        'Harbour at night',
        'Sunset over the bay',
    ]
    assert titles(client.get('/api/v1/images?tags=beach,evening', headers=auth)) == [
        'Sunset over the bay'
    ]
    assert titles(client.get('/api/v1/images?visibility=private', headers=auth)) == [
        'Harbour at night'
    ]
    assert titles(client.get('/api/v1/images?owner=nobody', headers=auth)) == []
    page = client.get('/api/v1/images?limit=1&offset=1', headers=auth).json()
    assert (page['total'], page['limit'], page['offset']) == (3, 1, 1)
    assert [i['title'] for i in page['items']] == ['Harbour at night']


def test_search_goes_through_the_index_with_the_same_visibility(
    client: TestClient, gallery: dict, alice_token: str, bob_token: str
) -> None:
    assert set(titles(client.get('/api/v1/images?q=sunset'))) == {
        'Sunset over the bay',
        'Forest walk',
    }
    # The title match outranks the description match.
    assert titles(client.get('/api/v1/images?q=sunset'))[0] == 'Sunset over the bay'
    assert titles(client.get('/api/v1/images?q=harbour')) == []
    assert titles(client.get('/api/v1/images?q=harbour', headers=bearer(bob_token))) == []
    assert titles(client.get('/api/v1/images?q=harbour', headers=bearer(alice_token))) == [
        'Harbour at night'
    ]
    newest = client.get('/api/v1/images?q=sunset&sort=newest')
    assert titles(newest) == ['Forest walk', 'Sunset over the bay']
    only_bob = client.get('/api/v1/images?q=sunset&owner=bob')
    assert titles(only_bob) == ['Forest walk']


@pytest.mark.parametrize(
    ('query', 'field'),
    [
        ('limit=0', '"limit"'),
        ('limit=201', '"limit"'),
        ('limit=ten', '"limit"'),
        ('offset=-1', '"offset"'),
        ('sort=random', '"sort"'),
        ('visibility=friends', '"visibility"'),
    ],
)
def test_bad_list_parameters_are_422_naming_the_parameter(
    client: TestClient, query: str, field: str
) -> None:
    r = client.get(f'/api/v1/images?{query}')
    assert r.status_code == 422
    detail = r.json()['detail']
    assert isinstance(detail, str) and field in detail and 'Query parameter' in detail


# ---- one image: JSON, bytes ----------------------------------------------------------------------


def test_get_one_image(client: TestClient, gallery: dict, alice_token: str) -> None:
    sunset = gallery['sunset']
    r = client.get(f'/api/v1/images/{sunset["id"]}')
    assert r.status_code == 200
    assert r.json() == sunset


def test_renditions_are_webp_with_etags_and_honour_if_none_match(
    client: TestClient, gallery: dict
) -> None:
    sunset = gallery['sunset']['id']
    for kind in ('thumbnail', 'preview'):
        r = client.get(f'/api/v1/images/{sunset}/{kind}')
        assert r.status_code == 200
        assert r.headers['content-type'] == 'image/webp'
        assert r.content[:4] == b'RIFF' and r.content[8:12] == b'WEBP'
        etag = r.headers['etag']
        assert r.headers['cache-control'] == 'public, max-age=60'
        again = client.get(f'/api/v1/images/{sunset}/{kind}', headers={'If-None-Match': etag})
        assert again.status_code == 304
        assert again.content == b''
        assert again.headers['etag'] == etag
        other = client.get(f'/api/v1/images/{sunset}/{kind}', headers={'If-None-Match': '"x"'})
        assert other.status_code == 200
        head = client.head(f'/api/v1/images/{sunset}/{kind}')
        assert (head.status_code, head.headers['etag'], head.content) == (200, etag, b'')


def test_private_bytes_are_private_and_revalidated(
    client: TestClient, gallery: dict, alice_token: str
) -> None:
    harbour = gallery['harbour']['id']
    for kind in ('thumbnail', 'preview', 'original'):
        r = client.get(f'/api/v1/images/{harbour}/{kind}', headers=bearer(alice_token))
        assert r.status_code == 200
        assert r.headers['cache-control'] == 'private, no-cache'
        assert 'etag' in r.headers


def test_the_original_goes_to_its_owner_as_an_attachment(
    client: TestClient, alice_token: str
) -> None:
    data = images.image_bytes('PNG', seed=8)
    image = added(client, alice_token, data=data, filename='Fête "☀" ; x.jpg')
    r = client.get(f'/api/v1/images/{image["id"]}/original', headers=bearer(alice_token))
    assert r.status_code == 200
    assert r.content == data
    assert r.headers['content-type'] == 'image/png'  # detected, not from the name
    disposition = r.headers['content-disposition']
    assert disposition.startswith('attachment; filename="')
    # The exact name, but with the extension of what the bytes are (a PNG named .jpg).
    assert "filename*=UTF-8''" + quote('Fête "☀" ; x.png', safe='') in disposition
    assert disposition.count('"') == 2  # the quoted fallback name cannot be broken out of


def test_others_get_the_original_only_where_downloads_are_allowed(
    client: TestClient, gallery: dict, alice_token: str, bob_token: str
) -> None:
    sunset = gallery['sunset']['id']
    missing = client.get('/api/v1/images/nope/original', headers=bearer(bob_token))
    refused = client.get(f'/api/v1/images/{sunset}/original', headers=bearer(bob_token))
    assert refused.status_code == 404
    assert refused.content == missing.content
    r = client.patch(
        f'/api/v1/images/{sunset}', headers=bearer(alice_token), json={'allow_download': True}
    )
    assert r.json()['allow_download'] is True
    allowed = client.get(f'/api/v1/images/{sunset}/original', headers=bearer(bob_token))
    assert allowed.status_code == 200
    assert allowed.headers['content-disposition'].startswith('attachment')
    assert client.get(f'/api/v1/images/{sunset}/original').status_code == 200  # anonymous too


# ---- the same 404 everywhere ---------------------------------------------------------------------


def comparable(response) -> tuple:  # type: ignore[no-untyped-def]
    headers = {k: v for k, v in response.headers.items() if k not in ('date',)}
    return response.status_code, response.content, headers


@pytest.mark.parametrize(('method', 'suffix'), ID_ROUTES)
def test_someone_elses_private_image_looks_exactly_like_a_missing_one(
    client: TestClient,
    gallery: dict,
    alice_token: str,
    bob_token: str,
    method: str,
    suffix: str,
) -> None:
    harbour = gallery['harbour']['id']  # alice's, private
    deleted = added(client, alice_token, data=images.image_bytes(seed=99))['id']
    assert (
        client.delete(f'/api/v1/images/{deleted}', headers=bearer(alice_token)).status_code == 204
    )
    reference = call(client, method, f'/api/v1/images/never-existed{suffix}', bob_token)
    assert reference.status_code == 404
    assert reference.json() == {'detail': 'Image not found'}
    others = [
        harbour,
        deleted,
        quote('../../etc/passwd', safe=''),
        'x' * 2000,
        quote('ünïcødé ☃', safe=''),
        quote('a/b', safe=''),
        '%00',
    ]
    for image_id in others:
        r = call(client, method, f'/api/v1/images/{image_id}{suffix}', bob_token)
        assert comparable(r) == comparable(reference), image_id
    if method == 'GET':  # anonymous visitors get the same too
        anonymous = call(client, method, f'/api/v1/images/{harbour}{suffix}')
        assert comparable(anonymous) == comparable(reference)


# ---- edit and delete -----------------------------------------------------------------------------


def test_owner_edits_title_description_tags_and_visibility(
    client: TestClient, gallery: dict, alice_token: str
) -> None:
    harbour = gallery['harbour']
    r = client.patch(
        f'/api/v1/images/{harbour["id"]}',
        headers=bearer(alice_token),
        json={
            'title': 'Harbour lights',
            'description': 'Boats',
            'tags': ['Night', 'boats'],
            'visibility': 'public',
        },
    )
    assert r.status_code == 200, r.text
    image = r.json()
    assert (image['title'], image['description']) == ('Harbour lights', 'Boats')
    assert image['tags'] == ['boats', 'night']
    assert image['visibility'] == 'public'
    assert image['updated_at'] > harbour['updated_at']
    assert client.get(f'/api/v1/images/{harbour["id"]}').status_code == 200  # public now
    # Omitted fields stay as they are.
    r = client.patch(
        f'/api/v1/images/{harbour["id"]}', headers=bearer(alice_token), json={'title': 'Again'}
    )
    assert r.json()['description'] == 'Boats'


def test_making_an_image_private_takes_effect_on_the_next_request(
    client: TestClient, gallery: dict, alice_token: str
) -> None:
    sunset = gallery['sunset']['id']
    assert client.get(f'/api/v1/images/{sunset}/thumbnail').status_code == 200
    client.patch(
        f'/api/v1/images/{sunset}', headers=bearer(alice_token), json={'visibility': 'private'}
    )
    assert client.get(f'/api/v1/images/{sunset}/thumbnail').status_code == 404
    assert client.get(f'/api/v1/images/{sunset}').status_code == 404


def test_an_owner_field_in_a_patch_is_ignored(
    client: TestClient, gallery: dict, bob_token: str
) -> None:
    forest = gallery['forest']['id']
    r = client.patch(
        f'/api/v1/images/{forest}',
        headers=bearer(bob_token),
        json={'owner': 'alice', 'owner_id': 1, 'title': 'Mine still'},
    )
    assert r.status_code == 200
    assert r.json()['owner'] == 'bob'


def test_a_public_image_that_is_not_yours_is_403_to_change_or_delete(
    client: TestClient, gallery: dict, bob_token: str
) -> None:
    sunset = gallery['sunset']['id']
    r = client.patch(f'/api/v1/images/{sunset}', headers=bearer(bob_token), json={'title': 'x'})
    assert r.status_code == 403
    assert isinstance(r.json()['detail'], str)
    assert client.delete(f'/api/v1/images/{sunset}', headers=bearer(bob_token)).status_code == 403
    assert client.get(f'/api/v1/images/{sunset}').json()['title'] == 'Sunset over the bay'


def test_changing_and_deleting_need_an_account(client: TestClient, gallery: dict) -> None:
    sunset = gallery['sunset']['id']
    for method in ('PATCH', 'DELETE'):
        r = call(client, method, f'/api/v1/images/{sunset}')
        assert r.status_code == 401
        assert r.headers['www-authenticate'] == 'Bearer'


@pytest.mark.parametrize(
    ('body', 'words'),
    [
        ({'title': ''}, 'title'),
        ({'title': 5}, '"title"'),
        ({'tags': 'a,b'}, '"tags"'),
        ({'visibility': 'friends'}, '"visibility"'),
    ],
)
def test_invalid_edits_are_422(
    client: TestClient, gallery: dict, alice_token: str, body: dict, words: str
) -> None:
    r = client.patch(
        f'/api/v1/images/{gallery["sunset"]["id"]}', headers=bearer(alice_token), json=body
    )
    assert r.status_code == 422
    assert isinstance(r.json()['detail'], str)
    assert words in r.json()['detail']


def test_delete_removes_the_image_and_its_bytes(
    client: TestClient, library: Library, alice_token: str
) -> None:
    image = added(client, alice_token)
    r = client.delete(f'/api/v1/images/{image["id"]}', headers=bearer(alice_token))
    assert r.status_code == 204
    assert r.content == b''
    assert (
        client.get(f'/api/v1/images/{image["id"]}', headers=bearer(alice_token)).status_code == 404
    )
    # In the trash (issue 12) the bytes stay; emptying it removes them.
    assert any(p.is_file() for p in library.settings.blobs_dir.rglob('*'))
    r = client.request('DELETE', '/api/v1/trash', json={'all': True}, headers=bearer(alice_token))
    assert r.json() == {'count': 1}
    assert not any(p.is_file() for p in library.settings.blobs_dir.rglob('*'))


# ---- unknown paths, headers, documentation -------------------------------------------------------


def test_unknown_api_paths_and_methods_answer_json(client: TestClient) -> None:
    r = client.get('/api/v1/nothing-here')
    assert (r.status_code, r.json()) == (404, {'detail': 'Not Found'})
    r = client.put('/api/v1/me')
    assert (r.status_code, r.json()) == (405, {'detail': 'Method Not Allowed'})
    assert 'GET' in r.headers['allow']
    r = client.put('/api/v1/images/some-id')
    assert r.status_code == 405
    assert set(r.headers['allow'].split(', ')) == {'DELETE', 'GET', 'HEAD', 'PATCH'}


def test_every_response_says_nosniff(library: Library, gallery: dict, alice_token: str) -> None:
    app = make_app(library)

    @app.get('/boom')
    def boom() -> None:
        raise RuntimeError('a bug')

    client = client_for(app)
    sunset, harbour = gallery['sunset']['id'], gallery['harbour']['id']
    etag = client.get(f'/api/v1/images/{sunset}/thumbnail').headers['etag']
    responses = [
        client.get('/api/v1/images'),
        client.get(f'/api/v1/images/{sunset}'),
        client.get(f'/api/v1/images/{sunset}/thumbnail'),
        client.get(f'/api/v1/images/{sunset}/thumbnail', headers={'If-None-Match': etag}),
        client.get(f'/api/v1/images/{harbour}/original', headers=bearer(alice_token)),
        client.get(f'/api/v1/images/{harbour}'),
        client.get('/api/v1/me'),
        client.get('/api/v1/images?limit=0'),
        upload(client, alice_token, data=images.SVG),
        client.get('/api/v1/nothing'),
        client.put('/api/v1/me'),
        client.get('/not-the-api'),
        client.get('/openapi.json'),
        client.get('/boom'),
    ]
    assert {r.status_code for r in responses} >= {200, 304, 401, 404, 405, 415, 422, 500}
    for r in responses:
        assert r.headers.get('x-content-type-options') == 'nosniff', (r.request.url, r.status_code)


def test_openapi_documents_the_contract(client: TestClient) -> None:
    spec = client.get('/openapi.json').json()
    assert spec['info']['title'] == 'Shoebox'
    paths = spec['paths']
    assert set(paths) >= {
        '/api/v1/auth/signup',
        '/api/v1/auth/token',
        '/api/v1/me',
        '/api/v1/images',
        '/api/v1/images/{image_id}',
        '/api/v1/images/{image_id}/thumbnail',
        '/api/v1/images/{image_id}/preview',
        '/api/v1/images/{image_id}/original',
    }
    post = paths['/api/v1/images']['post']
    assert {'401', '409', '413', '415', '422'} <= set(post['responses'])
    assert 'file' in post['requestBody']['content']['multipart/form-data']['schema']['properties']
    assert '404' in paths['/api/v1/images/{image_id}']['get']['responses']
    assert '403' in paths['/api/v1/images/{image_id}']['patch']['responses']
    assert '429' in paths['/api/v1/auth/token']['post']['responses']
    assert {t['name'] for t in spec['tags']} == {
        'auth', 'images', 'admin', 'shop', 'export', 'operations', 'shares', 'albums', 'trash',
        'comments',
    }  # fmt: skip
    schema = spec['components']['schemas']['ImageOut']
    assert set(schema['properties']) >= IMAGE_KEYS
