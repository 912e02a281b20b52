"""The command line's administration: server-side `users disable|enable|promote|reset-password`
on the data folder, quotas for `shoebox import`, and `shoebox upload` stopping at the first 507."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

import api
from repo.config import Settings
from repo.core.actor import SYSTEM
from repo.core.errors import InvalidCredentials
from repo.core.schemas_admin import AccountChanges
from repo.library import Library
from tests import images
from tests.conftest import PASSWORD
from tests.test_cli import create_user, shoebox, text
from tests.test_cli_client import shoebox as client_shoebox
from tests.test_cli_client import text as client_text

NEW_PASSWORD = 'seven quiet otters paddle home'


def quota(library: Library, username: str, **values: int | None) -> None:
    changes = AccountChanges(**values, fields_set=frozenset(values))
    library.services.admin.update_user(SYSTEM, username, changes)


def test_disable_enable_promote_and_a_reset_link_from_the_data_folder(
    tmp_path: Path, make_library
) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / 'data'
    assert create_user(data, 'alice').exit_code == 0
    assert create_user(data, 'bob', PASSWORD + ' too').exit_code == 0
    disabled = shoebox('users', 'disable', 'bob', '--data-dir', data)
    assert disabled.exit_code == 0 and 'bob disabled' in text(disabled)
    lib = make_library(Settings(data_dir=data))
    with pytest.raises(InvalidCredentials):
        lib.authenticate('bob', PASSWORD + ' too')
    assert 'disabled' in text(shoebox('users', 'list', '--data-dir', data))
    assert shoebox('users', 'enable', 'bob', '--data-dir', data).exit_code == 0
    assert lib.authenticate('bob', PASSWORD + ' too').username == 'bob'
    promoted = shoebox('users', 'promote', 'bob', '--data-dir', data)
    assert 'bob is an administrator' in text(promoted)
    assert lib.find_user('bob').is_admin
    link = shoebox(
        'users', 'reset-password', 'bob', '--base-url', 'https://photos.example', '--data-dir', data
    )
    assert link.exit_code == 0, text(link)
    (url,) = [line for line in link.stdout.splitlines() if line.strip()]
    assert url.startswith('https://photos.example/reset/')
    lib.services.resets.reset(url.rsplit('/', 1)[1], NEW_PASSWORD)
    assert lib.authenticate('bob', NEW_PASSWORD).username == 'bob'
    missing = shoebox('users', 'disable', 'nobody', '--data-dir', data)
    assert missing.exit_code == 1 and 'nobody' in text(missing)
    audit = [(e.who, e.what, e.whom) for e in lib.services.audit.page(SYSTEM)]
    assert ('system', 'user.password_reset', 'bob') in audit
    assert ('system', 'user.disable', 'bob') in audit
    assert not any(url.rsplit('/', 1)[1] in str(e.details) for e in lib.services.audit.page(SYSTEM))


def test_import_obeys_the_quota(tmp_path: Path, make_library) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / 'data'
    assert create_user(data, 'alice').exit_code == 0
    lib = make_library(Settings(data_dir=data))
    quota(lib, 'alice', quota_images=1)
    folder = tmp_path / 'photos'
    folder.mkdir()
    for seed in range(3):
        (folder / f'{seed}.jpg').write_bytes(images.image_bytes(seed=seed))
    result = shoebox('import', folder, '--user', 'alice', '--data-dir', data)
    assert result.exit_code == 1
    assert 'added 1, duplicate 0, refused 2' in text(result)
    assert 'quota of 1 image ' in text(result)
    assert lib.list(lib.find_user('alice').id).total == 1


@pytest.fixture
def server(pool, fast_hasher, tmp_path: Path) -> Iterator[tuple[str, Library]]:  # type: ignore[no-untyped-def]
    library = Library(Settings(data_dir=tmp_path / 'server'), executor=pool,
                      password_hasher=fast_hasher)  # fmt: skip
    app = FastAPI()
    api.register(app, library.services)
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level='warning', lifespan='off'))
    thread = threading.Thread(target=server.run, kwargs={'sockets': [sock]}, daemon=True)
    thread.start()
    for _ in range(500):
        if server.started:
            break
        threading.Event().wait(0.01)
    yield f'http://127.0.0.1:{sock.getsockname()[1]}', library
    server.should_exit = True
    thread.join(timeout=10)
    library.close()


def test_upload_stops_at_the_first_507_with_a_clear_message(server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, library = server
    alice = library.create_user('alice', PASSWORD)
    quota(library, 'alice', quota_images=2)
    folder = tmp_path / 'photos'
    folder.mkdir()
    for seed in range(6):
        (folder / f'{seed}.jpg').write_bytes(images.image_bytes(seed=seed))
    env = {
        'SHOEBOX_SERVER': url,
        'SHOEBOX_CONFIG_DIR': str(tmp_path / 'config'),
        'SHOEBOX_TOKEN': library.tokens.create(alice.id, 'test')[0],
        'COLUMNS': '300',
        'NO_COLOR': '1',
    }
    result = client_shoebox(env, 'upload', folder, '--concurrency', '1')
    said = client_text(result)
    assert result.exit_code == 1
    assert 'added 2, duplicate 0, refused 1' in said
    assert 'Stopped: your quota is full' in said and '3 files were not sent' in said
    assert library.list(alice.id).total == 2
