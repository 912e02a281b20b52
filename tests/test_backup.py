"""`shoebox backup`, `backup --verify` and `restore`: a consistent copy taken while uploads
run, incremental, tamper-evident, restored into an empty folder that `check` finds whole."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from repo.config import Settings
from repo.core.actor import SYSTEM
from repo.library import Library
from tests.conftest import PASSWORD
from tests.images import image_bytes
from tests.test_cli import shoebox, text


def originals(library: Library, user_id: int) -> dict[str, bytes]:
    page = library.list(user_id, owner='alice', limit=200)
    return {i.id: library.open_file(user_id, i.id, 'original').read() for i in page.items}


def test_backup_while_uploading_restores_whole(tmp_path: Path, make_library):  # type: ignore[no-untyped-def]
    data = tmp_path / 'data'
    library = make_library(Settings(data_dir=data))
    alice = library.create_user('alice', PASSWORD)
    for n in range(8):
        library.add(alice.id, image_bytes(seed=n), f'before{n}.jpg', tags=['before'])
    before = originals(library, alice.id)
    stop = threading.Event()
    added: list[str] = []

    def keep_uploading() -> None:
        n = 100
        while not stop.is_set():
            added.append(library.add(alice.id, image_bytes(seed=n), f'during{n}.jpg').id)
            n += 1

    uploader = threading.Thread(target=keep_uploading)
    uploader.start()
    try:
        while len(added) < 2:
            stop.wait(0.05)
        first = shoebox('backup', tmp_path / 'backup', '--data-dir', data)
    finally:
        stop.set()
        uploader.join()
    assert first.exit_code == 0, text(first)
    assert len(added) >= 2  # uploads ran while the backup did
    verified = shoebox('backup', '--verify', tmp_path / 'backup', '--data-dir', data)
    assert verified.exit_code == 0 and 'backup verified' in text(verified)

    restored_dir = tmp_path / 'restored'
    restored = shoebox('restore', tmp_path / 'backup', '--data-dir', restored_dir)
    assert restored.exit_code == 0, text(restored)
    assert 'consistent' in text(restored)
    check = shoebox('check', '--grace-seconds', '0', '--data-dir', restored_dir)
    assert check.exit_code == 0 and 'consistent' in text(check), text(check)

    again = make_library(Settings(data_dir=restored_dir))
    alice_again = again.services.accounts.find_user(SYSTEM, 'alice')
    back = originals(again, alice_again.id)
    for image_id, data_bytes in before.items():  # everything there at the snapshot
        assert back[image_id] == data_bytes
    for image_id, data_bytes in back.items():  # and what came along is whole too
        assert data_bytes == library.open_file(alice.id, image_id, 'original').read()
    # the index was rebuilt: search finds what the restore holds
    assert again.search(alice_again.id, 'before').total == len(before)


def test_backup_is_incremental_and_a_tampered_one_fails_verify(tmp_path: Path, make_library):  # type: ignore[no-untyped-def]
    data = tmp_path / 'data'
    library = make_library(Settings(data_dir=data))
    alice = library.create_user('alice', PASSWORD)
    for n in range(3):
        library.add(alice.id, image_bytes(seed=n), f'p{n}.jpg')
    dest = tmp_path / 'backup'
    first = library.services.backups.backup(SYSTEM, dest)
    assert first.copied == first.blobs > 0
    library.add(alice.id, image_bytes(seed=99), 'new.jpg')
    second = library.services.backups.backup(SYSTEM, dest)
    assert second.reused == first.blobs and second.copied == second.blobs - first.blobs
    manifest = json.loads((dest / 'manifest.json').read_text())
    key = sorted(k for k in manifest['blobs'] if '.' not in k)[0]
    victim = dest / 'blobs' / key[:2] / key[2:4] / key
    damaged = bytearray(victim.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    victim.write_bytes(bytes(damaged))
    result = shoebox('backup', '--verify', dest, '--data-dir', data)
    assert result.exit_code == 1
    assert 'damaged 1' in text(result).replace(':', '') and key in text(result)
    refused = shoebox('restore', dest, '--data-dir', tmp_path / 'new')
    assert refused.exit_code == 1 and 'fails verification' in text(refused)


def test_restore_refuses_a_folder_that_is_not_empty(tmp_path: Path, make_library):  # type: ignore[no-untyped-def]
    data = tmp_path / 'data'
    library = make_library(Settings(data_dir=data))
    library.create_user('alice', PASSWORD)
    library.services.backups.backup(SYSTEM, tmp_path / 'backup')
    busy = tmp_path / 'busy'
    busy.mkdir()
    (busy / 'shoebox.db').write_bytes(b'precious')
    result = shoebox('restore', tmp_path / 'backup', '--data-dir', busy)
    assert result.exit_code == 1 and 'not empty' in text(result)
    assert (busy / 'shoebox.db').read_bytes() == b'precious'
