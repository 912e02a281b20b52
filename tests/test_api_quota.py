"""API v1 quotas: 507 with the figures, the exact boundary, ten uploads at once, /me usage."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from repo.config import Settings
from repo.core.schemas import UserPublic
from repo.library import Library
from tests.api_helpers import bearer, client_for, make_app, token_for, upload
from tests.images import image_bytes

QUOTA_KEYS = {'detail', 'quota_bytes', 'used_bytes', 'quota_images', 'used_images'}


@pytest.fixture
def client(library: Library) -> TestClient:
    return client_for(make_app(library))


def set_quota(client: TestClient, admin: str, username: str, **quota: int | None) -> None:
    r = client.patch(f'/api/v1/admin/users/{username}', json=quota, headers=bearer(admin))
    assert r.status_code == 200, r.text


def blob_files(library: Library) -> int:
    return sum(1 for p in Path(library.settings.blobs_dir).rglob('*') if p.is_file())


def test_an_upload_past_the_quota_is_507_with_the_figures_and_leaves_nothing(
    client: TestClient, library: Library, alice: UserPublic, bob: UserPublic
) -> None:
    admin, token = token_for(library, alice), token_for(library, bob)
    first, second = image_bytes(seed=1), image_bytes(seed=2)
    set_quota(client, admin, 'bob', quota_bytes=len(first) + len(second))
    assert upload(client, token, first).status_code == 201
    assert upload(client, token, second).status_code == 201  # exactly at the quota: fits
    before = blob_files(library)
    r = upload(client, token, image_bytes(seed=3))
    assert r.status_code == 507, r.text
    body = r.json()
    assert set(body) == QUOTA_KEYS
    assert body['quota_bytes'] == body['used_bytes'] == len(first) + len(second)
    assert (body['quota_images'], body['used_images']) == (None, 2)
    assert 'quota' in body['detail']
    assert blob_files(library) == before  # nothing of the refused upload was kept
    assert list(library.settings.tmp_dir.iterdir()) == []
    me = client.get('/api/v1/me', headers=bearer(token)).json()
    assert me['usage'] == {
        'bytes_used': len(first) + len(second), 'images': 2,
        'quota_bytes': len(first) + len(second), 'quota_images': None,
    }  # fmt: skip


def test_the_image_quota_from_the_environment(make_library, tmp_path: Path) -> None:
    settings = Settings.from_env(
        {'SHOEBOX_DEFAULT_QUOTA_IMAGES': '1', 'SHOEBOX_DEFAULT_QUOTA_BYTES': '10_000_000'},
        data_dir=tmp_path / 'data',
    )
    library = make_library(settings)
    library.create_user('alice', 'correct horse battery staple')
    bob = library.create_user('bob', 'correct horse battery staple too')
    client = client_for(make_app(library))
    token = token_for(library, bob)
    assert upload(client, token, image_bytes(seed=4)).status_code == 201
    r = upload(client, token, image_bytes(seed=5))
    assert r.status_code == 507
    assert (r.json()['quota_images'], r.json()['used_images']) == (1, 1)
    usage = client.get('/api/v1/me', headers=bearer(token)).json()['usage']
    assert (usage['quota_images'], usage['quota_bytes']) == (1, 10_000_000)


def test_a_duplicate_is_still_a_409_when_the_account_is_full(
    client: TestClient, library: Library, alice: UserPublic, bob: UserPublic
) -> None:
    admin, token = token_for(library, alice), token_for(library, bob)
    data = image_bytes(seed=6)
    assert upload(client, token, data).status_code == 201
    set_quota(client, admin, 'bob', quota_images=1)
    assert upload(client, token, data).status_code == 409


def test_ten_parallel_uploads_overshoot_the_quota_by_nothing(
    library: Library, alice: UserPublic, bob: UserPublic
) -> None:
    app = make_app(library)
    admin, token = token_for(library, alice), token_for(library, bob)
    files = [image_bytes(seed=50 + i, size=(160, 120)) for i in range(10)]
    room = sum(sorted(len(f) for f in files)[:4])
    set_quota(client_for(app), admin, 'bob', quota_bytes=room)
    start = threading.Barrier(10)
    statuses: list[int] = []

    def send(data: bytes) -> None:
        with client_for(app) as client:  # each thread its own client (and event loop)
            start.wait()
            statuses.append(upload(client, token, data).status_code)

    threads = [threading.Thread(target=send, args=(f,)) for f in files]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(set(statuses)) == [201, 507], statuses
    assert statuses.count(507) >= 6  # at most the four smallest fit
    usage = client_for(app).get('/api/v1/me', headers=bearer(token)).json()['usage']
    assert usage['bytes_used'] <= room
    assert usage['images'] == statuses.count(201)
    assert library.wait_for_index()
    assert library.check(grace_s=0).ok  # no blob of a refused upload stayed
