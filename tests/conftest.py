"""Fixtures: a fresh data dir and Library per test, users alice and bob, one shared worker pool."""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from repo.config import Settings
from repo.core.schemas import UserPublic
from repo.library import Library
from repo.worker_pool import new_pool

PASSWORD = 'correct horse battery staple'
# Real Postgres, S3 (moto) and Redis servers, started on first use (tests/backends.py).
pytest_plugins = ['tests.backends']


@pytest.fixture(scope='session')
def pool() -> Iterator[ProcessPoolExecutor]:
    """One spawn pool for the session: starting one per test would cost seconds."""
    executor = new_pool(2)
    yield executor
    executor.shutdown(cancel_futures=True)


@pytest.fixture(scope='session')
def fast_hasher() -> PasswordHasher:
    """Still argon2id, with cheap parameters so tests do not spend seconds hashing."""
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """A fresh library in tmp_path: SQLite and files. `SHOEBOX_TEST_BACKEND=postgres-s3` (or
    postgres-local, sqlite-s3) runs the tests built on it against the real servers instead."""
    from tests.backends import backend_settings  # imported here: it is also a pytest plugin

    backend = os.environ.get('SHOEBOX_TEST_BACKEND') or 'sqlite-local'
    return backend_settings(request, tmp_path, backend)


@pytest.fixture
def make_library(pool, fast_hasher) -> Iterator:  # type: ignore[no-untyped-def]
    """Open a Library on given settings; every one opened is closed after the test."""
    opened: list[Library] = []

    def make(settings: Settings) -> Library:
        lib = Library(settings, executor=pool, password_hasher=fast_hasher)
        opened.append(lib)
        return lib

    yield make
    for lib in opened:
        lib.close()


@pytest.fixture
def library(make_library, settings: Settings) -> Library:  # type: ignore[no-untyped-def]
    return make_library(settings)


@pytest.fixture
def alice(library: Library) -> UserPublic:
    return library.create_user('alice', PASSWORD)


@pytest.fixture
def bob(library: Library) -> UserPublic:
    return library.create_user('bob', PASSWORD + ' too')
