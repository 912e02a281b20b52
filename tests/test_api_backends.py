"""The app on Postgres + S3 (real servers, tests/backends.py): an upload through the API is
stored in the bucket, served back to its owner, and to nobody else; with presigning, the
original is a 60-second redirect issued only after the access check. The server-side commands
take the same settings as flags."""

from __future__ import annotations

import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from repo.library import Library
from tests import images
from tests.api_helpers import bearer, client_for, make_app, token_for, upload
from tests.backends import backend_settings
from tests.conftest import PASSWORD
from tests.test_cli import shoebox, text


@pytest.fixture(params=[False, True], ids=['streamed', 'presigned'])
def cluster_library(request: pytest.FixtureRequest, tmp_path: Path, make_library) -> Library:  # type: ignore[no-untyped-def]
    settings = backend_settings(request, tmp_path, 'postgres-s3')
    return make_library(settings.with_(s3_presign=request.param))


def stored_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob('*') if p.is_file()] if folder.exists() else []


def test_an_upload_on_postgres_and_s3_is_served_to_its_owner_only(cluster_library: Library):
    library = cluster_library
    alice = library.create_user('alice', PASSWORD)
    bob = library.create_user('bob', PASSWORD + ' too')
    assert alice.is_admin and not bob.is_admin  # the founder row decides it on Postgres too
    client = client_for(make_app(library))
    alice_token, bob_token = token_for(library, alice), token_for(library, bob)
    data = images.image_bytes('JPEG', seed=11)

    r = upload(client, alice_token, data=data, filename='harbour.jpg', title='Harbour')
    assert r.status_code == 201, r.text
    image_id = r.json()['id']
    settings = library.services.settings
    assert stored_files(settings.blobs_dir) == []  # the bytes went to the bucket
    assert [p for p in settings.tmp_dir.iterdir() if not p.name.startswith('.')] == []

    listed = client.get('/api/v1/images', headers=bearer(alice_token)).json()
    assert [i['id'] for i in listed['items']] == [image_id]
    thumb = client.get(f'/api/v1/images/{image_id}/thumbnail', headers=bearer(alice_token))
    assert thumb.status_code == 200 and thumb.content[:4] == b'RIFF'  # WebP, from the bucket

    got = client.get(
        f'/api/v1/images/{image_id}/original', headers=bearer(alice_token), follow_redirects=False
    )
    if settings.s3_presign:
        assert got.status_code == 307 and got.headers['cache-control'] == 'no-store'
        location = got.headers['location']
        assert parse_qs(urlsplit(location).query)['X-Amz-Expires'] == ['60']
        with urllib.request.urlopen(location, timeout=10) as response:
            assert response.read() == data
            assert response.headers['Content-Type'] == 'image/jpeg'
            assert 'harbour.jpg' in response.headers['Content-Disposition']
    else:
        assert got.status_code == 200 and got.content == data
        ranged = client.get(
            f'/api/v1/images/{image_id}/original',
            headers={**bearer(alice_token), 'Range': 'bytes=2-9'},
        )
        assert ranged.status_code == 206 and ranged.content == data[2:10]

    for path in ('', '/original', '/thumbnail', '/preview'):
        other = client.get(
            f'/api/v1/images/{image_id}{path}', headers=bearer(bob_token), follow_redirects=False
        )
        assert other.status_code == 404, path  # like a missing image, and no URL to the bucket
        assert 'location' not in other.headers


def test_server_side_commands_take_the_database_and_blob_urls(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`shoebox import|users ... --database-url --blob-url` work on the library in Postgres + S3;
    nothing of it lands in the data folder but the staging area."""
    settings = backend_settings(request, tmp_path, 'postgres-s3')
    where = ('--data-dir', settings.data_dir, '--database-url', settings.database_url)
    where += ('--blob-url', settings.blob_url)
    monkeypatch.setenv('SHOEBOX_S3_ENDPOINT_URL', settings.s3_endpoint_url)
    made = shoebox('users', 'create', 'alice', '--password-stdin', *where, input=PASSWORD + '\n')
    assert made.exit_code == 0 and 'created alice (admin)' in text(made)
    photo = tmp_path / 'photo.jpg'
    photo.write_bytes(images.image_bytes('JPEG', seed=12))
    imported = shoebox('import', photo, '--user', 'alice', *where)
    assert imported.exit_code == 0, text(imported)
    assert 'added 1' in text(imported)
    assert 'alice' in text(shoebox('users', 'list', *where))
    assert not settings.db_path.exists() and stored_files(settings.blobs_dir) == []
    checked = shoebox('check', *where)
    assert checked.exit_code == 0 and 'consistent' in text(checked)
