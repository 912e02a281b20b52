"""Adding images: accepted formats, refusals that leave nothing behind, dedupe, shared blobs."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image as PILImage

from repo.core.errors import DuplicateImage, Invalid, TooLarge, UnsupportedType
from repo.core.schemas import ImageUpdate
from repo.library import Library, UploadItem
from tests import images
from tests.conftest import PASSWORD


def leftovers(lib: Library) -> dict[str, int]:
    """Everything an upload could leave behind: rows, blob files, tmp files, index documents."""
    lib.wait_for_index()
    s = lib.settings
    blob_files = [p for p in s.blobs_dir.rglob('*') if p.is_file()]
    tmp_files = [p for p in s.tmp_dir.iterdir() if p.is_file()]
    rows = lib.list(None, limit=200).total + sum(
        lib.list(u.id, visibility='private', limit=200).total for u in lib.list_users()
    )
    return {
        'rows': rows,
        'blobs': len(blob_files),
        'tmp': len(tmp_files),
        'index': lib.index.doc_count(),
    }


ROOT = Path(__file__).resolve().parent.parent

NOTHING = {'rows': 0, 'blobs': 0, 'tmp': 0, 'index': 0}


@pytest.mark.parametrize('fmt', ['JPEG', 'PNG', 'WEBP', 'GIF', 'AVIF'])
def test_every_accepted_format_is_added_with_facts_and_renditions(library, alice, fmt):
    data = images.image_bytes(fmt, seed=3, size=(120, 80))
    image = library.add(alice.id, data, f'holiday.{fmt.lower()}')
    assert image.format == fmt
    assert (image.width, image.height) == (120, 80)
    assert image.size_bytes == len(data)
    assert image.title == 'holiday'
    assert image.visibility == 'private'
    assert image.colors and all(c.startswith('#') and len(c) == 7 for c in image.colors)
    for kind in ('thumb', 'preview'):
        blob = library.open_file(alice.id, image.id, kind)
        with PILImage.open(blob.open()) as rendition:
            assert rendition.format == 'WEBP'
    original = library.open_file(alice.id, image.id, 'original')
    assert original.read() == data


def test_a_heic_from_a_phone_is_added_and_its_original_kept(library, alice):
    data = images.heic_bytes(seed=4, size=(120, 80))
    image = library.add(alice.id, data, 'IMG_4012.HEIC')
    assert (image.format, image.width, image.height) == ('HEIF', 120, 80)
    assert image.title == 'IMG_4012'
    with PILImage.open(library.open_file(alice.id, image.id, 'thumb').open()) as thumb:
        assert thumb.format == 'WEBP' and thumb.size == (120, 80)
    original = library.open_file(alice.id, image.id, 'original')
    assert original.media_type == 'image/heic'
    assert original.read() == data


def test_content_decides_the_format_not_the_name(library, alice):
    png = images.image_bytes('PNG', seed=5)
    image = library.add(alice.id, png, 'really-a-png.jpg')
    assert image.format == 'PNG'
    assert library.open_file(alice.id, image.id, 'original').media_type == 'image/png'


def test_preview_is_made_on_first_view_and_kept(library, alice):
    image = library.add(alice.id, images.image_bytes(seed=11, size=(2000, 1500)), 'wide.jpg')
    first = library.open_file(alice.id, image.id, 'preview')
    with PILImage.open(first.open()) as preview:
        assert preview.format == 'WEBP' and 1400 <= max(preview.size) <= 1600
    mtime = library.blobs.stat(first.key).mtime
    again = library.open_file(alice.id, image.id, 'preview')
    assert library.blobs.stat(again.key).mtime == mtime


def test_large_photo_renditions_fit_their_boxes_and_drop_exif(library, alice):
    im = images.picture((2400, 1600), seed=9)
    exif = PILImage.Exif()
    exif[0x010F] = 'Canon'
    exif[0x0110] = 'Canon EOS 5D'
    exif[0x0112] = 6  # rotate 90 when shown
    data = images.encode(im, 'JPEG', exif=exif.tobytes(), quality=85)
    image = library.add(alice.id, data, 'tall.jpg')
    assert (image.width, image.height) == (1600, 2400)  # orientation applied
    assert image.camera and 'EOS 5D' in image.camera
    for kind, box in (('thumb', 400), ('preview', 1600)):
        with PILImage.open(library.open_file(alice.id, image.id, kind).open()) as r:
            assert max(r.size) <= box
            assert r.height > r.width
            assert not r.getexif()


@pytest.mark.parametrize(
    ('data', 'error', 'words'),
    [
        (images.png_header_only(20_000, 20_000), TooLarge, 'limit'),
        (images.flat_png_bomb(), TooLarge, 'bomb'),
        (images.truncated_jpeg(), Invalid, 'truncated'),
        (images.TEXT, UnsupportedType, 'JPEG'),
        (images.SVG, UnsupportedType, 'SVG'),
        (images.HTML, UnsupportedType, 'HTML'),
        (images.PDF, UnsupportedType, 'PDF'),
        (images.tiff_bytes(), UnsupportedType, 'TIFF'),
        (b'', Invalid, 'empty'),
    ],
    ids=[
        'declares-20000x20000',
        'bomb',
        'truncated',
        'text',
        'svg',
        'html',
        'pdf',
        'tiff',
        'empty',
    ],
)
def test_refused_files_leave_nothing_behind(library, alice, data, error, words):
    with pytest.raises(error) as caught:
        library.add(alice.id, data, 'suspicious.jpg')
    assert words.lower() in str(caught.value).lower()
    assert leftovers(library) == NOTHING


def test_file_over_the_byte_limit_is_refused_while_streaming(make_library, settings):
    lib = make_library(settings.with_(max_file_bytes=10_000))
    alice = lib.create_user('alice', PASSWORD)
    big = images.encode(images.noise((200, 200)), 'PNG')
    assert len(big) > 10_000
    with pytest.raises(TooLarge, match='limit'):
        lib.add(alice.id, io.BytesIO(big), 'big.png')
    assert leftovers(lib) == NOTHING


def test_refused_metadata_leaves_nothing_behind(library, alice):
    data = images.image_bytes(seed=2)
    with pytest.raises(Invalid, match='200'):
        library.add(alice.id, data, 'a.jpg', title='x' * 201)
    with pytest.raises(Invalid, match='5000'):
        library.add(alice.id, data, 'a.jpg', description='x' * 5001)
    with pytest.raises(Invalid, match='30'):
        library.add(alice.id, data, 'a.jpg', tags=[f't{i}' for i in range(31)])
    with pytest.raises(Invalid, match='public'):
        library.add(alice.id, data, 'a.jpg', visibility='friends')
    assert leftovers(library) == NOTHING


def test_filename_is_display_text_only(library, alice):
    name = '../../etc/\u202eevil\x07 photo.jpg'
    image = library.add(alice.id, images.image_bytes(seed=4), name)
    assert image.filename == 'evil photo.jpg'
    assert image.title == 'evil photo'
    assert not (library.settings.data_dir.parent / 'etc').exists()


def test_tags_are_trimmed_lowercased_and_deduplicated(library, alice):
    image = library.add(
        alice.id, images.image_bytes(seed=6), 'a.jpg', tags=[' Beach', 'beach', 'SUN']
    )
    assert images.own_tags(image) == ['beach', 'sun']


def test_same_owner_same_bytes_is_a_duplicate_naming_the_first(library, alice):
    data = images.image_bytes(seed=7)
    first = library.add(alice.id, data, 'one.jpg')
    with pytest.raises(DuplicateImage) as caught:
        library.add(alice.id, data, 'two.jpg')
    assert caught.value.existing_id == first.id
    assert first.id in str(caught.value)
    assert leftovers(library)['rows'] == 1


def test_identical_bytes_are_stored_once_across_owners(library, alice, bob):
    data = images.image_bytes(seed=8)
    a = library.add(alice.id, data, 'mine.jpg', visibility='public')
    b = library.add(bob.id, data, 'also-mine.jpg')
    assert a.id != b.id and a.sha256 == b.sha256
    assert (b.width, b.height, b.colors) == (a.width, a.height, a.colors)
    assert leftovers(library)['blobs'] == 2  # one original, one thumbnail
    library.open_file(alice.id, a.id, 'preview')
    library.open_file(bob.id, b.id, 'preview')
    assert leftovers(library)['blobs'] == 3  # and one preview, made on first view

    library.delete(alice.id, a.id)
    library.empty_trash(alice.id, everything=True)  # deleted for good (issue 12's trash)
    assert library.open_file(bob.id, b.id, 'original').read() == data
    library.delete(bob.id, b.id)
    library.empty_trash(bob.id, everything=True)
    assert leftovers(library) == NOTHING


def test_batch_add_reports_each_file_and_one_bad_file_spoils_nothing(library, alice, tmp_path):
    good = [images.image_bytes('JPEG', seed=s) for s in range(10, 16)]
    paths = []
    for i, data in enumerate(good):
        p = tmp_path / f'good{i}.jpg'
        p.write_bytes(data)
        paths.append(p)
    items = [UploadItem(filename=p.name, path=p, tags=['batch']) for p in paths]
    items.insert(2, UploadItem(filename='notes.jpg', data=images.TEXT))
    items.insert(4, UploadItem(filename='again.jpg', data=good[0]))
    seen = []
    results = library.add_many(alice.id, items, on_result=seen.append)
    assert [r.status for r in results] == [
        'added', 'added', 'refused', 'added', 'duplicate', 'added', 'added', 'added'
    ]  # fmt: skip
    assert seen == results
    assert results[4].existing_id == results[0].image.id
    assert 'JPEG' in results[2].message
    assert library.list(alice.id, tags=['batch']).total == 6
    assert leftovers(library)['tmp'] == 0


def test_two_hundred_files_in_one_batch(library, alice):
    items = [
        UploadItem(
            filename=f'p{i}.png', data=images.image_bytes('PNG', seed=100 + i, size=(40, 30))
        )
        for i in range(200)
    ]
    results = library.add_many(alice.id, items)
    assert sum(r.status == 'added' for r in results) == 200
    assert library.list(alice.id, limit=1).total == 200


def test_update_changes_text_tags_and_visibility(library, alice):
    image = library.add(alice.id, images.image_bytes(seed=20), 'a.jpg', tags=['old'])
    updated = library.update(
        alice.id,
        image.id,
        ImageUpdate(
            title='New title', description='Longer words', tags=['New', 'x'], visibility='public'
        ),
    )
    assert (updated.title, updated.description, updated.tags) == (
        'New title',
        'Longer words',
        ['new', 'x'],
    )
    assert updated.visibility == 'public' and updated.updated_at >= image.updated_at
    assert library.get(None, image.id).title == 'New title'
    with pytest.raises(Invalid):
        library.update(alice.id, image.id, ImageUpdate(title='y' * 201))


def test_restart_keeps_everything(make_library, settings, tmp_path: Path):
    lib = make_library(settings)
    alice = lib.create_user('alice', PASSWORD)
    image = lib.add(alice.id, images.image_bytes(seed=30), 'lighthouse.jpg', tags=['coast'])
    lib.wait_for_index()
    lib.close()

    again = make_library(settings)
    assert images.own_tags(again.get(alice.id, image.id)) == ['coast']
    assert again.authenticate('alice', PASSWORD).id == alice.id
    assert [i.id for i in again.search(alice.id, 'lighthouse').items] == [image.id]
    with pytest.raises(DuplicateImage):
        again.add(alice.id, images.image_bytes(seed=30), 'again.jpg')


def test_what_add_returns_is_what_is_stored(library, alice):
    added = library.add(alice.id, images.image_bytes(seed=77), 'pier.jpg', tags=['Sea', 'pier'])
    assert added == library.get(alice.id, added.id)
    assert library.list(alice.id).items == [added]


def test_image_workers_start_ahead_of_the_first_upload(settings, fast_hasher):
    """The server starts its worker processes at start-up; each one is ready for work."""
    with Library(settings, password_hasher=fast_hasher) as lib:
        started = lib.start_workers()
        assert len(started) == settings.pool_size()
        assert all(future.result(timeout=120) for future in started)
        user = lib.create_user('alice', PASSWORD)
        added = lib.add(user.id, images.image_bytes(seed=3), 'first.jpg')
        assert lib.open_file(user.id, added.id, 'thumb').read()


def test_the_worker_job_does_not_load_the_database_or_web_stack():
    """Each image worker imports what its job needs: with the ORM or the web framework as well,
    every worker took ~0.6 s longer to start and ~30 MB more memory."""
    heavy = ('sqlalchemy', 'sqlmodel', 'pydantic', 'nicegui', 'fastapi', 'whoosh')
    probe = (
        'import sys, repo.worker_pool, repo.ingest_job; '
        f'print(" ".join(m for m in {heavy!r} if m in sys.modules))'
    )
    loaded = subprocess.run(
        [sys.executable, '-c', probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert loaded.stdout.split() == []
