"""The image page shows what the camera recorded, the place only to the owner, and lets the
owner choose whether others' downloads keep it (issue 10)."""

# ruff: noqa: F811  (pytest fixtures imported from tests.ui_fixtures are used as arguments)

from __future__ import annotations

from nicegui.testing import User

from repo.core.schemas import ImageUpdate, UserPublic
from repo.library import Library
from tests import images
from tests.ui_fixtures import (  # noqa: F401  (fixtures)
    OTHER_PASSWORD,
    alice,
    bob,
    library,
    make_account,
    shoebox_env,
    sign_in,
    user,
    wait_for,
)


def lisbon_photo(library: Library, owner: UserPublic):  # type: ignore[no-untyped-def]
    data = images.exif_photo(
        3, gps=(38.7223, -9.1393), iso=800, exposure=(1, 60), f_number=1.8, focal_mm=50
    )
    image = library.add(owner.id, data, 'lisbon.jpg', title='Tram 28', visibility='public')
    library.update(owner.id, image.id, ImageUpdate(allow_download=True))
    return image


async def test_the_owner_sees_camera_settings_and_the_place(
    user: User, alice: UserPublic, library: Library
) -> None:
    image = lisbon_photo(library, alice)
    await sign_in(user)
    await user.open(f'/images/{image.id}')
    for text in ('ISO', '800', '1/60 s', 'f/1.8', '50 mm', 'Location', '38.72230° N, 9.13930° W'):
        await user.should_see(text)
    await user.should_see('Others get the original without its GPS position.')
    switch = next(iter(user.find(marker='share-location').elements))
    switch.value = True
    await user.should_see('Downloads include the location', retries=30)
    assert library.get(alice.id, image.id).share_location is True
    await user.should_see('Others get the original with its GPS position.')


async def test_others_see_the_camera_but_not_the_place(
    user: User, alice: UserPublic, bob: UserPublic, library: Library
) -> None:
    image = lisbon_photo(library, alice)
    await sign_in(user, 'bob', OTHER_PASSWORD)
    await user.open(f'/images/{image.id}')
    await user.should_see('1/60 s')
    await user.should_not_see('Location')
    await user.should_not_see('38.72230')
    await user.should_not_see(marker='share-location')
