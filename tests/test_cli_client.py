"""The `shoebox` HTTP client commands against a real server on 127.0.0.1 (uvicorn in a thread)."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import stat
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from click.testing import Result
from fastapi import FastAPI
from starlette.types import Receive, Scope, Send
from typer.testing import CliRunner

import api
from cli import app as cli_app
from cli_client.config import ClientConfig, resolve
from cli_client.upload import Outcome, Uploader, UploadOptions
from repo.config import Settings
from repo.core.schemas import UserPublic
from repo.library import Library
from tests import images
from tests.conftest import PASSWORD

ANSI = re.compile(r'\x1b\[[0-9;?]*[A-Za-z]')
ROOT = Path(__file__).resolve().parent.parent
StartServer = Callable[[FastAPI], str]


@pytest.fixture(scope='module')
def start_server() -> Iterator[StartServer]:
    """Serve ASGI apps on free ports of 127.0.0.1; each is stopped after the module."""
    running: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(app: FastAPI) -> str:
        sock = socket.socket()
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
        config = uvicorn.Config(app, log_level='warning', lifespan='off')
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={'sockets': [sock]}, daemon=True)
        thread.start()
        for _ in range(500):
            if server.started:
                break
            threading.Event().wait(0.01)
        assert server.started, 'the test server did not start'
        running.append((server, thread))
        return f'http://127.0.0.1:{port}'

    yield start
    for server, thread in running:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope='module')
def library(pool, fast_hasher, tmp_path_factory) -> Iterator[Library]:  # type: ignore[no-untyped-def]
    lib = Library(
        Settings(data_dir=tmp_path_factory.mktemp('server') / 'data'),
        executor=pool,
        password_hasher=fast_hasher,
    )
    yield lib
    lib.close()


@pytest.fixture(scope='module')
def server(library: Library, start_server: StartServer) -> str:
    app = FastAPI()
    api.register(app, library.services)
    return start_server(app)


_names = iter(f'user{i:03d}' for i in range(1000))


@pytest.fixture
def user(library: Library) -> UserPublic:
    """A fresh account per test, so tests do not see each other's images."""
    return library.create_user(next(_names), PASSWORD)


@pytest.fixture
def env(server: str, tmp_path: Path) -> dict[str, str]:
    return {
        'SHOEBOX_SERVER': server,
        'SHOEBOX_CONFIG_DIR': str(tmp_path / 'config'),
        'SHOEBOX_TOKEN': '',
        'COLUMNS': '300',
        'NO_COLOR': '1',
    }


@pytest.fixture
def signed_in(env: dict[str, str], library: Library, user: UserPublic) -> dict[str, str]:
    return {**env, 'SHOEBOX_TOKEN': library.tokens.create(user.id, 'test')[0]}


def shoebox(env: dict[str, str], *args: str | Path, input: str | None = None) -> Result:
    runner = CliRunner(env=env)
    return runner.invoke(cli_app, [str(a) for a in args], input=input, catch_exceptions=False)


def text(result: Result) -> str:
    return ' '.join(ANSI.sub('', result.output).split())


def as_json(result: Result) -> dict:
    assert result.exit_code == 0, text(result)
    return json.loads(result.stdout)


# ---- login and logout ----------------------------------------------------------------------------


def test_login_keeps_a_private_token_and_logout_revokes_it(
    env: dict[str, str], server: str, library: Library, user: UserPublic, tmp_path: Path
) -> None:
    env = {k: v for k, v in env.items() if k != 'SHOEBOX_SERVER'}
    result = shoebox(env, 'login', '--server', server, input=f'{user.username}\n{PASSWORD}\n')
    assert result.exit_code == 0, text(result)
    assert f'Signed in to {server} as {user.username}' in text(result)
    assert PASSWORD not in result.output

    config = tmp_path / 'config' / 'config.json'
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    saved = json.loads(config.read_text())
    assert saved['server'] == server
    assert library.tokens.user(saved['token']).username == user.username

    # Later commands use the saved server and token.
    assert as_json(shoebox(env, 'list', '--mine', '--json'))['total'] == 0

    result = shoebox(env, 'logout')
    assert result.exit_code == 0, text(result)
    assert library.tokens.user(saved['token']) is None
    assert 'token' not in json.loads(config.read_text())
    assert shoebox(env, 'list', '--mine').exit_code == 1  # not signed in any more


def test_login_for_scripts_reads_the_password_from_stdin(
    env: dict[str, str], user: UserPublic, tmp_path: Path
) -> None:
    args = ('login', '--username', user.username, '--password-stdin')
    result = shoebox(env, *args, input=PASSWORD + '\n')
    assert result.exit_code == 0, text(result)
    assert 'Password' not in result.output  # no prompt
    assert json.loads((tmp_path / 'config' / 'config.json').read_text())['token']


def test_login_with_a_wrong_password_saves_nothing(
    env: dict[str, str], user: UserPublic, tmp_path: Path
) -> None:
    result = shoebox(env, 'login', input=f'{user.username}\nnot the password\n')
    assert result.exit_code == 1
    assert 'Invalid username or password' in text(result)
    assert not (tmp_path / 'config' / 'config.json').exists()


def test_a_saved_token_is_only_sent_to_its_own_server(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv('SHOEBOX_CONFIG_DIR', str(tmp_path))
    monkeypatch.delenv('SHOEBOX_TOKEN', raising=False)
    monkeypatch.delenv('SHOEBOX_SERVER', raising=False)
    (tmp_path / 'config.json').write_text(
        json.dumps({'server': 'http://photos.example:8080', 'token': 'sbx_saved'})
    )
    assert resolve() == ClientConfig('http://photos.example:8080', 'sbx_saved')
    assert resolve('http://elsewhere.example') == ClientConfig('http://elsewhere.example', None)
    monkeypatch.setenv('SHOEBOX_TOKEN', 'sbx_env')
    assert resolve('http://elsewhere.example').token == 'sbx_env'


# ---- upload, then find it all again --------------------------------------------------------------


def make_folder(root: Path) -> Path:
    folder = root / 'photos'
    (folder / 'more').mkdir(parents=True)
    (folder / 'beach.jpg').write_bytes(images.image_bytes('JPEG', seed=1))
    (folder / 'forest.png').write_bytes(images.image_bytes('PNG', seed=2))
    (folder / 'party.gif').write_bytes(images.image_bytes('GIF', seed=3))
    (folder / 'beach copy.jpg').write_bytes(images.image_bytes('JPEG', seed=1))  # duplicate
    (folder / 'drawing.png').write_bytes(images.SVG)  # SVG under an image name: skipped
    (folder / 'notes.jpg').write_bytes(images.TEXT)  # text under an image name: skipped
    (folder / 'broken.jpg').write_bytes(images.truncated_jpeg())  # starts like one: refused
    (folder / 'readme.txt').write_bytes(images.TEXT)  # not an image: skipped
    (folder / '.hidden.jpg').write_bytes(images.image_bytes('JPEG', seed=9))  # hidden: skipped
    (folder / 'more' / 'deep.webp').write_bytes(images.image_bytes('WEBP', seed=4))
    return folder


def test_upload_a_folder_then_list_search_get_edit_and_delete(
    signed_in: dict[str, str], library: Library, user: UserPublic, tmp_path: Path
) -> None:
    folder = make_folder(tmp_path)
    result = shoebox(signed_in, 'upload', folder, '--tags', 'trip, summer', '--public')
    assert result.exit_code == 1, text(result)  # some files were refused
    out = text(result)
    # Inside folders, files are judged by their content: non-images are skipped, by name.
    assert 'added 3, duplicate 1, refused 1, skipped 3 files (not images)' in out
    assert re.search(r'refused \S*broken\.jpg: The image data is truncated', out)
    assert re.search(r'skipped \S*drawing\.png: looks like an SVG drawing', out)
    assert re.search(r'skipped \S*notes\.jpg: looks like text', out)
    assert re.search(r'skipped \S*readme\.txt: looks like text', out)
    assert 'hidden' not in out
    assert re.search(r'left out 1 sub-folder \(\S*more\); add --recursive', out)

    again = shoebox(signed_in, 'upload', folder, '--recursive', '--concurrency', '2')
    assert 'added 1, duplicate 4, refused 1, skipped 3 files' in text(again)  # more/deep.webp
    assert 'left out' not in text(again)

    library.wait_for_index()
    page = as_json(shoebox(signed_in, 'list', '--mine', '--json'))
    assert page['total'] == 4
    # 'beach.jpg' and 'beach copy.jpg' race: whichever lands first is added, the other is the copy
    by_title = {i['title'].replace(' copy', ''): i for i in page['items']}
    assert set(by_title) == {'beach', 'forest', 'party', 'deep'}
    beach = by_title['beach']
    assert [t for t in beach['tags'] if t not in beach['auto_tags']] == ['summer', 'trip']
    assert by_title['beach']['visibility'] == 'public'
    assert by_title['deep']['visibility'] == 'private'
    assert as_json(shoebox(signed_in, 'list', '--tags', 'trip', '--mine', '--json'))['total'] == 3
    table = shoebox(signed_in, 'list', '--user', user.username)
    assert table.exit_code == 0 and 'forest' in text(table) and 'party' in text(table)

    found = as_json(shoebox(signed_in, 'search', 'forest', '--mine', '--json'))
    assert [i['title'] for i in found['items']] == ['forest']
    anonymous = {**signed_in, 'SHOEBOX_TOKEN': ''}
    assert as_json(shoebox(anonymous, 'search', 'deep', '--json'))['total'] == 0  # private

    beach = by_title['beach']
    saved = tmp_path / 'beach-copy.jpg'
    result = shoebox(signed_in, 'get', beach['id'], '-o', saved)
    assert result.exit_code == 0, text(result)
    assert saved.read_bytes() == (folder / 'beach.jpg').read_bytes()
    shown = shoebox(signed_in, 'get', beach['id'])
    assert beach['sha256'] in text(shown)

    edited = as_json(
        shoebox(
            signed_in, 'edit', beach['id'], '--title', '[bold]Beach[/bold]', '--tags', 'sea',
            '--private', '--json',
        )
    )  # fmt: skip
    assert (edited['title'], edited['tags'], edited['visibility']) == (
        '[bold]Beach[/bold]',
        ['sea'],
        'private',
    )
    shown = shoebox(signed_in, 'get', beach['id'])
    assert '[bold]Beach[/bold]' in text(shown)  # user text is printed as text, not markup

    result = shoebox(signed_in, 'delete', beach['id'], 'no-such-id')
    assert result.exit_code == 1
    assert f'deleted {beach["id"]}' in text(result)
    assert 'no-such-id: Image not found' in text(result)
    assert as_json(shoebox(signed_in, 'list', '--mine', '--json'))['total'] == 3


def test_upload_needs_a_signed_in_user(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / 'a.jpg').write_bytes(images.image_bytes())
    result = shoebox(env, 'upload', tmp_path / 'a.jpg')
    assert result.exit_code == 1
    assert 'Not signed in' in text(result)
    bad_token = shoebox({**env, 'SHOEBOX_TOKEN': 'sbx_revoked'}, 'upload', tmp_path / 'a.jpg')
    assert bad_token.exit_code == 1
    assert 'Invalid or revoked token' in text(bad_token)


def test_upload_of_a_path_that_does_not_exist_is_a_usage_error(
    signed_in: dict[str, str], tmp_path: Path
) -> None:
    result = shoebox(signed_in, 'upload', tmp_path / 'nope.jpg')
    assert result.exit_code == 2
    assert 'Not found' in text(result)


def test_a_folder_of_only_folders_says_to_use_recursive(
    signed_in: dict[str, str], tmp_path: Path
) -> None:
    photos = tmp_path / 'photos'
    for year in ('2023', '2024'):
        (photos / year).mkdir(parents=True)
        (photos / year / f'{year}.jpg').write_bytes(images.image_bytes(seed=int(year)))
    result = shoebox(signed_in, 'upload', photos)
    assert result.exit_code == 2, text(result)
    assert 'No images to upload: left out 2 sub-folders' in text(result)
    assert 'add --recursive (-r)' in text(result)
    assert 'added' not in text(result)
    deep = shoebox(signed_in, 'upload', photos, '-r')
    assert deep.exit_code == 0, text(deep)
    assert 'added 2, duplicate 0, refused 0' in text(deep)


def test_a_folder_without_images_names_what_it_skipped_and_fails(
    signed_in: dict[str, str], tmp_path: Path
) -> None:
    (tmp_path / 'notes').mkdir()
    (tmp_path / 'notes' / 'todo.txt').write_bytes(images.TEXT)
    result = shoebox(signed_in, 'upload', tmp_path / 'notes')
    assert result.exit_code == 1
    assert re.search(r'No images to upload skipped \S*todo\.txt: looks like text', text(result))


def test_images_in_folders_are_found_by_content_whatever_their_names(
    signed_in: dict[str, str], library: Library, user: UserPublic, tmp_path: Path
) -> None:
    folder = tmp_path / 'export'
    folder.mkdir()
    (folder / 'IMG_0001').write_bytes(images.image_bytes('JPEG', seed=41))  # no extension
    (folder / 'scan.JPG_original').write_bytes(images.image_bytes('PNG', seed=42))
    (folder / 'IMG_0001.json').write_bytes(b'{"title": "IMG_0001", "geoData": {}}')
    result = shoebox(signed_in, 'upload', folder)
    assert result.exit_code == 0, text(result)
    out = text(result)
    assert 'added 2, duplicate 0, refused 0, skipped 1 file (not images)' in out
    assert re.search(r'skipped \S*IMG_0001\.json: looks like a JSON file', out)
    library.wait_for_index()
    assert library.list(user.id, owner=user.username).total == 2


def test_refusals_say_what_is_wrong_not_a_status_code(
    signed_in: dict[str, str], tmp_path: Path
) -> None:
    (tmp_path / 'drawing.png').write_bytes(images.SVG)
    (tmp_path / 'notes.jpg').write_bytes(images.TEXT)
    result = shoebox(signed_in, 'upload', tmp_path / 'drawing.png', tmp_path / 'notes.jpg')
    assert result.exit_code == 1
    out = text(result)
    assert 'added 0, duplicate 0, refused 2' in out  # named files are always sent
    assert re.search(r'refused \S*drawing\.png: This is an SVG drawing', out)
    assert re.search(r'refused \S*notes\.jpg: This is plain text', out)
    assert not re.search(r'\b41[35]\b|\b422\b', out)


def test_list_and_search_never_cut_ids_even_on_a_narrow_terminal(
    signed_in: dict[str, str], library: Library, user: UserPublic
) -> None:
    made = [
        library.add(user.id, images.image_bytes(seed=50 + n), f'{n}.jpg', title=f'Harbour {n}')
        for n in range(2)
    ]
    library.wait_for_index()
    for columns in ('40', '80'):
        narrow = {**signed_in, 'COLUMNS': columns}
        for args in (('list', '--mine'), ('search', 'harbour')):
            result = shoebox(narrow, *args)
            assert result.exit_code == 0, text(result)
            for image in made:
                assert image.id in result.output, (columns, args)


def test_search_shows_did_you_mean(
    signed_in: dict[str, str], library: Library, user: UserPublic
) -> None:
    library.add(user.id, images.image_bytes(seed=60), 'a.jpg', title='Lighthouse at dusk')
    library.wait_for_index()
    result = shoebox(signed_in, 'search', 'lighthuose')
    assert result.exit_code == 0
    assert 'no images did you mean “lighthouse”?' in text(result)


def test_get_output_never_overwrites_a_file_without_force(
    signed_in: dict[str, str], library: Library, user: UserPublic, tmp_path: Path
) -> None:
    original = images.image_bytes(seed=70)
    image = library.add(user.id, original, 'harbour.jpg', title='Harbour')
    target = tmp_path / 'keep.jpg'
    target.write_bytes(b'my own file')
    refused = shoebox(signed_in, 'get', image.id, '-o', target)
    assert refused.exit_code == 1
    assert 'already exists: add --force to replace it' in text(refused)
    assert target.read_bytes() == b'my own file'
    into_folder = tmp_path / 'harbour.jpg'
    into_folder.write_bytes(b'another file of mine')
    assert shoebox(signed_in, 'get', image.id, '-o', tmp_path).exit_code == 1  # same by name
    assert into_folder.read_bytes() == b'another file of mine'
    forced = shoebox(signed_in, 'get', image.id, '-o', target, '--force')
    assert forced.exit_code == 0, text(forced)
    assert target.read_bytes() == original


def test_uv_run_prints_no_bytecode_line() -> None:
    uv = os.environ.get('UV') or shutil.which('uv')
    assert uv, 'the tests run under uv, which puts itself in $UV'
    done = subprocess.run(
        [uv, 'run', '--locked', 'shoebox', '--help'],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert 'Bytecode compiled' not in done.stderr


def test_edit_without_changes_and_unreachable_server(signed_in: dict[str, str]) -> None:
    assert shoebox(signed_in, 'edit', 'some-id').exit_code == 2
    gone = {**signed_in, 'SHOEBOX_SERVER': 'http://127.0.0.1:9'}
    result = shoebox(gone, 'list')
    assert result.exit_code == 1
    assert 'Cannot reach http://127.0.0.1:9' in text(result)


# ---- retries -------------------------------------------------------------------------------------


class Flaky:
    """Fails the first uploads: a 503 and a 429 with Retry-After, then a crash (a bare 500)."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.failures = ['503', '429', 'crash']

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] == 'http' and scope['method'] == 'POST' and self.failures:
            failure = self.failures.pop(0)
            if failure == 'crash':
                raise RuntimeError('a passing server bug')  # uvicorn answers 500
            status = int(failure)
            headers = [(b'content-type', b'application/json'), (b'retry-after', b'7')]
            await send({'type': 'http.response.start', 'status': status, 'headers': headers})
            await send({'type': 'http.response.body', 'body': b'{"detail": "busy"}'})
            return
        await self.app(scope, receive, send)


def test_transient_failures_are_retried_with_backoff_honouring_retry_after(
    library: Library, start_server: StartServer, user: UserPublic, tmp_path: Path
) -> None:
    app = FastAPI()
    api.register(app, library.services)
    flaky = Flaky(app)
    url = start_server(flaky)  # type: ignore[arg-type]
    token = library.tokens.create(user.id, 'test')[0]
    path = tmp_path / 'retry.jpg'
    path.write_bytes(images.image_bytes(seed=42))
    sleeps: list[float] = []
    sent: list[int] = []
    uploader = Uploader(
        ClientConfig(url, token), UploadOptions(), sleep=sleeps.append, on_bytes=sent.append
    )
    with httpx.Client(base_url=url, headers={'Authorization': f'Bearer {token}'}) as client:
        outcome = uploader.upload_one(client, path)
    assert outcome.status == 'added', outcome
    assert flaky.failures == []
    assert sleeps[:2] == [7.0, 7.0]  # Retry-After honoured for the 503 and the 429
    assert len(sleeps) == 3 and 0 < sleeps[2] <= 2.0  # then exponential backoff
    assert sum(sent) == path.stat().st_size  # failed attempts' bytes are taken back


def test_one_unreadable_file_does_not_stop_the_run(
    server: str, library: Library, user: UserPublic, tmp_path: Path
) -> None:
    token = library.tokens.create(user.id, 'test')[0]
    good = [tmp_path / f'ok{i}.jpg' for i in range(5)]
    for i, path in enumerate(good):
        path.write_bytes(images.image_bytes(seed=100 + i))
    vanished = tmp_path / 'vanished.jpg'
    done: list[Outcome] = []
    uploader = Uploader(
        ClientConfig(server, token), UploadOptions(concurrency=3), on_done=done.append
    )
    tally = uploader.run([good[0], vanished, *good[1:]])
    assert tally.added == 5
    assert [o.path for o in tally.refused] == [vanished]
    assert len(done) == 6


def test_connection_errors_are_retried_and_a_later_409_counts_as_added(tmp_path: Path) -> None:
    """The first attempt may have been stored before the connection broke: a 409 then means
    the file is there now because of this run, not that it was there before."""
    path = tmp_path / 'a.jpg'
    path.write_bytes(images.image_bytes())
    attempts: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        attempts.append(len(request.read()))
        if len(attempts) == 1:
            raise httpx.ConnectError('refused', request=request)
        if len(attempts) == 2:
            raise httpx.ReadTimeout('no answer', request=request)
        return httpx.Response(409, json={'detail': 'You already have it', 'existing_id': 'abc'})

    sleeps: list[float] = []
    uploader = Uploader(
        ClientConfig('http://shoebox.test', 't'), UploadOptions(), sleep=sleeps.append
    )
    with httpx.Client(base_url='http://shoebox.test', transport=httpx.MockTransport(handler)) as c:
        outcome = uploader.upload_one(c, path)
    assert outcome == Outcome(path, 'added', image_id='abc')
    assert len(attempts) == 3 and len(sleeps) == 2


def test_a_server_that_keeps_failing_is_given_up_on(tmp_path: Path) -> None:
    path = tmp_path / 'a.jpg'
    path.write_bytes(images.image_bytes())

    def handler(request: httpx.Request) -> httpx.Response:
        request.read()
        return httpx.Response(502, text='Bad Gateway')

    uploader = Uploader(
        ClientConfig('http://shoebox.test', 't'), UploadOptions(), sleep=lambda s: None
    )
    with httpx.Client(base_url='http://shoebox.test', transport=httpx.MockTransport(handler)) as c:
        outcome = uploader.upload_one(c, path)
    assert outcome.status == 'refused'
    assert 'gave up after 5 attempts (502' in outcome.detail


def test_list_walks_the_timeline_or_the_upload_order(
    signed_in: dict[str, str], library: Library, user: UserPublic
) -> None:
    summer = library.add(user.id, images.exif_photo(81, taken='2020:07:14 18:30:00'), 's.jpg')
    scan = library.add(user.id, images.exif_photo(82, taken='2015:03:02 09:00:00'), 'o.jpg')

    def ids(*args: str) -> list[str]:
        result = shoebox(signed_in, 'list', '--mine', '--json', *args)
        assert result.exit_code == 0, text(result)
        return [i['id'] for i in json.loads(result.output)['items']]

    assert ids() == [summer.id, scan.id]  # newest taken first
    assert ids('--sort', 'uploaded_newest') == [scan.id, summer.id]
    assert ids('--year', '2019') == [scan.id]
    bad = shoebox(signed_in, 'list', '--sort', 'random')
    assert bad.exit_code != 0
