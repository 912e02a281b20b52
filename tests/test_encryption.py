"""Encryption at rest: no image bytes or EXIF text on disk, served decrypted (Range too), blob
names that do not tell the content, a wrong key refused at start, encrypt-existing resumable."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from cli import app
from repo.config import Settings
from repo.core.actor import SYSTEM
from repo.core.errors import EncryptionKeyError
from repo.library import Library
from repo.services.encryption import new_key_text
from tests.api_helpers import bearer, client_for, make_app, token_for, upload
from tests.conftest import PASSWORD
from tests.images import encode, noise, picture
from tests.test_cli import ENV, text

SECRET_EXIF = 'Holiday-at-Aunt-Marthas-1987'
SIGNATURES = {
    'JPEG': b'\xff\xd8\xff',
    'PNG': b'\x89PNG\r\n\x1a\n',
    'WebP': b'WEBPVP8',
    'EXIF': SECRET_EXIF.encode(),
}


def exif_jpeg(seed: int = 0, size: tuple[int, int] = (160, 120)) -> bytes:
    im = picture(size, seed)
    exif = im.getexif()
    exif[0x010E] = SECRET_EXIF  # ImageDescription: Shoebox keeps it nowhere but in the bytes
    exif[0x0110] = 'Camera'
    return encode(im, 'JPEG', exif=exif, quality=95)


def key_file(tmp_path: Path, name: str = 'key') -> Path:
    path = tmp_path / name
    path.write_text(new_key_text() + '\n')
    return path


@pytest.fixture
def keyed(make_library, tmp_path: Path) -> Library:  # type: ignore[no-untyped-def]
    return make_library(
        Settings(data_dir=tmp_path / 'data', encryption_key_file=key_file(tmp_path))
    )


def shoebox(*args: str | Path, env: dict[str, str]) -> Result:
    runner = CliRunner(env={**ENV, **env})
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob('*') if p.is_file()]


def test_no_plaintext_on_disk_and_served_bytes_are_the_originals(keyed: Library):
    alice = keyed.create_user('alice', PASSWORD)
    bob = keyed.create_user('bob', PASSWORD + ' too')
    jpeg, png = exif_jpeg(1), encode(noise((300, 300), seed=2), 'PNG')
    http = client_for(make_app(keyed))
    token = token_for(keyed, alice)
    ids = [
        upload(http, token, data, name).json()['id']
        for data, name in ((jpeg, 'a.jpg'), (png, 'b.png'))
    ]
    assert upload(http, token_for(keyed, bob), jpeg, 'same.jpg').status_code == 201
    keyed.services.maintenance.wait_for_index(SYSTEM)
    for path in files_under(keyed.settings.data_dir):
        content = path.read_bytes()
        for what, signature in SIGNATURES.items():
            assert signature not in content, f'{what} in {path}'
    # names are keyed hashes: no file is named after (or starts with) a content hash
    shas = {keyed.get(alice.id, i).sha256 for i in ids}
    names = [p.name for p in files_under(keyed.settings.blobs_dir)]
    assert not [n for n in names if any(n.startswith(sha[:8]) for sha in shas)]
    # alice's and bob's equal files share one set of blobs: 2 contents x (original, thumb)
    assert len(names) == 4
    got = http.get(f'/api/v1/images/{ids[0]}/original', headers=bearer(token))
    assert got.status_code == 200 and got.content == jpeg
    thumb = http.get(f'/api/v1/images/{ids[0]}/thumbnail', headers=bearer(token))
    assert thumb.status_code == 200 and thumb.content[8:12] == b'WEBP'
    ranged = http.get(
        f'/api/v1/images/{ids[1]}/original',
        headers={**bearer(token), 'Range': 'bytes=65000-140000'},
    )
    assert ranged.status_code == 206 and ranged.content == png[65000:140001]
    tail = http.get(
        f'/api/v1/images/{ids[1]}/original', headers={**bearer(token), 'Range': 'bytes=-100'}
    )
    assert tail.status_code == 206 and tail.content == png[-100:]
    assert keyed.check().ok  # nothing missing, nothing extra, nothing unencrypted


def test_a_wrong_or_missing_key_is_refused_at_start(make_library, tmp_path: Path):
    data = tmp_path / 'data'
    right = key_file(tmp_path, 'right')
    lib = make_library(Settings(data_dir=data, encryption_key_file=right))
    alice = lib.create_user('alice', PASSWORD)
    lib.add(alice.id, exif_jpeg(), 'a.jpg')
    lib.close()
    wrong = key_file(tmp_path, 'wrong')
    for settings, says in (
        (Settings(data_dir=data, encryption_key_file=wrong), 'another key'),
        (Settings(data_dir=data, encryption_key_file=tmp_path / 'nowhere'), 'cannot be read'),
        (Settings(data_dir=data), 'holds encrypted blobs'),
    ):
        with pytest.raises(EncryptionKeyError) as caught:
            make_library(settings).services.cipher  # noqa: B018
        assert (
            'SHOEBOX_ENCRYPTION_KEY_FILE' in caught.value.message and says in caught.value.message
        )
        assert wrong.read_text().strip() not in caught.value.message
    malformed = tmp_path / 'short'
    malformed.write_text('abc123')
    result = shoebox(
        'users', 'list', '--data-dir', data, env={'SHOEBOX_ENCRYPTION_KEY_FILE': str(malformed)}
    )
    assert result.exit_code == 2
    assert 'SHOEBOX_ENCRYPTION_KEY_FILE' in text(result) and '64 hexadecimal digits' in text(result)
    assert 'Traceback' not in result.output


def test_encrypt_existing_killed_halfway_then_rerun_loses_nothing(make_library, tmp_path: Path):
    data = tmp_path / 'data'
    plain = make_library(Settings(data_dir=data))
    alice = plain.create_user('alice', PASSWORD)
    originals = {}
    for n in range(5):
        content = exif_jpeg(n)
        originals[plain.add(alice.id, content, f'p{n}.jpg').id] = content
    plain.close()
    keyed = make_library(Settings(data_dir=data, encryption_key_file=key_file(tmp_path)))
    report = keyed.check()
    assert len(report.unencrypted_blobs) == 10 and not report.ok  # check tells them
    for image_id, content in originals.items():  # still served while plaintext
        assert keyed.open_file(alice.id, image_id, 'original').read() == content
    store = keyed.services.blobs
    real_delete, calls = store.inner.delete, []

    def killed_after_three(key: str) -> None:
        calls.append(key)
        if len(calls) > 3:  # the encrypted copy is written; the process dies before the rest
            raise KeyboardInterrupt
        real_delete(key)

    store.inner.delete = killed_after_three
    with pytest.raises(KeyboardInterrupt):
        keyed.services.encryption.encrypt_existing(SYSTEM)
    store.inner.delete = real_delete
    for image_id, content in originals.items():  # nothing lost at the kill
        assert keyed.open_file(alice.id, image_id, 'original').read() == content
    assert 0 < len(keyed.services.encryption.plaintext_keys()) < 10
    result = shoebox(
        'encrypt-existing',
        '--data-dir',
        data,
        env={'SHOEBOX_ENCRYPTION_KEY_FILE': str(keyed.settings.encryption_key_file)},
    )
    assert result.exit_code == 0, text(result)
    assert keyed.services.encryption.plaintext_keys() == []
    for image_id, content in originals.items():
        assert keyed.open_file(alice.id, image_id, 'original').read() == content
    for path in files_under(data / 'blobs'):
        assert SIGNATURES['JPEG'] not in path.read_bytes()
    keyed.services.maintenance.wait_for_index(SYSTEM)
    assert keyed.check().ok


def test_an_encrypted_library_backs_up_encrypted_and_restores_with_its_key(
    keyed: Library, tmp_path: Path
):
    alice = keyed.create_user('alice', PASSWORD)
    content = exif_jpeg(5)
    image = keyed.add(alice.id, content, 'a.jpg')
    dest = tmp_path / 'backup'
    report = keyed.services.backups.backup(SYSTEM, dest)
    assert report.images == 1 and report.blobs == 2
    for path in files_under(dest / 'blobs'):
        assert SIGNATURES['JPEG'] not in path.read_bytes()
    key = {'SHOEBOX_ENCRYPTION_KEY_FILE': str(keyed.settings.encryption_key_file)}
    without = shoebox('restore', dest, '--data-dir', tmp_path / 'nokey', env={})
    assert without.exit_code == 2 and 'SHOEBOX_ENCRYPTION_KEY_FILE' in text(without)
    restored = shoebox('restore', dest, '--data-dir', tmp_path / 'new', env=key)
    assert restored.exit_code == 0 and 'consistent' in text(restored), text(restored)
    again = Library(
        Settings(data_dir=tmp_path / 'new', encryption_key_file=keyed.settings.encryption_key_file)
    )
    try:
        owner = again.services.accounts.find_user(SYSTEM, 'alice')
        assert again.open_file(owner.id, image.id, 'original').read() == content
    finally:
        again.close()
