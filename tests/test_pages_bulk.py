"""Bulk actions in the grid: select (click, shift-click, all loaded), then act, with a summary."""

# ruff: noqa: F811  (pytest fixtures imported from tests.ui_fixtures are used as arguments)

from __future__ import annotations

from nicegui.testing import User

from repo.core.schemas import ImagePublic, ImageUpdate, UserPublic
from repo.core.visibility import Visibility
from repo.library import Library
from tests.images import own_tags
from tests.ui_fixtures import (  # noqa: F401  (fixtures)
    add_image,
    alice,
    bob,
    library,
    make_account,
    shoebox_env,
    shown_ids,
    sign_in,
    user,
    wait_for,
)


def click_tile(user: User, image: ImagePublic, *, shift: bool = False) -> None:
    """What the browser sends when a tile's check (or any tile while selecting) is clicked."""
    user.find(marker='grid').trigger('click', {'id': image.id, 'shift': shift})


async def four_images(user: User, alice: UserPublic, add_image) -> list[ImagePublic]:
    images = [add_image(alice, f'Picture {n}') for n in range(4)]
    await sign_in(user)
    await user.should_see('4 images')
    return list(reversed(images))  # as shown: newest first


async def test_click_shift_click_and_select_all(user: User, alice: UserPublic, add_image) -> None:
    shown = await four_images(user, alice, add_image)
    await user.should_not_see(marker='bulk-bar')
    click_tile(user, shown[0])
    await user.should_see('1 selected')
    click_tile(user, shown[2], shift=True)  # the range 0..2
    await user.should_see('3 selected')
    click_tile(user, shown[1])  # toggles one off
    await user.should_see('2 selected')
    user.find('Select all 4 loaded').click()
    await user.should_see('4 selected')
    user.find(marker='clear-selection').click()
    await user.should_not_see(marker='bulk-bar')


async def test_others_images_cannot_be_selected(
    user: User, alice: UserPublic, bob: UserPublic, add_image
) -> None:
    theirs = add_image(bob, 'Theirs', visibility='public')
    add_image(alice, 'Mine')
    await sign_in(user)
    await user.should_see('2 images')
    click_tile(user, theirs)
    await user.should_not_see(marker='bulk-bar')


async def test_bulk_visibility_with_confirmation_and_summary(
    user: User, alice: UserPublic, add_image, library: Library
) -> None:
    shown = await four_images(user, alice, add_image)
    click_tile(user, shown[0])
    click_tile(user, shown[1])
    user.find(marker='bulk-public').click()
    await user.should_see('Make 2 images public?', retries=30)
    user.find(marker='confirm-ok').click()
    await user.should_see('Made public: 2 images.', retries=50)
    public = {i.id for i in library.list(None).items}
    assert public == {shown[0].id, shown[1].id}
    await user.should_not_see(marker='bulk-bar')  # the grid reloaded, the selection is gone


async def test_bulk_add_tags(user: User, alice: UserPublic, add_image, library: Library) -> None:
    shown = await four_images(user, alice, add_image)
    library.update(alice.id, shown[0].id, ImageUpdate(tags=['old']))
    click_tile(user, shown[0])
    click_tile(user, shown[1])
    user.find(marker='bulk-tags').click()
    await user.should_see(marker='ask-tags', retries=30)
    user.find(marker='tags-input').type('Trip, sea')
    user.find(marker='tags-ok').click()
    await user.should_see('Tagged 2 images.', retries=50)
    assert library.get(alice.id, shown[0].id).tags == ['old', 'sea', 'trip']
    assert own_tags(library.get(alice.id, shown[1].id)) == ['sea', 'trip']
    assert own_tags(library.get(alice.id, shown[2].id)) == []


async def test_bulk_delete_asks_first(
    user: User, alice: UserPublic, add_image, library: Library
) -> None:
    shown = await four_images(user, alice, add_image)
    for image in shown[:3]:
        click_tile(user, image)
    user.find(marker='bulk-delete').click()
    await user.should_see('Delete 3 images?', retries=30)
    user.find('Cancel').click()
    await user.should_not_see('Delete 3 images?', retries=30)
    assert library.list(alice.id).total == 4
    user.find(marker='bulk-delete').click()
    await user.should_see('Delete 3 images?', retries=30)
    user.find(marker='confirm-ok').click()
    await user.should_see('Deleted 3 images.', retries=50)
    await wait_for(lambda: shown_ids(user) == [shown[3].id])
    assert [i.id for i in library.list(alice.id).items] == [shown[3].id]
    assert library.get(alice.id, shown[3].id).visibility == Visibility.private
