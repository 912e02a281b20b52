"""The web app's session cookie changes with every change of privilege; the upload page on a
full disk.

A cookie a visitor held before signing in (one planted by someone else, say) must be worth
nothing afterwards, and so must the one from before a password change
(pages/session_rotation.py). Checked with NiceGUI's simulated browser here, and in Chromium in
tests/test_browser_security.py.
"""

# ruff: noqa: F811  (pytest fixtures imported from tests.ui_fixtures are used as arguments)

from __future__ import annotations

import errno

import httpx
import pytest
from nicegui import app
from nicegui.testing import User

from pages import session_rotation
from repo.blobs.staging import StagedFile
from repo.core.schemas import UserPublic
from repo.library import Library
from tests.images import image_bytes
from tests.ui_fixtures import (  # noqa: F401  (fixtures)
    OTHER_PASSWORD,
    PASSWORD,
    alice,
    library,
    make_account,
    shoebox_env,
    sign_in,
    user,
    wait_for,
)
from tests.upload_driver import file, send

COOKIE = 'session'  # Starlette's SessionMiddleware cookie, which holds NiceGUI's browser id


def cookie(user: User) -> str:
    value = user.http_client.cookies.get(COOKIE)
    assert value, 'the browser has no session cookie'
    return value


async def who(value: str) -> int:
    """The status of GET /api/v1/me for a browser holding this session cookie."""
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(
        transport=transport, base_url='http://test', cookies={COOKIE: value}
    ) as client:
        return (await client.get('/api/v1/me')).status_code


async def test_signing_in_issues_a_new_cookie_and_the_earlier_ones_are_worthless(
    user: User, alice: UserPublic
) -> None:
    await user.open('/')
    planted = cookie(user)  # what a visitor holds before the sign-in page (or was given)
    await user.open('/signin')
    on_sign_in_page = cookie(user)
    assert on_sign_in_page != planted
    await sign_in(user)
    signed_in = cookie(user)
    assert signed_in not in (planted, on_sign_in_page)
    assert await who(signed_in) == 200
    assert await who(planted) == 401
    assert await who(on_sign_in_page) == 401


async def test_signing_up_issues_a_new_cookie(user: User, library: Library) -> None:
    await user.open('/signup')
    before = cookie(user)
    for marker, value in (('username', 'carol'), ('password', PASSWORD), ('confirm', PASSWORD)):
        user.find(marker=marker).type(value)
    user.find(marker='create-account').click()
    await user.should_see(marker='account-menu', retries=50)
    assert cookie(user) != before
    assert await who(cookie(user)) == 200
    assert await who(before) == 401


async def test_a_password_change_issues_a_new_cookie_and_ends_the_old_session(
    user: User, alice: UserPublic
) -> None:
    await sign_in(user)
    await user.open('/account')
    before = cookie(user)
    assert await who(before) == 200
    user.find(marker='current-password').type(PASSWORD)
    user.find(marker='new-password').type(OTHER_PASSWORD)
    user.find(marker='confirm-password').type(OTHER_PASSWORD)
    user.find(marker='change-password').click()
    await user.should_see('Password changed', retries=50)
    # The browser went through the renewal and back to the account page, still signed in.
    await wait_for(lambda: user.client.request.url.query == 'password=changed')
    await user.should_see(marker='change-password')
    after = cookie(user)
    assert after != before
    assert await who(after) == 200
    assert await who(before) == 401


async def test_the_cookie_from_before_cannot_collect_someone_elses_sign_in(
    user: User, alice: UserPublic
) -> None:
    """The hand-off waits in storage that only the signing-in page's new cookie names."""
    await user.open('/')
    planted = cookie(user)
    await sign_in(user)
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(
        transport=transport, base_url='http://test', cookies={COOKIE: planted}
    ) as attacker:
        r = await attacker.get(session_rotation.RENEW_PATH)
        assert r.status_code == 303
        assert r.headers['location'] == '/signin'
        assert (await attacker.get('/api/v1/me')).status_code == 401


async def test_a_stale_hand_off_leads_back_to_sign_in(
    user: User, alice: UserPublic, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(session_rotation, 'HANDOFF_SECONDS', -1)
    await user.open('/signin')
    user.find(marker='username').type('alice')
    user.find(marker='password').type(PASSWORD)
    user.find(marker='sign-in').click()
    await user.should_see(marker='signin', retries=50)
    await user.should_not_see(marker='account-menu')
    assert await who(cookie(user)) == 401


async def test_no_one_is_signed_in_by_visiting_the_renewal_route(user: User) -> None:
    await user.open('/session/renew')
    await user.should_see(marker='signin')


async def test_the_upload_page_says_when_the_disk_is_full(
    user: User, alice: UserPublic, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    staging = library.services.ingest.staging
    stage = staging.stage

    def stage_on_full_disk(max_bytes: int) -> StagedFile:
        staged = stage(max_bytes)

        def write(chunk: bytes) -> None:
            raise OSError(errno.ENOSPC, 'No space left on device')

        staged._fh.write = write  # type: ignore[method-assign, union-attr]
        return staged

    await sign_in(user)
    await user.open('/upload')
    monkeypatch.setattr(staging, 'stage', stage_on_full_disk)
    statuses = await send(user, [file('beach.jpg', image_bytes('JPEG', seed=1))])
    assert statuses == [507]
    await user.should_see('disk is full; nothing was stored', retries=50)
    assert library.list(alice.id).total == 0
    assert not any(library.settings.tmp_dir.iterdir())
