"""Fixtures for the web app tests (NiceGUI's simulated `user`), shared by tests/test_pages*.py.

NiceGUI's user plugin re-runs main.py (as __main__) for every test; main.py reads its settings
from the environment, so each test gets a fresh data dir through SHOEBOX_DATA_DIR. The running
services are reachable as `app.state.services` (set by main.build).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from nicegui import app, ui
from nicegui.testing import User
from nicegui.testing.general_fixtures import get_path_to_main_file
from nicegui.testing.user_simulation import user_simulation

from repo.core.schemas import ImagePublic, UserPublic
from repo.library import Library
from repo.services.passwords import PasswordHashing
from tests.images import image_bytes

PASSWORD = 'correct horse battery staple'
OTHER_PASSWORD = 'purple elephant juggles lanterns'


@pytest.fixture
def shoebox_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh data dir for the app main.py builds, and a small worker pool."""
    data = tmp_path / 'data'
    monkeypatch.setenv('SHOEBOX_DATA_DIR', str(data))
    monkeypatch.setenv('SHOEBOX_WORKERS', '1')
    monkeypatch.setenv('SHOEBOX_STORAGE_SECRET', 'test secret that is long enough for signing')
    monkeypatch.delenv('SHOEBOX_OPEN_SIGNUP', raising=False)
    # The API keeps its wiring on app.state, which NiceGUI's reset between tests leaves alone
    # while it removes the routes: forget it so main.py registers the API afresh.
    for key in ('shoebox_api', 'services'):
        if hasattr(app.state, key):
            delattr(app.state, key)
    return data


@pytest.fixture
async def user(
    shoebox_env: Path, caplog: pytest.LogCaptureFixture, request: pytest.FixtureRequest
) -> AsyncIterator[User]:
    """NiceGUI's `user` fixture, after the environment is set (overrides the plugin's)."""
    async with user_simulation(main_file=get_path_to_main_file(request)) as simulated:
        yield simulated
        errors = [r for r in caplog.get_records('call') if r.levelname == 'ERROR']
        if errors:
            pytest.fail(f'There were unexpected ERROR logs: {errors}', pytrace=False)


@pytest.fixture
def library(user: User, pool: ProcessPoolExecutor, fast_hasher: PasswordHasher) -> Library:
    """The Library of the app under test (overrides tests/conftest.py's stand-alone one).

    It borrows the session's process pool and cheap argon2 parameters (conftest.py), so a test
    does not spend seconds spawning workers and hashing.
    """
    services = app.state.services
    services.workers.lend(pool)  # if not started yet: the shared pool (it will not close it)
    services.accounts.passwords = services.signin.passwords = PasswordHashing(fast_hasher)
    return Library(services=services)


@pytest.fixture
def make_account(library: Library) -> Callable[..., UserPublic]:
    def make(username: str = 'alice', password: str = PASSWORD, **extra: str) -> UserPublic:
        return library.create_user(username, password, **extra)

    return make


@pytest.fixture
def alice(make_account: Callable[..., UserPublic]) -> UserPublic:
    return make_account('alice')


@pytest.fixture
def bob(make_account: Callable[..., UserPublic]) -> UserPublic:
    return make_account('bob', OTHER_PASSWORD)


@pytest.fixture
def add_image(library: Library) -> Callable[..., ImagePublic]:
    """Add an image straight through the Library (seed varies the bytes)."""
    counter = {'seed': 0}

    def add(owner: UserPublic, title: str = 'Picture', **kwargs: object) -> ImagePublic:
        counter['seed'] += 1
        seed = int(kwargs.pop('seed', counter['seed']))  # type: ignore[call-overload]
        return library.add(
            owner.id,
            image_bytes('JPEG', seed=seed),
            f'{title}.jpg',
            title=title,
            **kwargs,  # type: ignore[arg-type]
        )

    return add


async def sign_in(user: User, username: str = 'alice', password: str = PASSWORD) -> None:
    """Sign in through the form and wait until the gallery is shown."""
    await user.open('/signin')
    user.find(marker='username').type(username)
    user.find(marker='password').type(password)
    user.find(marker='sign-in').click()
    await user.should_see(marker='account-menu', retries=50)


def input_of(user: User, marker: str) -> ui.input:
    """The single input element with this marker (to read its value or error)."""
    elements = user.find(marker=marker).elements
    assert len(elements) == 1, f'{len(elements)} elements marked {marker}'
    element = next(iter(elements))
    assert isinstance(element, ui.input | ui.textarea)
    return element


def shown_ids(user: User) -> list[str]:
    """The image ids of the tiles in the grid, in order."""
    return re.findall(r'class="sb-tile" data-id="([^"]+)"', grid_html(user))


def grid_html(user: User) -> str:
    """The HTML of all thumbnail batches shown."""
    grid = next(iter(user.find(marker='grid').elements))
    return ''.join(child.content for child in grid.default_slot.children)  # type: ignore[attr-defined]


async def wait_for(condition: Callable[[], object], timeout: float = 5.0) -> None:
    """Poll until the condition holds (UI updates happen in background tasks)."""
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f'condition not met within {timeout} s')
