"""The image page: facts, arrows through results, and the owner's edit/visibility/delete."""

# ruff: noqa: F811  (pytest fixtures imported from tests.ui_fixtures are used as arguments)

from __future__ import annotations

from nicegui import ui
from nicegui.testing import User

from repo.core.errors import ImageNotFound
from repo.core.schemas import UserPublic
from repo.library import Library
from tests.ui_fixtures import (  # noqa: F401  (fixtures)
    OTHER_PASSWORD,
    add_image,
    alice,
    bob,
    input_of,
    library,
    make_account,
    shoebox_env,
    sign_in,
    user,
    wait_for,
)

OWNER_CONTROLS = ('edit', 'visibility', 'delete', 'allow-download')


async def test_the_page_shows_the_preview_and_the_facts(
    user: User, alice: UserPublic, add_image
) -> None:
    image = add_image(alice, 'Harbour', visibility='public', tags=['sea'], description='Boats')
    await user.open(f'/images/{image.id}')
    await user.should_see('Harbour')
    await user.should_see('Boats')
    preview = next(iter(user.find(marker='preview').elements)).content
    assert f'src="/api/v1/images/{image.id}/preview"' in preview
    facts = next(iter(user.find(marker='facts').elements)).content
    assert '96 \u00d7 64 px' in facts and 'JPEG' in facts and '@alice' in facts
    assert 'class="sb-swatch"' in facts
    for marker in (*OWNER_CONTROLS, 'download'):  # not the owner, downloads not allowed
        await user.should_not_see(marker=marker)


async def test_the_owner_edits_title_description_and_tags_in_place(
    user: User, alice: UserPublic, add_image, library: Library
) -> None:
    image = add_image(alice, 'Old title')
    await sign_in(user)
    await user.open(f'/images/{image.id}')
    user.find(marker='edit').click()
    title = input_of(user, 'edit-title')
    title.value = 'New title'
    user.find(marker='edit-description').type('By the lake')
    tags = next(iter(user.find(marker='edit-tags').elements))
    assert isinstance(tags, ui.input_chips)
    tags.value = ['lake', 'Summer']
    user.find(marker='save').click()
    await user.should_see('Saved', retries=30)
    await user.should_see('New title')
    await user.should_see('By the lake')
    changed = library.get(alice.id, image.id)
    assert (changed.title, changed.description, changed.tags) == (
        'New title',
        'By the lake',
        ['lake', 'summer'],
    )


async def test_an_empty_title_is_refused_next_to_the_field(
    user: User, alice: UserPublic, add_image, library: Library
) -> None:
    image = add_image(alice, 'Keep me')
    await sign_in(user)
    await user.open(f'/images/{image.id}')
    user.find(marker='edit').click()
    input_of(user, 'edit-title').value = '   '
    user.find(marker='save').click()
    await user.should_see('The title cannot be empty', retries=30)
    assert library.get(alice.id, image.id).title == 'Keep me'


async def test_a_visibility_toggle_is_seen_at_once_by_another_user(
    user: User, create_user, alice: UserPublic, bob: UserPublic, add_image
) -> None:
    image = add_image(alice, 'Soon shared')
    other = create_user()
    await sign_in(other, 'bob', OTHER_PASSWORD)
    await other.open(f'/images/{image.id}')
    await other.should_see('Image not found')
    assert (await other.http_client.get(f'/api/v1/images/{image.id}/preview')).status_code == 404

    await sign_in(user)
    await user.open(f'/images/{image.id}')
    user.find(marker='visibility').click()
    await user.should_see('Now public', retries=30)

    await other.open(f'/images/{image.id}')
    await other.should_see('Soon shared')
    for marker in OWNER_CONTROLS:
        await other.should_not_see(marker=marker)
    assert (await other.http_client.get(f'/api/v1/images/{image.id}/preview')).status_code == 200

    user.find(marker='visibility').click()
    await user.should_see('Now private', retries=30)
    await other.open(f'/images/{image.id}')
    await other.should_see('Image not found')


async def test_others_may_download_the_original_only_when_allowed(
    user: User, create_user, alice: UserPublic, bob: UserPublic, add_image
) -> None:
    image = add_image(alice, 'Shared', visibility='public')
    await sign_in(user)
    await user.open(f'/images/{image.id}')
    await user.should_see(marker='download')  # the owner always may
    user.find(marker='allow-download').click()
    await user.should_see('Downloads allowed', retries=30)
    other = create_user()
    await other.open(f'/images/{image.id}')
    await other.should_see(marker='download')
    response = await other.http_client.get(f'/api/v1/images/{image.id}/original')
    assert response.status_code == 200


async def test_delete_asks_first(
    user: User, alice: UserPublic, add_image, library: Library
) -> None:
    image = add_image(alice, 'Doomed')
    await sign_in(user)
    await user.open(f'/images/{image.id}')
    user.find(marker='delete').click()
    await user.should_see('Delete this image?', retries=30)
    user.find('Cancel').click()
    await user.should_not_see('Delete this image?', retries=30)
    assert library.get(alice.id, image.id).title == 'Doomed'
    user.find(marker='delete').click()
    await user.should_see('Delete this image?', retries=30)
    user.find(marker='confirm-ok').click()
    await user.should_see('Your shoebox is empty', retries=50)
    try:
        library.get(alice.id, image.id)
    except ImageNotFound:
        pass
    else:
        raise AssertionError('the image is still there')


async def test_missing_and_private_images_look_the_same(
    user: User, alice: UserPublic, add_image
) -> None:
    private = add_image(alice, 'Private')
    await user.open(f'/images/{private.id}')
    await user.should_see('Image not found')
    await user.should_not_see('Private')
    await user.open('/images/doesNotExist0000000000')
    await user.should_see('Image not found')


async def test_arrows_step_through_the_results(user: User, alice: UserPublic, add_image) -> None:
    first, second, third = (add_image(alice, t, visibility='public') for t in 'ABC')
    # Newest first: C (0), B (1), A (2).
    await user.open(f'/images/{second.id}?i=1')
    user.find(marker='next').click()
    await user.should_see(marker='title', retries=50)
    await wait_for(lambda: user.back_history[-1].startswith(f'/images/{first.id}'))
    await user.should_see('A')
    await user.open(f'/images/{second.id}?i=1')
    user.find(marker='prev').click()
    await wait_for(lambda: user.back_history[-1] == f'/images/{third.id}?i=0')


async def test_arrow_keys_step_through_the_results(
    user: User, alice: UserPublic, add_image
) -> None:
    first, second, _newest = (add_image(alice, t, visibility='public') for t in 'ABC')
    await user.open(f'/images/{second.id}?i=1')
    key = {'action': 'keydown', 'repeat': False, 'altKey': False, 'ctrlKey': False}
    key |= {'metaKey': False, 'shiftKey': False, 'code': 'ArrowRight', 'location': 0}
    user.find(kind=ui.keyboard).trigger('key', {**key, 'key': 'ArrowRight'})
    await wait_for(lambda: user.back_history[-1] == f'/images/{first.id}?i=2')
    user.find(kind=ui.keyboard).trigger('key', {**key, 'key': 'ArrowLeft', 'code': 'ArrowLeft'})
    await wait_for(lambda: user.back_history[-1] == f'/images/{second.id}?i=1')
