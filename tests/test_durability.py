"""Crashes and lost caches: what survives, and what `check` and `reindex` put right."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from repo.db.migrate import HEAD
from tests import images
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parent.parent


def test_crash_between_blob_write_and_db_commit(make_library, settings, tmp_path):
    """A process that dies after moving blobs into place but before its row commits."""
    lib = make_library(settings)
    lib.create_user('alice', PASSWORD)
    lib.close()
    photo = tmp_path / 'photo.jpg'
    photo.write_bytes(images.image_bytes(seed=42))
    script = textwrap.dedent(
        f"""
        import os
        from repo.config import Settings
        from repo.db.repos.images import ImageRepository
        from repo.library import Library

        def crash(*args, **kwargs):
            os._exit(3)

        if __name__ == '__main__':
            lib = Library(Settings(data_dir={str(settings.data_dir)!r}, workers=1))
            ImageRepository.insert = crash
            user = lib.find_user('alice')
            lib.add(user.id, {str(photo)!r}, 'photo.jpg')
        """
    )
    crashed = subprocess.run([sys.executable, '-c', script], cwd=ROOT, timeout=120)
    assert crashed.returncode == 3

    lib = make_library(settings)
    alice = lib.find_user('alice')
    assert lib.list(alice.id).total == 0
    report = lib.check(grace_s=0)
    assert len(report.blobs_without_rows) == 1 and not report.ok
    repaired = lib.check(repair=True, grace_s=0)
    assert repaired.removed_blobs == 1
    assert not [p for p in settings.blobs_dir.rglob('*') if p.is_file()]
    assert lib.check(grace_s=0).ok
    again = lib.add(alice.id, photo, 'photo.jpg')  # the same file goes in cleanly afterwards
    assert lib.get(alice.id, again.id).filename == 'photo.jpg'


def test_grace_period_protects_fresh_files(make_library, settings):
    lib = make_library(settings)
    stray = settings.tmp_dir / 'upload-in-flight'
    stray.write_bytes(b'partial')
    report = lib.check(repair=True)  # default grace period: an hour
    assert report.removed_tmp_files == 0 and stray.exists()
    assert lib.check(repair=True, grace_s=0).removed_tmp_files == 1
    assert not stray.exists()


def test_check_reports_rows_whose_blobs_vanished(library, alice):
    image = library.add(alice.id, images.image_bytes(seed=5), 'gone.jpg')
    library.blobs.delete(image.sha256)
    assert library.check().rows_without_blobs == [image.id]


def test_index_is_rebuilt_when_its_folder_is_deleted(make_library, settings):
    lib = make_library(settings)
    alice = lib.create_user('alice', PASSWORD)
    image = lib.add(alice.id, images.image_bytes(seed=6), 'kingfisher.jpg', tags=['bird'])
    lib.wait_for_index()
    lib.close()
    shutil.rmtree(settings.index_dir)

    lib = make_library(settings)
    assert [i.id for i in lib.search(alice.id, 'kingfisher').items] == [image.id]
    assert lib.search(alice.id, 'bird').total == 1


def test_corrupt_index_is_rebuilt(make_library, settings):
    lib = make_library(settings)
    alice = lib.create_user('alice', PASSWORD)
    lib.add(alice.id, images.image_bytes(seed=7), 'heron.jpg')
    lib.wait_for_index()
    lib.close()
    for f in settings.index_dir.iterdir():
        if f.is_file():
            f.write_bytes(b'garbage')

    lib = make_library(settings)
    assert lib.search(alice.id, 'heron').total == 1


def test_reindex_rebuilds_from_the_database(library, alice):
    for i in range(3):
        library.add(alice.id, images.image_bytes(seed=10 + i), f'otter {i}.jpg')
    assert library.reindex() == 3
    assert library.search(alice.id, 'otter').total == 3
    library.add(alice.id, images.image_bytes(seed=20), 'otter 4.jpg')
    library.wait_for_index()
    assert library.search(alice.id, 'otter').total == 4


def test_pending_outbox_is_replayed_on_start(make_library, settings, pool, fast_hasher):
    from repo.library import Library

    lib = Library(settings, executor=pool, password_hasher=fast_hasher, start_worker=False)
    alice = lib.create_user('alice', PASSWORD)
    lib.add(alice.id, images.image_bytes(seed=30), 'walrus.jpg')
    assert lib.check().pending_outbox == 1
    lib.close()

    lib = make_library(settings)
    lib.wait_for_index()
    assert lib.search(alice.id, 'walrus').total == 1
    assert lib.check().pending_outbox == 0


def test_a_database_from_the_first_schema_is_migrated(make_library, settings):
    """A data folder made before colours and signatures existed opens and keeps working."""
    import sqlite3

    lib = make_library(settings)
    alice = lib.create_user('alice', PASSWORD)
    old = lib.add(alice.id, images.image_bytes(seed=50), 'old.jpg', tags=['kept'])
    lib.close()
    with sqlite3.connect(settings.db_path) as db:  # turn it back into a version 1 database
        for table in ('alembic_version', 'event', 'consumercursor', 'loginfailure'):
            db.execute(f'DROP TABLE {table}')
        db.execute(
            'CREATE TABLE indexoutbox (id INTEGER NOT NULL PRIMARY KEY, '
            'image_id VARCHAR NOT NULL, created_at DATETIME NOT NULL)'
        )
        db.execute("DELETE FROM meta WHERE key = 'founder'")
        for index in ('ix_image_owner_created', 'ix_image_visibility_created'):
            db.execute(f'DROP INDEX {index}')
        db.execute('ALTER TABLE image DROP COLUMN signature')
        db.execute('ALTER TABLE image DROP COLUMN color_names')
        db.execute('DELETE FROM imagetag WHERE auto = 1')  # version 1 had no automatic tags
        db.execute('ALTER TABLE imagetag DROP COLUMN auto')
        db.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")

    lib = make_library(settings)
    assert images.own_tags(lib.get(alice.id, old.id)) == ['kept']
    new = lib.add(alice.id, images.image_bytes('PNG', seed=50), 'new.png')  # the same picture
    assert new.auto_tags
    # The old row, which has no colour signature, still takes part in finding by look.
    assert [i.image.id for i in lib.similar(alice.id, new.id).items] == [old.id]
    with sqlite3.connect(settings.db_path) as db:
        # Version 3: the first under Alembic migrations (repo/db/migrations).
        assert db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() == ('3',)
        assert db.execute('SELECT version_num FROM alembic_version').fetchone() == (HEAD,)


def _running(pid: int) -> bool:
    """The process exists and is not a zombie waiting to be reaped."""
    try:
        with open(f'/proc/{pid}/stat') as fh:
            return fh.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not Path('/proc/self/stat').exists(), reason='reads /proc')
def test_image_workers_exit_when_the_server_dies_hard(settings):
    """A server killed outright (a crash, SIGKILL) must not leave its worker processes behind."""
    script = textwrap.dedent(
        f"""
        import os
        from repo.config import Settings
        from repo.library import Library

        if __name__ == '__main__':
            lib = Library(Settings(data_dir={str(settings.data_dir)!r}, workers=2))
            for ready in lib.start_workers():
                ready.result()
            jobs = [lib.executor.submit(os.getpid) for _ in range(40)]
            print(' '.join(str(p) for p in {{job.result() for job in jobs}}), flush=True)
            os._exit(9)
        """
    )
    died = subprocess.run(
        [sys.executable, '-c', script], cwd=ROOT, timeout=120, capture_output=True, text=True
    )
    assert died.returncode == 9, died.stderr
    workers = [int(p) for p in died.stdout.split()]
    assert workers and os.getpid() not in workers
    deadline = time.monotonic() + 30
    while any(_running(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [p for p in workers if _running(p)]
