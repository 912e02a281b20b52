"""Editing on the image page and in the gallery (issue 10): a Public toggle during an edit keeps
what is typed; commas split tags as on the upload page; the scope filter and the bulk action
no longer look alike, and a filter change keeps the selection."""

# ruff: noqa: F811  (pytest fixtures imported from tests.ui_fixtures are used as arguments)

from __future__ import annotations

from nicegui import ui
from nicegui.testing import User

from repo.core.schemas import UserPublic
from repo.library import Library
from tests.ui_fixtures import (  # noqa: F401  (fixtures)
    add_image,
    alice,
    input_of,
    library,
    make_account,
    shoebox_env,
    sign_in,
    user,
    wait_for,
)


def chips_field(user: User) -> ui.input_chips:
    field = next(iter(user.find(marker='edit-tags').elements))
    assert isinstance(field, ui.input_chips)
    return field


async def test_toggling_public_while_editing_keeps_the_edits(
    user: User, alice: UserPublic, add_image, library: Library
) -> None:
    image = add_image(alice, 'Old title')
    await sign_in(user)
    await user.open(f'/images/{image.id}')
    user.find(marker='edit').click()
    input_of(user, 'edit-title').value = 'Half-typed title'
    user.find(marker='edit-description').type('By the lake')
    chips_field(user).value = ['lake']
    next(iter(user.find(marker='visibility').elements)).value = True
    await user.should_see('Now public', retries=30)
    # The form is still open with what was typed, and the switch shows the new state.
    assert input_of(user, 'edit-title').value == 'Half-typed title'
    assert input_of(user, 'edit-description').value == 'By the lake'
    assert chips_field(user).value == ['lake']
    assert next(iter(user.find(marker='visibility').elements)).value is True
    user.find(marker='save').click()
    await user.should_see('Saved', retries=30)
    saved = library.get(alice.id, image.id)
    assert (saved.title, saved.description, saved.visibility.value) == (
        'Half-typed title',
        'By the lake',
        'public',
    )
    assert 'lake' in saved.tags


async def test_commas_split_tags_on_the_image_page(
    user: User, alice: UserPublic, add_image, library: Library
) -> None:
    image = add_image(alice, 'Trip')
    await sign_in(user)
    await user.open(f'/images/{image.id}')
    user.find(marker='edit').click()
    chips_field(user).value = ['Family Trip,portugal', ' ,portugal']
    await wait_for(lambda: chips_field(user).value == ['Family Trip', 'portugal'])
    user.find(marker='save').click()
    await user.should_see('Saved', retries=30)
    tags = library.get(alice.id, image.id).tags
    assert 'family trip' in tags and 'portugal' in tags


async def test_the_scope_filter_and_the_bulk_action_are_told_apart(
    user: User, alice: UserPublic, add_image
) -> None:
    first = add_image(alice, 'First', visibility='public')
    add_image(alice, 'Second')
    await sign_in(user)
    await user.should_see('2 images')
    scope = next(iter(user.find(marker='scope').elements))
    assert scope.options == {'all': 'All', 'mine': 'Mine', 'public': 'Public only'}
    user.find(marker='grid').trigger('click', {'id': first.id, 'shift': False})
    await user.should_see(marker='bulk-bar')
    await user.should_see('Make public')
    await user.should_see('Make private')
    # Narrowing to public images keeps the selected one that is still shown.
    scope.value = 'public'
    await user.should_see('1 image')
    await user.should_see(marker='bulk-bar')
    await user.should_see('1 selected')
