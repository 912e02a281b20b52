"""Times in the viewer's time zone, not UTC (issue 10): the browser names its zone in a cookie
and pages show times in it; until it has, they say UTC. The token list says when each token was
last used."""

# ruff: noqa: F811  (pytest fixtures imported from tests.ui_fixtures are used as arguments)

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from nicegui.testing import User

from pages.local_time import SCRIPT, zone_named
from repo.core.schemas import UserPublic
from repo.library import Library
from tests.ui_fixtures import (  # noqa: F401  (fixtures)
    add_image,
    alice,
    library,
    make_account,
    shoebox_env,
    sign_in,
    user,
)


def uploaded_in(zone: str | None, when: datetime) -> str:
    moment = when.replace(tzinfo=UTC) if when.tzinfo is None else when
    if zone is None:
        return moment.astimezone(UTC).strftime('%d %b %Y, %H:%M UTC')
    return moment.astimezone(ZoneInfo(zone)).strftime('%d %b %Y, %H:%M %Z')


async def test_the_image_page_shows_the_upload_time_in_the_viewers_zone(
    user: User, alice: UserPublic, add_image
) -> None:
    image = add_image(alice, 'Late upload', visibility='public')
    await user.open(f'/images/{image.id}')
    await user.should_see(uploaded_in(None, image.created_at))  # zone not known yet: UTC
    user.http_client.cookies.set('sb_tz', 'Asia/Tokyo')
    await user.open(f'/images/{image.id}')
    await user.should_see(uploaded_in('Asia/Tokyo', image.created_at))
    user.http_client.cookies.set('sb_tz', '../../etc/passwd')  # nonsense: UTC again
    await user.open(f'/images/{image.id}')
    await user.should_see(uploaded_in(None, image.created_at))


async def test_the_token_list_says_when_a_token_was_last_used(
    user: User, alice: UserPublic, library: Library
) -> None:
    secret, _token = library.tokens.create(alice.id, 'laptop')
    library.tokens.create(alice.id, 'spare')
    assert library.tokens.user(secret) is not None  # used once
    user.http_client.cookies.set('sb_tz', 'America/New_York')
    await sign_in(user)
    await user.open('/account')
    await user.should_see('Last used: never')
    used = next(t for t in library.tokens.list(alice.id) if t.name == 'laptop').last_used_at
    await user.should_see(f'Last used: {uploaded_in("America/New_York", used)}')


def test_zone_names_are_checked() -> None:
    assert zone_named('Europe/Lisbon') == ZoneInfo('Europe/Lisbon')
    for bad in ('', 'Mars/Olympus', '/etc/localtime', 'Europe/../../x', 'a' * 80, None):
        assert zone_named(bad) is None
    assert 'Intl.DateTimeFormat' in SCRIPT
