"""Fixtures of the sharing tests: a Library on a clock the test moves, API clients for alice
and bob (by token) and for a visitor with no account."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from starlette.testclient import TestClient

from repo.library import Library
from tests.api_helpers import bearer, client_for, make_app, token_for, upload
from tests.conftest import PASSWORD
from tests.images import image_bytes


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Api:
    library: Library
    client: TestClient  # anonymous unless headers are given
    alice: dict[str, str]
    bob: dict[str, str]
    clock: Clock

    def upload(self, who: dict[str, str], seed: int, **fields: str) -> dict:
        token = who['Authorization'].split(' ', 1)[1]
        response = upload(self.client, token, image_bytes(seed=seed), f'p{seed}.jpg', **fields)
        assert response.status_code == 201, response.text
        return response.json()

    def visitor(self) -> TestClient:
        """A fresh browser-like client: no account, no cookies."""
        return client_for(self.client.app)  # type: ignore[arg-type]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def api(settings, pool, fast_hasher, clock) -> Iterator[Api]:  # type: ignore[no-untyped-def]
    lib = Library(settings, executor=pool, password_hasher=fast_hasher, clock=clock)
    alice = lib.create_user('alice', PASSWORD)
    bob = lib.create_user('bob', PASSWORD + ' too')
    client = client_for(make_app(lib))
    yield Api(lib, client, bearer(token_for(lib, alice)), bearer(token_for(lib, bob)), clock)
    lib.close()
