"""The `shoebox` command, driven through typer's CliRunner against a data dir in tmp_path.

Each invocation opens its own Library (default argon2 parameters, its own lazy process pool), so
the number of invocations is kept small: one import run is shared by the import tests.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner
from zxcvbn import zxcvbn

from cli import app
from repo.config import Settings
from repo.library import Library
from tests.conftest import PASSWORD
from tests.images import SVG, TEXT, image_bytes, own_tags

# Wide lines so rich never wraps a message; two image workers per CLI run are plenty.
ENV = {'COLUMNS': '300', 'SHOEBOX_WORKERS': '2', 'NO_COLOR': '1'}
ANSI = re.compile(r'\x1b\[[0-9;?]*[A-Za-z]')

MakeLibrary = Callable[[Settings], Library]


def shoebox(*args: str | Path, input: str | None = None) -> Result:
    """Run the CLI; an unexpected exception propagates (so a crash is never 'exit code 1')."""
    runner = CliRunner(env=ENV)
    return runner.invoke(app, [str(a) for a in args], input=input, catch_exceptions=False)


def text(result: Result) -> str:
    """Everything printed (stdout and stderr), ANSI codes stripped, whitespace collapsed."""
    return ' '.join(ANSI.sub('', result.output).split())


def stdout_lines(result: Result) -> list[str]:
    return [ANSI.sub('', line).strip() for line in result.stdout.splitlines() if line.strip()]


def create_user(data_dir: Path, name: str, password: str = PASSWORD) -> Result:
    args = ('users', 'create', name, '--password-stdin', '--data-dir', data_dir)
    return shoebox(*args, input=password + '\n')


# ---- users ---------------------------------------------------------------------------------------


def test_users_create_list_and_refusals(tmp_path: Path) -> None:
    data = tmp_path / 'data'

    first = create_user(data, 'alice')
    assert first.exit_code == 0, text(first)
    assert 'created alice (admin)' in text(first)  # the first account is the admin

    second = create_user(data, 'bob', PASSWORD + ' too')
    assert second.exit_code == 0, text(second)
    assert 'created bob' in text(second)
    assert 'admin' not in text(second)

    weak_password = 'password1'
    weak = create_user(data, 'carol', weak_password)
    assert weak.exit_code == 1
    hint = zxcvbn(weak_password)['feedback']['warning']
    assert hint, 'zxcvbn should have something to say about this password'
    assert 'too easy to guess' in text(weak)
    assert ' '.join(hint.split()) in text(weak)
    assert weak_password not in text(weak)  # never echoed

    reserved = create_user(data, 'admin', 'a reasonably strong passphrase here')
    assert reserved.exit_code == 1
    assert 'reserved' in text(reserved)

    taken = create_user(data, 'Alice', 'another strong passphrase entirely')
    assert taken.exit_code == 1
    assert 'already taken' in text(taken)

    listing = shoebox('users', 'list', '--data-dir', data)
    assert listing.exit_code == 0, text(listing)
    rows = {line.split()[0]: line for line in table_rows(listing)}
    assert set(rows) == {'alice', 'bob'}  # nobody from the refused attempts
    assert 'yes' in rows['alice'].split()
    assert 'yes' not in rows['bob'].split()


def table_rows(result: Result) -> list[str]:
    """Rows of a rich table, with its box characters turned into spaces, header left out."""
    rows = []
    for line in stdout_lines(result):
        cells = re.sub(r'[\u2500-\u257f|+-]+', ' ', line).split()
        if cells and cells[0] not in ('username',):
            rows.append(' '.join(cells))
    return rows


def test_users_delete_removes_the_account_and_only_its_images(
    tmp_path: Path, make_library: MakeLibrary
) -> None:
    data = tmp_path / 'data'
    assert create_user(data, 'alice').exit_code == 0
    assert create_user(data, 'bob', PASSWORD + ' too').exit_code == 0

    lib = make_library(Settings(data_dir=data))
    alice, bob = lib.find_user('alice'), lib.find_user('bob')
    alice_ids = [
        lib.add(alice.id, image_bytes('JPEG', seed), f'alice-{seed}.jpg', visibility='public').id
        for seed in (11, 12)
    ]
    bobs = lib.add(bob.id, image_bytes('PNG', 13), 'bob.png', visibility='public')
    alice_sha = {lib.get(alice.id, i).sha256 for i in alice_ids}
    assert lib.wait_for_index()
    lib.close()

    refused = shoebox('users', 'delete', 'alice', '--data-dir', data, input='n\n')
    assert refused.exit_code == 1  # answering no keeps everything

    deleted = shoebox('users', 'delete', 'alice', '--yes', '--data-dir', data)
    assert deleted.exit_code == 0, text(deleted)
    assert 'deleted alice and 2 images' in text(deleted)

    again = shoebox('users', 'delete', 'alice', '--yes', '--data-dir', data)
    assert again.exit_code == 1
    assert 'alice' in text(again)

    after = make_library(Settings(data_dir=data))
    assert [u.username for u in after.list_users()] == ['bob']
    assert [i.id for i in after.list(None).items] == [bobs.id]
    assert after.wait_for_index()
    assert after.search(None, 'alice').total == 0
    assert after.open_file(None, bobs.id, 'thumb').read()
    for sha in alice_sha:
        assert after.blobs.stat(sha) is None
    assert after.check().ok


# ---- import --------------------------------------------------------------------------------------

REFUSED_TEXT = 'notes [draft].jpg'  # a text file renamed .jpg; brackets must be shown as typed


@pytest.fixture(scope='module')
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    """alice, then one `shoebox import` of a folder with good, duplicate and bad files."""
    root = tmp_path_factory.mktemp('cli-import')
    data = root / 'data'
    folder = root / 'photos'
    (folder / 'nested').mkdir(parents=True)
    (folder / 'sunset.jpg').write_bytes(image_bytes('JPEG', 1))
    (folder / 'harbour.png').write_bytes(image_bytes('PNG', 2))
    (folder / 'nested' / 'meadow.jpg').write_bytes(image_bytes('JPEG', 3))
    (folder / 'nested' / 'sunset-copy.jpg').write_bytes(image_bytes('JPEG', 1))  # same bytes
    (folder / REFUSED_TEXT).write_bytes(TEXT)
    (folder / 'drawing.svg').write_bytes(SVG)
    (folder / 'empty.jpg').write_bytes(b'')
    (folder / '.hidden.jpg').write_bytes(image_bytes('JPEG', 4))  # hidden files are skipped

    created = create_user(data, 'alice')
    assert created.exit_code == 0, text(created)
    result = shoebox('import', folder, '--user', 'alice', '--tags', 'a,b', '--data-dir', data)
    return data, result


def test_import_reports_counts_and_fails_when_something_was_refused(
    imported: tuple[Path, Result],
) -> None:
    _, result = imported
    assert result.exit_code == 1, text(result)
    assert 'added 3, duplicate 1, refused 3' in stdout_lines(result)


def test_import_names_each_refused_file_with_its_reason(imported: tuple[Path, Result]) -> None:
    _, result = imported
    refused = {}
    for line in stdout_lines(result):
        if line.startswith('refused '):
            name, _, reason = line.removeprefix('refused ').partition(': ')
            refused[name] = reason
    assert set(refused) == {REFUSED_TEXT, 'drawing.svg', 'empty.jpg'}
    assert 'empty' in refused['empty.jpg'].lower()
    for name in (REFUSED_TEXT, 'drawing.svg'):  # say what would have been accepted
        assert 'jpeg' in refused[name].lower(), refused[name]
    for name, reason in refused.items():
        assert reason.strip(), f'no reason given for {name}'
        assert 'Traceback' not in reason


def test_imported_images_are_alices_private_and_tagged(
    imported: tuple[Path, Result], make_library: MakeLibrary
) -> None:
    data, _ = imported
    lib = make_library(Settings(data_dir=data))
    alice = lib.find_user('alice')
    page = lib.list(alice.id, limit=50)
    assert page.total == 3
    titles = sorted(i.title for i in page.items)
    # The first of two identical files wins; the folder is read in sorted order.
    assert titles in (['harbour', 'meadow', 'sunset'], ['harbour', 'meadow', 'sunset-copy'])
    assert {i.filename for i in page.items} >= {'harbour.png', 'meadow.jpg'}  # no folder part
    for image in page.items:
        assert image.owner == 'alice'
        assert own_tags(image) == ['a', 'b']
        assert image.visibility == 'private'
    assert lib.list(alice.id, tags=['a', 'b']).total == 3
    assert lib.list(None).total == 0  # private: nobody else sees them
    lib.close()


def test_imported_images_are_searchable_by_their_owner_only(
    imported: tuple[Path, Result], make_library: MakeLibrary
) -> None:
    data, _ = imported
    lib = make_library(Settings(data_dir=data))
    alice = lib.find_user('alice')
    assert lib.wait_for_index()
    meadow = lib.search(alice.id, 'meadow')
    assert [i.title for i in meadow.items] == ['meadow']
    assert [i.title for i in lib.search(alice.id, 'harbour').items] == ['harbour']
    assert lib.search(None, 'meadow').total == 0
    lib.close()


def test_reindex_prints_the_count_and_check_finds_a_consistent_library(
    imported: tuple[Path, Result], make_library: MakeLibrary
) -> None:
    data, _ = imported
    reindexed = shoebox('reindex', '--data-dir', data)
    assert reindexed.exit_code == 0, text(reindexed)
    assert 'indexed 3 images' in text(reindexed)

    checked = shoebox('check', '--data-dir', data)
    assert checked.exit_code == 0, text(checked)
    assert stdout_lines(checked)[-1] == 'consistent'

    lib = make_library(Settings(data_dir=data))  # still searchable after the rebuild
    alice = lib.find_user('alice')
    assert lib.wait_for_index()
    assert [i.title for i in lib.search(alice.id, 'meadow').items] == ['meadow']
    lib.close()


# ---- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize('user', ['nobody', 'ghost[/]'])
def test_import_for_an_unknown_user_fails_clearly(tmp_path: Path, user: str) -> None:
    folder = tmp_path / 'photos'
    folder.mkdir()
    (folder / 'one.jpg').write_bytes(image_bytes('JPEG', 5))
    result = shoebox('import', folder, '--user', user, '--data-dir', tmp_path / 'data')
    assert result.exit_code == 1
    assert f'No user named "{user}"' in text(result)
    assert 'added' not in result.stdout


def test_check_on_a_fresh_data_dir_is_consistent(tmp_path: Path) -> None:
    result = shoebox('check', '--data-dir', tmp_path / 'data')
    assert result.exit_code == 0, text(result)
    assert stdout_lines(result)[-1] == 'consistent'


def test_a_bad_environment_value_is_named_and_nothing_runs(tmp_path: Path) -> None:
    runner = CliRunner(env={**ENV, 'SHOEBOX_PORT': 'abc'})
    result = runner.invoke(app, ['check', '--data-dir', str(tmp_path / 'data')])
    assert result.exit_code == 2
    assert 'SHOEBOX_PORT' in text(result)
    assert not (tmp_path / 'data').exists()
