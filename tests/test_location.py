"""What the camera recorded (issue 10): ISO, shutter, aperture and focal length for everyone;
where a photo was taken for its owner only; and an original downloaded by others without its
GPS position unless the owner chose to share it."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from starlette.testclient import TestClient

from repo.core.schemas import UserPublic
from repo.library import Library
from tests import images
from tests.api_helpers import bearer, client_for, make_app, token_for, upload

LISBON = (38.7223, -9.1393)


@pytest.fixture
def client(library: Library) -> TestClient:
    return client_for(make_app(library))


@pytest.fixture
def alice_token(library: Library, alice: UserPublic) -> str:
    return token_for(library, alice)


@pytest.fixture
def bob_token(library: Library, bob: UserPublic) -> str:
    return token_for(library, bob)


def gps_of(data: bytes) -> dict:
    with Image.open(io.BytesIO(data)) as im:
        return dict(im.getexif().get_ifd(0x8825))


@pytest.fixture
def shared(client: TestClient, alice_token: str) -> tuple[dict, bytes]:
    """alice's public photo taken in Lisbon, which others may download."""
    data = images.exif_photo(
        7, taken='2021:06:01 10:00:00', gps=LISBON, iso=400, exposure=(1, 250), f_number=2.8,
        focal_mm=35, size=(160, 120),
    )  # fmt: skip
    r = upload(client, alice_token, data=data, filename='lisbon.jpg', visibility='public')
    assert r.status_code == 201, r.text
    image = r.json()
    r = client.patch(
        f'/api/v1/images/{image["id"]}', json={'allow_download': True}, headers=bearer(alice_token)
    )
    assert r.status_code == 200, r.text
    return r.json(), data


def test_the_camera_settings_are_shown_to_everyone(client: TestClient, shared) -> None:  # type: ignore[no-untyped-def]
    image, _ = shared
    seen = client.get(f'/api/v1/images/{image["id"]}').json()
    assert (seen['iso'], seen['exposure_s'], seen['f_number'], seen['focal_mm']) == (
        400, 0.004, 2.8, 35.0,
    )  # fmt: skip


def test_the_location_is_the_owners_alone(  # type: ignore[no-untyped-def]
    client: TestClient, shared, alice_token: str, bob_token: str
) -> None:
    image, _ = shared
    mine = client.get(f'/api/v1/images/{image["id"]}', headers=bearer(alice_token)).json()
    assert mine['location'] == pytest.approx({'latitude': LISBON[0], 'longitude': LISBON[1]})
    for headers in (bearer(bob_token), {}):
        theirs = client.get(f'/api/v1/images/{image["id"]}', headers=headers).json()
        assert theirs['location'] is None
        assert 'latitude' not in theirs and 'longitude' not in theirs
    listed = client.get('/api/v1/images', headers=bearer(alice_token)).json()['items']
    assert all(i['location'] is None for i in listed)  # lists never carry it


def test_others_download_the_original_without_its_location(  # type: ignore[no-untyped-def]
    client: TestClient, shared, alice_token: str, bob_token: str
) -> None:
    image, data = shared
    url = f'/api/v1/images/{image["id"]}/original'
    own = client.get(url, headers=bearer(alice_token))
    assert own.content == data  # the owner gets the file as uploaded
    for headers in (bearer(bob_token), {}):
        theirs = client.get(url, headers=headers)
        assert theirs.status_code == 200
        assert gps_of(theirs.content) == {}
        assert theirs.headers['etag'] != own.headers['etag']
        with Image.open(io.BytesIO(theirs.content)) as a, Image.open(io.BytesIO(data)) as b:
            assert a.tobytes() == b.tobytes()  # the very same picture, not re-encoded
            assert a.getexif().get_ifd(0x8769)[0x9003] == '2021:06:01 10:00:00'
        scan = data.index(b'\xff\xda')  # the picture data, copied byte for byte
        assert theirs.content.endswith(data[scan:])


def test_the_owner_may_share_the_location_with_the_original(  # type: ignore[no-untyped-def]
    client: TestClient, shared, alice_token: str, bob_token: str
) -> None:
    image, data = shared
    r = client.patch(
        f'/api/v1/images/{image["id"]}', json={'share_location': True}, headers=bearer(alice_token)
    )
    assert r.status_code == 200 and r.json()['share_location'] is True
    theirs = client.get(f'/api/v1/images/{image["id"]}/original', headers=bearer(bob_token))
    assert theirs.content == data
    assert gps_of(theirs.content)
    # Only the owner decides.
    r = client.patch(
        f'/api/v1/images/{image["id"]}', json={'share_location': False}, headers=bearer(bob_token)
    )
    assert r.status_code == 403
    r = client.patch(f'/api/v1/images/{image["id"]}', json={'share_location': 'yes'},
                     headers=bearer(alice_token))  # fmt: skip
    assert r.status_code == 422


def test_a_png_with_a_location_is_stripped_too(
    client: TestClient, alice_token: str, bob_token: str
) -> None:
    jpeg = images.exif_photo(8, gps=LISBON)
    with Image.open(io.BytesIO(jpeg)) as im:
        exif = im.getexif()
        buf = io.BytesIO()
        im.save(buf, 'PNG', exif=exif.tobytes())
    r = upload(client, alice_token, data=buf.getvalue(), filename='map.png', visibility='public')
    image = r.json()
    client.patch(
        f'/api/v1/images/{image["id"]}', json={'allow_download': True}, headers=bearer(alice_token)
    )
    theirs = client.get(f'/api/v1/images/{image["id"]}/original', headers=bearer(bob_token))
    assert theirs.status_code == 200
    assert gps_of(theirs.content) == {}
    with Image.open(io.BytesIO(theirs.content)) as a, Image.open(io.BytesIO(buf.getvalue())) as b:
        assert a.convert('RGB').tobytes() == b.convert('RGB').tobytes()


def test_a_photo_without_a_location_is_sent_as_it_is(
    client: TestClient, alice_token: str, bob_token: str
) -> None:
    data = images.exif_photo(9, taken='2021:06:01 10:00:00')
    image = upload(client, alice_token, data=data, visibility='public').json()
    client.patch(
        f'/api/v1/images/{image["id"]}', json={'allow_download': True}, headers=bearer(alice_token)
    )
    theirs = client.get(f'/api/v1/images/{image["id"]}/original', headers=bearer(bob_token))
    assert theirs.content == data
