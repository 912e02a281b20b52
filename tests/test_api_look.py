"""API v1 finding by look: search by image, similar images, duplicates, tag counts, colour filter.

Every route answers only with what the caller may see: public images and their own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import quote

import pytest
from PIL import Image as PILImage
from starlette.testclient import TestClient

from repo.core.schemas import UserPublic
from repo.library import Library
from repo.similarity import SIMILAR_DISTANCE
from tests import images
from tests.api_helpers import (
    bearer,
    client_for,
    make_app,
    multipart_head,
    raw_call,
    token_for,
    upload,
)

SEARCH = '/api/v1/images/search-by-image'
IMAGE_KEYS = {'id', 'title', 'tags', 'visibility', 'owner', 'width', 'height', 'colors'}


@pytest.fixture
def client(library: Library) -> TestClient:
    return client_for(make_app(library))


@pytest.fixture
def alice_token(library: Library, alice: UserPublic) -> str:
    return token_for(library, alice)


@pytest.fixture
def bob_token(library: Library, bob: UserPublic) -> str:
    return token_for(library, bob)


def added(client: TestClient, token: str, data: bytes, **fields: str) -> dict:
    r = upload(client, token, data=data, filename=fields.pop('filename', 'photo.png'), **fields)
    assert r.status_code == 201, r.text
    return r.json()


def photo(seed: int, size: tuple[int, int] = (320, 240)) -> PILImage.Image:
    return images.picture(size, seed)


def png(im: PILImage.Image) -> bytes:
    return images.encode(im, 'PNG')


def half(seed: int) -> bytes:
    """The same picture at half the size, as JPEG: a near-duplicate of png(photo(seed))."""
    return images.encode(photo(seed).resize((160, 120)), 'JPEG', quality=85)


def solid(colour: tuple[int, int, int], size: tuple[int, int] = (200, 150)) -> bytes:
    return png(PILImage.new('RGB', size, colour))


def search_by_image(client: TestClient, data: bytes, token: str | None = None, **params: int):  # type: ignore[no-untyped-def]
    return client.post(
        SEARCH,
        headers=bearer(token) if token else {},
        params=params,
        files={'file': ('query.jpg', data, 'application/octet-stream')},
    )


def ids(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    return [i['id'] for i in response.json()['items']]


@pytest.fixture
def looks(client: TestClient, alice_token: str, bob_token: str) -> dict:
    """alice: secret (private) and its half-size copy secret2 (private), lake (public);
    bob: forest (public)."""
    made = {
        'secret': added(client, alice_token, png(photo(1)), title='Secret', tags='plans'),
        'secret2': added(client, alice_token, half(1), title='Secret copy'),
        'lake': added(client, alice_token, png(photo(2)), visibility='public', title='Lake'),
        'forest': added(client, bob_token, png(photo(3)), visibility='public', title='Forest'),
    }
    return {name: image['id'] for name, image in made.items()}


# ---- search by image -----------------------------------------------------------------------------


def test_search_by_image_ranks_closest_first_with_the_distance(
    client: TestClient, library: Library, looks: dict, alice: UserPublic, alice_token: str
) -> None:
    r = search_by_image(client, half(2), alice_token)
    body = r.json()
    assert set(body) == {'items', 'total'}
    # Only what looks like it: the lake it is a copy of, none of the unrelated pictures.
    assert body['total'] == len(body['items']) == 1
    first = body['items'][0]
    assert first['id'] == looks['lake']
    assert set(first) >= IMAGE_KEYS | {'distance'}
    assert 'owner_id' not in first and 'dhash' not in first
    assert first['distance'] < 16
    two = search_by_image(client, png(photo(1)), alice_token)
    assert ids(two) == [looks['secret'], looks['secret2']]  # the picture itself, then its copy
    distances = [i['distance'] for i in two.json()['items']]
    assert distances == sorted(distances) and distances[-1] <= SIMILAR_DISTANCE
    assert ids(search_by_image(client, png(photo(1)), alice_token, limit=1)) == ids(two)[:1]
    # Nothing of the query is kept.
    assert list(library.settings.tmp_dir.iterdir()) == []
    assert library.list(alice.id, owner='alice').total == 3


def test_search_by_image_never_shows_someone_elses_private_image(
    client: TestClient, looks: dict, alice_token: str, bob_token: str
) -> None:
    query = png(photo(1))  # exactly alice's private "secret"
    bobs = added(client, bob_token, half(1), visibility='public', title="Bob's copy")['id']
    assert ids(search_by_image(client, query, alice_token)) == [
        looks['secret'],
        looks['secret2'],
        bobs,
    ]
    for token in (bob_token, None):
        assert ids(search_by_image(client, query, token)) == [bobs]


def test_search_by_image_takes_limit_as_a_form_field_too(
    client: TestClient, looks: dict, alice_token: str
) -> None:
    r = client.post(
        SEARCH,
        headers=bearer(alice_token),
        files={'file': ('q.png', png(photo(2)), 'image/png')},
        data={'limit': '1'},
    )
    assert ids(r) == [looks['lake']]
    for bad in ('0', '201', 'many'):
        r = client.post(
            SEARCH,
            headers=bearer(alice_token),
            files={'file': ('q.png', png(photo(2)), 'image/png')},
            data={'limit': bad},
        )
        assert r.status_code == 422, bad
        assert '"limit"' in r.json()['detail']
    r = search_by_image(client, png(photo(2)), alice_token, limit=201)
    assert r.status_code == 422
    assert 'Query parameter "limit"' in r.json()['detail']


@pytest.mark.parametrize(
    ('data', 'status', 'words'),
    [
        (images.TEXT, 415, 'text'),
        (images.SVG, 415, 'SVG'),
        (images.PDF, 415, 'PDF'),
        (images.truncated_jpeg(), 422, 'truncated'),
        (images.flat_png_bomb(), 422, 'bomb'),
        (images.png_header_only(20_000, 20_000), 422, 'limit'),
        (b'', 422, 'empty'),
    ],
    ids=['text', 'svg', 'pdf', 'truncated', 'bomb', 'too-many-pixels', 'empty'],
)
def test_bad_query_images_get_the_same_errors_as_an_upload(
    client: TestClient, library: Library, alice_token: str, data: bytes, status: int, words: str
) -> None:
    as_upload = upload(client, alice_token, data=data, filename='file.jpg')
    for token in (alice_token, None):
        r = search_by_image(client, data, token)
        assert r.status_code == status == as_upload.status_code, r.text
        assert r.json() == as_upload.json()
        assert words in r.json()['detail']
    assert list(library.settings.tmp_dir.iterdir()) == []


def test_search_by_image_needs_a_multipart_form_with_a_file(
    client: TestClient, alice_token: str
) -> None:
    r = client.post(SEARCH, headers=bearer(alice_token), json={'file': 'x'})
    assert r.status_code == 415
    r = client.post(
        SEARCH, headers=bearer(alice_token), files={'other': ('a.png', b'x', 'image/png')}
    )
    assert (r.status_code, r.json()) == (422, {'detail': 'The form field "file" is required'})


def test_a_revoked_or_invalid_token_is_401_not_anonymous(client: TestClient) -> None:
    r = search_by_image(client, png(photo(1)), 'sbx_not-a-token')
    assert r.status_code == 401
    assert client.get('/api/v1/tags', headers=bearer('sbx_nope')).status_code == 401


# ---- oversized query images are refused while they stream ---------------------------------------

MAX_FILE = 200_000
CHUNK = 64 * 1024


@pytest.fixture
def small_library(make_library, settings) -> Library:  # type: ignore[no-untyped-def]
    return make_library(settings.with_(max_file_bytes=MAX_FILE))


async def endless_file() -> AsyncIterator[bytes]:
    yield multipart_head()
    while True:
        yield b'\xff' * CHUNK


async def test_an_oversized_query_image_is_413_while_it_streams(small_library: Library) -> None:
    app = make_app(small_library)
    headers = {'content-type': 'multipart/form-data; boundary=xyzzy'}
    result = await raw_call(app, 'POST', SEARCH, headers, endless_file())
    assert result.status == 413
    assert result.body == b'{"detail":"The file is larger than the 200.0 KB limit"}'
    assert result.bytes_received <= MAX_FILE + 2 * CHUNK  # stopped at the file limit
    assert list(small_library.settings.tmp_dir.iterdir()) == []

    declared = {**headers, 'content-length': str(2_000_000_000)}
    result = await raw_call(app, 'POST', SEARCH, declared, endless_file())
    assert result.status == 413
    assert result.receive_calls == 0  # refused from the header, before reading anything
    assert result.body == b'{"detail": "The file is larger than the 200.0 KB limit"}'


def test_a_query_image_over_the_json_body_limit_is_fine(client: TestClient) -> None:
    """The route gets the upload's body limit, not the 1 MB limit of JSON bodies."""
    data = images.encode(images.noise((700, 700)), 'PNG')
    assert len(data) > 1_000_000
    r = search_by_image(client, data)
    assert r.status_code == 200, r.text


# ---- similar -------------------------------------------------------------------------------------


def test_similar_leaves_the_image_out_and_puts_its_copy_first(
    client: TestClient, looks: dict, alice_token: str
) -> None:
    r = client.get(f'/api/v1/images/{looks["secret"]}/similar', headers=bearer(alice_token))
    found = ids(r)
    assert looks['secret'] not in found
    assert found == [looks['secret2']]  # the lake and the forest do not look like it
    assert r.json()['items'][0]['distance'] < 16
    assert r.json()['total'] == 1
    limited = client.get(
        f'/api/v1/images/{looks["secret"]}/similar?limit=1', headers=bearer(alice_token)
    )
    assert ids(limited) == [looks['secret2']]
    assert client.get(f'/api/v1/images/{looks["secret"]}/similar?limit=0').status_code == 422


def test_similar_never_shows_someone_elses_private_image(
    client: TestClient, looks: dict, bob_token: str
) -> None:
    for token in (bob_token, None):
        headers = bearer(token) if token else {}
        for name in ('lake', 'forest'):
            found = ids(client.get(f'/api/v1/images/{looks[name]}/similar', headers=headers))
            assert looks['secret'] not in found and looks['secret2'] not in found
            assert looks[name] not in found


def comparable(response) -> tuple:  # type: ignore[no-untyped-def]
    headers = {k: v for k, v in response.headers.items() if k != 'date'}
    return response.status_code, response.content, headers


def test_similar_of_a_private_or_missing_image_is_the_same_404(
    client: TestClient, looks: dict, alice_token: str, bob_token: str
) -> None:
    reference = client.get('/api/v1/images/never-existed/similar', headers=bearer(bob_token))
    assert (reference.status_code, reference.json()) == (404, {'detail': 'Image not found'})
    assert comparable(client.get('/api/v1/images/never-existed', headers=bearer(bob_token))) == (
        comparable(reference)
    )
    deleted = added(client, alice_token, png(photo(50)))['id']
    client.delete(f'/api/v1/images/{deleted}', headers=bearer(alice_token))
    for image_id in (
        looks['secret'],
        deleted,
        'x' * 2000,
        quote('../../etc/passwd', safe=''),
        quote('a/b', safe=''),
        '%00',
    ):
        r = client.get(f'/api/v1/images/{image_id}/similar', headers=bearer(bob_token))
        assert comparable(r) == comparable(reference), image_id
        anonymous = client.get(f'/api/v1/images/{image_id}/similar')
        assert comparable(anonymous) == comparable(reference), image_id


# ---- duplicates ----------------------------------------------------------------------------------


def test_duplicates_groups_only_the_callers_own_images(
    client: TestClient, looks: dict, alice_token: str, bob_token: str
) -> None:
    r = client.get('/api/v1/duplicates', headers=bearer(alice_token))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body['groups'] == [[looks['secret'], looks['secret2']]]  # the bigger one first
    assert [[i['id'] for i in g] for g in body['images']] == body['groups']
    assert body['images'][0][0]['width'] == 320

    # bob's copies of alice's pictures group with each other, never with hers.
    bobs = [
        added(client, bob_token, png(photo(1)))['id'],
        added(client, bob_token, half(1))['id'],
        added(client, bob_token, half(2))['id'],  # like alice's public lake: not his duplicate
    ]
    bob_groups = client.get('/api/v1/duplicates', headers=bearer(bob_token)).json()['groups']
    assert bob_groups == [bobs[:2]]
    alice_groups = client.get('/api/v1/duplicates', headers=bearer(alice_token)).json()['groups']
    assert alice_groups == [[looks['secret'], looks['secret2']]]


def test_duplicates_need_an_account(client: TestClient, looks: dict) -> None:
    r = client.get('/api/v1/duplicates')
    assert (r.status_code, r.json()) == (401, {'detail': 'Not authenticated'})
    assert r.headers['www-authenticate'] == 'Bearer'
    r = client.get('/api/v1/duplicates', headers=bearer('sbx_revoked'))
    assert r.status_code == 401


def test_no_duplicates_is_an_empty_list(client: TestClient, bob_token: str) -> None:
    r = client.get('/api/v1/duplicates', headers=bearer(bob_token))
    assert r.json() == {'groups': [], 'images': []}


# ---- tags ----------------------------------------------------------------------------------------


@pytest.fixture
def tagged(client: TestClient, alice_token: str, bob_token: str) -> None:
    added(client, alice_token, png(photo(11)), tags='beach,secret-plan')  # private
    added(client, alice_token, png(photo(12)), tags='beach,boats', visibility='public')
    added(client, alice_token, png(photo(13)), tags='beach', visibility='public')
    added(client, bob_token, png(photo(14)), tags='beach,bobs-own')  # private


def counts(response, *names: str) -> dict[str, int]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    found = {t['name']: t['count'] for t in response.json()}
    assert all(set(t) == {'name', 'count'} for t in response.json())
    return {n: found[n] for n in names if n in found}


def test_tag_counts_only_count_what_the_caller_may_see(
    client: TestClient, tagged: None, alice_token: str, bob_token: str
) -> None:
    mine = ('beach', 'boats', 'secret-plan', 'bobs-own')
    assert counts(client.get('/api/v1/tags', headers=bearer(alice_token)), *mine) == {
        'beach': 3,
        'boats': 1,
        'secret-plan': 1,
    }
    bobs = client.get('/api/v1/tags', headers=bearer(bob_token))
    assert counts(bobs, *mine) == {'beach': 3, 'boats': 1, 'bobs-own': 1}
    assert 'secret-plan' not in bobs.text
    anonymous = client.get('/api/v1/tags')
    assert counts(anonymous, *mine) == {'beach': 2, 'boats': 1}
    assert 'secret-plan' not in anonymous.text and 'bobs-own' not in anonymous.text


def test_tags_sort_by_count_or_name_and_filter_by_prefix(
    client: TestClient, tagged: None, alice_token: str
) -> None:
    auth = bearer(alice_token)
    by_count = client.get('/api/v1/tags', headers=auth).json()
    assert by_count == sorted(by_count, key=lambda t: (-t['count'], t['name']))
    by_name = client.get('/api/v1/tags?sort=name', headers=auth).json()
    assert [t['name'] for t in by_name] == sorted(t['name'] for t in by_name)
    assert client.get('/api/v1/tags?prefix=bo', headers=auth).json() == [
        {'name': 'boats', 'count': 1}
    ]
    assert client.get('/api/v1/tags?prefix=B&limit=1', headers=auth).json() == [
        {'name': 'beach', 'count': 3}  # the most used of the tags starting with b
    ]
    assert client.get('/api/v1/tags?prefix=%25', headers=auth).json() == []  # not a wildcard
    for bad in ('sort=random', 'limit=0', 'limit=1001'):
        r = client.get(f'/api/v1/tags?{bad}')
        assert r.status_code == 422, bad
        assert 'Query parameter' in r.json()['detail']


# ---- colour filter -------------------------------------------------------------------------------


@pytest.fixture
def colours(client: TestClient, library: Library, alice_token: str, bob_token: str) -> dict:
    made = {
        'navy': added(client, alice_token, solid((20, 40, 140)), title='Navy sea',
                      tags='sea', visibility='public'),
        'sky': added(client, alice_token, solid((90, 150, 230)), title='Sky', visibility='public'),
        'red': added(client, alice_token, solid((200, 30, 30)), title='Red sea', tags='sea',
                     visibility='public'),
        'grey': added(client, alice_token, solid((128, 128, 128)), title='Grey sea', tags='sea',
                      visibility='public'),
        'private_blue': added(client, alice_token, solid((30, 60, 200)), title='Hidden sea'),
        'bobs_blue': added(client, bob_token, solid((40, 90, 210)), title='Bob sea',
                           visibility='public'),
        'mixed': added(client, bob_token, png(half_and_half()), title='Flag',
                       visibility='public'),
    }  # fmt: skip
    library.wait_for_index()
    return {name: image['id'] for name, image in made.items()}


def half_and_half() -> PILImage.Image:
    im = PILImage.new('RGB', (200, 100), (220, 200, 0))
    im.paste((20, 50, 180), (100, 0, 200, 100))
    return im


def listed(client: TestClient, query: str, token: str | None = None) -> set[str]:
    r = client.get(f'/api/v1/images?{query}', headers=bearer(token) if token else {})
    assert r.status_code == 200, r.text
    return {i['id'] for i in r.json()['items']}


def test_colour_filter_matches_by_look(client: TestClient, colours: dict, alice_token: str) -> None:
    blue = {colours['navy'], colours['sky'], colours['bobs_blue'], colours['mixed']}
    assert listed(client, 'color=blue') == blue
    assert listed(client, 'color=blue', alice_token) == blue | {colours['private_blue']}
    assert listed(client, 'color=red') == {colours['red']}
    assert listed(client, 'color=yellow') == {colours['mixed']}
    assert listed(client, 'color=grey') == listed(client, 'color=gray') == {colours['grey']}
    assert listed(client, 'color=BLUE') == blue
    assert listed(client, 'color=pink') == set()


def test_colour_combines_with_search_tags_owner_and_visibility(
    client: TestClient, colours: dict, alice_token: str, bob_token: str
) -> None:
    assert listed(client, 'q=sea&color=blue') == {colours['navy'], colours['bobs_blue']}
    assert listed(client, 'q=sea&color=blue', alice_token) == {
        colours['navy'],
        colours['bobs_blue'],
        colours['private_blue'],
    }
    assert listed(client, 'q=sea&color=blue', bob_token) == {colours['navy'], colours['bobs_blue']}
    assert listed(client, 'tags=sea&color=blue') == {colours['navy']}
    assert listed(client, 'tags=sea&color=red') == {colours['red']}
    assert listed(client, 'owner=bob&color=blue') == {colours['bobs_blue'], colours['mixed']}
    assert listed(client, 'visibility=private&color=blue', alice_token) == {colours['private_blue']}
    page = client.get('/api/v1/images?color=blue&limit=1').json()
    assert (page['total'], len(page['items'])) == (4, 1)


def test_an_unknown_colour_is_422_naming_the_choices(client: TestClient) -> None:
    for query in ('color=mauve', 'q=sea&color=mauve'):
        r = client.get(f'/api/v1/images?{query}')
        assert r.status_code == 422
        detail = r.json()['detail']
        assert 'mauve' in detail and 'blue' in detail and 'grey' in detail


# ---- routing and documentation -------------------------------------------------------------------


def test_other_methods_are_405_and_head_works(client: TestClient, looks: dict) -> None:
    r = client.post('/api/v1/duplicates')
    assert r.status_code == 405
    assert set(r.headers['allow'].split(', ')) == {'GET', 'HEAD'}
    assert client.delete('/api/v1/tags').status_code == 405
    assert client.head('/api/v1/tags').status_code == 200
    assert client.head(f'/api/v1/images/{looks["lake"]}/similar').status_code == 200
    r = client.put(f'/api/v1/images/{looks["lake"]}/similar')
    assert set(r.headers['allow'].split(', ')) == {'GET', 'HEAD'}


def test_openapi_documents_the_routes(client: TestClient) -> None:
    paths = client.get('/openapi.json').json()['paths']
    post = paths['/api/v1/images/search-by-image']['post']
    assert {'200', '401', '413', '415', '422'} <= set(post['responses'])
    form = post['requestBody']['content']['multipart/form-data']['schema']
    assert form['required'] == ['file'] and 'limit' in form['properties']
    similar = paths['/api/v1/images/{image_id}/similar']['get']
    assert {'200', '404', '422'} <= set(similar['responses'])
    assert '401' in paths['/api/v1/duplicates']['get']['responses']
    tags = paths['/api/v1/tags']['get']
    assert {p['name'] for p in tags['parameters']} == {'sort', 'prefix', 'limit'}
    assert 'color' in {p['name'] for p in paths['/api/v1/images']['get']['parameters']}
    for path in ('/api/v1/images/search-by-image', '/api/v1/duplicates', '/api/v1/tags'):
        for operation in paths[path].values():
            assert operation['tags'] and operation['summary']
