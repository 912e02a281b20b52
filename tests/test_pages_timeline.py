"""The gallery as a timeline (issue 10): month and day headers by date taken, jumping to a
year, the upload order as its own sort, and justified tiles that keep each picture's shape."""

# ruff: noqa: F811  (pytest fixtures imported from tests.ui_fixtures are used as arguments)

from __future__ import annotations

import re

from nicegui.testing import User

from repo.core.schemas import UserPublic
from repo.library import Library
from tests import images
from tests.ui_fixtures import (  # noqa: F401  (fixtures)
    alice,
    grid_html,
    library,
    make_account,
    shoebox_env,
    shown_ids,
    sign_in,
    user,
    wait_for,
)


def add_taken(library: Library, owner: UserPublic, title: str, taken: str | None, seed: int, **kw):  # type: ignore[no-untyped-def]
    size = kw.pop('size', (96, 64))
    data = (
        images.exif_photo(seed, taken=taken, size=size)
        if taken
        else images.image_bytes(seed=seed, size=size)
    )
    return library.add(owner.id, data, f'{title}.jpg', title=title, visibility='public', **kw)


def headers(user: User) -> list[str]:
    return re.findall(r'<h[23] class="sb-(?:month|day)"[^>]*>([^<]+)</h[23]>', grid_html(user))


async def test_the_gallery_is_a_timeline_with_month_and_day_headers(
    user: User, alice: UserPublic, library: Library
) -> None:
    july = add_taken(library, alice, 'Beach', '2020:07:14 18:30:00', 1)
    later = add_taken(library, alice, 'Sunset', '2020:07:14 21:00:00', 2)
    march = add_taken(library, alice, 'Snow', '2015:03:02 09:00:00', 3)
    await user.open('/')
    await user.should_see('3 images')
    assert shown_ids(user) == [later.id, july.id, march.id]
    assert headers(user) == ['July 2020', 'Tuesday 14 July', 'March 2015', 'Monday 2 March']
    # Uploaded in another order than taken: the upload order is its own sort, without headers.
    user.find(marker='sort').elements.pop().value = 'uploaded_newest'
    await wait_for(lambda: shown_ids(user) == [march.id, later.id, july.id])
    assert headers(user) == []


async def test_jumping_to_a_year_starts_the_grid_there(
    user: User, alice: UserPublic, library: Library
) -> None:
    new = add_taken(library, alice, 'New', '2023:05:01 10:00:00', 1)
    mid = add_taken(library, alice, 'Mid', '2019:05:01 10:00:00', 2)
    old = add_taken(library, alice, 'Old', '2012:05:01 10:00:00', 3)
    await user.open('/')
    await user.should_see('3 images')
    jump = user.find(marker='year-jump').elements.pop()
    assert list(jump.options) == [2023, 2019, 2012]
    jump.value = 2019
    await wait_for(lambda: shown_ids(user) == [mid.id, old.id])
    await user.should_see('2 images · from 2019 back')
    await user.open('/?year=2019&sort=oldest')
    await wait_for(lambda: shown_ids(user) == [mid.id, new.id])


async def test_tiles_keep_their_shape(user: User, alice: UserPublic, library: Library) -> None:
    wide = add_taken(library, alice, 'Panorama', None, 1, size=(400, 100))
    tall = add_taken(library, alice, 'Tower', None, 2, size=(60, 120))
    await user.open('/')
    await user.should_see('2 images')
    html = grid_html(user)
    assert re.search(rf'data-id="{wide.id}"[^>]*--ar:4\.0000', html)
    assert re.search(rf'data-id="{tall.id}"[^>]*--ar:0\.5000', html)
