"""Export (GET /api/v1/export) and its import (`import-export`): a user's images, only theirs,
everything images.json names kept through the round trip; memory stays flat while streaming."""

from __future__ import annotations

import io
import json
import tracemalloc
import zipfile
from datetime import UTC, datetime

import pytest

from repo.core.actor import SYSTEM, Actor
from repo.core.errors import Invalid
from repo.core.schemas import ImageUpdate
from repo.core.schemas_sharing import AlbumCreate
from repo.library import Library
from tests.api_helpers import bearer, client_for, make_app, token_for
from tests.images import encode, image_bytes, noise, own_tags

COMPARED = (
    'filename', 'title', 'description', 'tags', 'auto_tags', 'visibility', 'allow_download',
    'created_at', 'updated_at', 'taken_at', 'camera', 'format', 'width', 'height', 'size_bytes',
    'sha256', 'colors', 'share_location', 'price_cents', 'stock', 'albums',
)  # fmt: skip


def exif_jpeg(seed: int, when: str) -> bytes:
    from tests.images import picture

    im = picture((120, 80), seed)
    exif = im.getexif()
    exif[0x0110] = f'Camera {seed}'  # Model
    exif[0x0132] = when  # DateTime
    exif[0x8769] = {0x9003: when}  # DateTimeOriginal
    return encode(im, 'JPEG', exif=exif)


def fill(library: Library, user_id: int, count: int, prefix: str = '', seed: int = 0) -> list:
    """`count` images with every kind of metadata, repeated file names among them."""
    images = []
    for n in range(count):
        when = f'2021:0{1 + n % 9}:1{n % 10} 10:20:30'
        data = exif_jpeg(seed + n, when) if n % 3 else image_bytes('PNG', seed=seed + 1000 + n)
        name = f'{prefix}holiday.{"jpg" if n % 3 else "png"}' if n % 4 == 0 else f'{prefix}p{n}.jpg'
        image = library.add(
            user_id,
            data,
            name,
            title=f'{prefix}Title {n} «ü»',
            description=f'Line one\nline two of {n}',
            tags=[f'tag{n % 5}', 'trip', f'{prefix}own'],
            visibility='public' if n % 2 else 'private',
        )
        if n % 5 == 0:
            image = library.update(user_id, image.id, ImageUpdate(allow_download=True))
        if n % 2 and n % 3 == 0:  # public: some on sale, limited or unlimited copies
            sale = {'price_cents': 150 * n, 'stock': None if n % 9 == 0 else n}
            image = library.update(user_id, image.id, ImageUpdate.model_validate(sale))
        if n % 7 == 0:
            image = library.update(user_id, image.id, ImageUpdate(share_location=True))
        images.append(image)
    _albums(library, user_id, images, prefix)
    return images


def _albums(library: Library, user_id: int, images: list, prefix: str) -> None:
    """Two albums, one image in both, most in none."""
    actor = Actor.of(library.services.accounts.get_user(SYSTEM, user_id))
    trips = library.services.albums.create(actor, AlbumCreate(title=f'{prefix}Trips «ü»'))
    family = library.services.albums.create(actor, AlbumCreate(title=f'{prefix}Family'))
    library.services.albums.add_images(actor, trips.id, [i.id for i in images[::4]])
    library.services.albums.add_images(actor, family.id, [i.id for i in images[::6]])


def read_export(data: bytes) -> tuple[zipfile.ZipFile, dict]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    return archive, json.loads(archive.read('images.json'))


def test_export_holds_every_original_and_only_the_callers(library, alice, bob):
    mine = fill(library, alice.id, 6)
    theirs = fill(library, bob.id, 3, prefix='bob-', seed=500)
    http = client_for(make_app(library))
    response = http.get('/api/v1/export', headers=bearer(token_for(library, alice)))
    assert response.status_code == 200
    assert response.headers['content-type'] == 'application/zip'
    assert 'attachment' in response.headers['content-disposition']
    assert response.headers['x-shoebox-export-images'] == '6'
    archive, manifest = read_export(response.content)
    assert manifest['format'] == 'shoebox-export' and manifest['user'] == 'alice'
    entries = manifest['images']
    assert sorted(e['sha256'] for e in entries) == sorted(i.sha256 for i in mine)
    names = [e['file'] for e in entries]
    assert len(set(names)) == len(names)  # repeated 'holiday.jpg' made unique
    assert sorted(archive.namelist()) == sorted([*names, 'images.json'])
    for entry in entries:
        original = library.open_file(alice.id, entry['id'], 'original').read()
        assert archive.read(entry['file']) == original
    # nothing of bob's: no bytes, no id, no text
    blob = response.content
    for image in theirs:
        assert image.id.encode() not in blob
        assert library.open_file(bob.id, image.id, 'original').read() not in blob
    assert b'bob-' not in blob and b'bob' not in archive.read('images.json')


def test_export_needs_a_signed_in_caller(library, alice):
    fill(library, alice.id, 1)
    http = client_for(make_app(library))
    assert http.get('/api/v1/export').status_code == 401
    limited = library.tokens.create(alice.id, 'uploader', scopes=('images:write',))[0]
    assert http.get('/api/v1/export', headers=bearer(limited)).status_code == 403


def test_round_trip_through_import_export_loses_nothing_images_json_names(
    library, alice, bob, tmp_path
):
    fill(library, alice.id, 50)
    zip_path = tmp_path / 'alice.zip'
    with zip_path.open('wb') as fh:
        for chunk in library.services.export.stream(Actor.of(alice)):
            fh.write(chunk)
    carol = library.create_user('carol', 'another correct horse battery')
    results = library.services.import_export.import_zip(SYSTEM, zip_path, Actor.of(carol))
    assert [r.status for r in results] == ['added'] * 50
    second = tmp_path / 'carol.zip'
    second.write_bytes(b''.join(library.services.export.stream(Actor.of(carol))))
    _, before = read_export(zip_path.read_bytes())
    _, after = read_export(second.read_bytes())
    by_sha = {e['sha256']: e for e in after['images']}
    assert len(by_sha) == 50
    assert sum(1 for e in before['images'] if e['price_cents'] is not None) == 8
    assert any(e['share_location'] for e in before['images'])
    assert any(len(e['albums']) == 2 for e in before['images'])
    titles = sorted(a.title for a in library.services.albums.list(Actor.of(carol)))
    assert titles == ['Family', 'Trips «ü»']  # created by name in the account, once each
    for entry in before['images']:
        again = by_sha[entry['sha256']]
        assert {k: again[k] for k in COMPARED} == {k: entry[k] for k in COMPARED}
    # what the images themselves say: tags given by the person, EXIF facts, visibility
    page = library.list(carol.id, owner='carol', limit=200)
    originals = {i.sha256: i for i in library.list(alice.id, owner='alice', limit=200).items}
    for image in page.items:
        assert sorted(own_tags(image)) == sorted(own_tags(originals[image.sha256]))
    assert sum(1 for i in page.items if i.camera) == sum(1 for e in before['images'] if e['camera'])
    assert library.list(None, owner='carol', limit=200).total == 25  # the public ones


def test_export_memory_stays_flat(library, alice):
    """A bounded check, not a timing: the bytes of 24 incompressible images (~6 MB) pass
    through, and the most memory the export held at once stays well under that."""
    for n in range(24):
        library.add(alice.id, encode(noise((512, 170), seed=n), 'PNG'), f'n{n}.png')
    sizes = sum(i.size_bytes for i in library.list(alice.id, owner='alice', limit=200).items)
    assert sizes > 5_000_000
    stream = library.services.export.stream(Actor.of(alice))
    tracemalloc.start()
    try:
        received = 0
        for chunk in stream:
            received += len(chunk)
            del chunk
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert received > sizes
    assert peak < sizes / 2, f'peak {peak} bytes for an export of {sizes}'


def test_import_export_refuses_what_is_not_an_export_and_skips_bad_entries(
    library, alice, tmp_path
):

    owner = Actor.of(alice)
    other = tmp_path / 'other.zip'
    with zipfile.ZipFile(other, 'w') as archive:
        archive.writestr('notes.txt', 'hello')
    with pytest.raises(Invalid, match='Not a Shoebox export'):
        library.services.import_export.import_zip(SYSTEM, other, owner)
    odd = tmp_path / 'odd.zip'
    manifest = {
        'format': 'shoebox-export',
        'version': 1,
        'images': [
            'not an entry',
            {'file': 'missing.jpg'},
            {'file': 'ok.jpg', 'tags': ['fine', 3], 'created_at': 'yesterday-ish', 'title': 'Ok'},
        ],
    }
    with zipfile.ZipFile(odd, 'w') as archive:
        archive.writestr('images.json', json.dumps(manifest))
        archive.writestr('ok.jpg', image_bytes(seed=4242))
    results = library.services.import_export.import_zip(SYSTEM, odd, owner)
    assert [r.status for r in results] == ['added']
    image = results[0].image
    again = library.get(alice.id, image.id)
    assert again.title == 'Ok' and 'fine' in again.tags
    assert again.created_at.year == datetime.now(UTC).year  # the unreadable date is not kept
