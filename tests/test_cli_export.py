"""`shoebox export OUT.zip` (over HTTP, with progress) and `shoebox import-export IN.zip`."""

# ruff: noqa: F811  (pytest fixtures imported from tests.test_cli_client are used as arguments)

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from repo.library import Library
from tests.conftest import PASSWORD
from tests.images import image_bytes
from tests.test_cli import shoebox as server_shoebox
from tests.test_cli import text as server_text
from tests.test_cli_client import (  # noqa: F401  (fixtures)
    env,
    library,
    server,
    shoebox,
    signed_in,
    start_server,
    text,
    user,
)


def test_export_then_import_export_into_another_account(
    signed_in: dict[str, str],
    library: Library,
    user,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    for n in range(3):
        library.add(
            user.id, image_bytes(seed=700 + n), 'same.jpg', tags=['kept'], visibility='public'
        )
    out = tmp_path / 'mine.zip'
    result = shoebox(signed_in, 'export', out)
    assert result.exit_code == 0, text(result)
    assert 'saved 3 images' in text(result)
    with zipfile.ZipFile(out) as archive:
        names = sorted(archive.namelist())
        manifest = json.loads(archive.read('images.json'))
    assert names == ['images.json', 'same (2).jpg', 'same (3).jpg', 'same.jpg']
    assert {e['filename'] for e in manifest['images']} == {'same.jpg'}
    again = shoebox(signed_in, 'export', out)
    assert again.exit_code == 1 and 'already exists' in text(again)

    target = library.create_user(f'{user.username}-copy', PASSWORD)
    data_dir = library.settings.data_dir
    imported = server_shoebox(
        'import-export', out, '--user', target.username, '--data-dir', data_dir
    )
    assert imported.exit_code == 0, server_text(imported)
    assert 'added 3, duplicate 0, refused 0' in server_text(imported)
    copies = library.list(target.id, owner=target.username, limit=10).items
    assert sorted(i.sha256 for i in copies) == sorted(e['sha256'] for e in manifest['images'])
    assert all('kept' in i.tags and i.visibility.value == 'public' for i in copies)


def test_export_needs_a_sign_in(env: dict[str, str], tmp_path: Path) -> None:
    result = shoebox(env, 'export', tmp_path / 'x.zip')
    assert result.exit_code == 1 and 'Not signed in' in text(result)
    assert not (tmp_path / 'x.zip').exists()
