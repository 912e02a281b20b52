"""The web app's sharing: share links (dialog, list, the visitor's page), trash with Undo,
albums and comments, in NiceGUI's simulated browser."""

# ruff: noqa: F811  (pytest fixtures imported from tests.ui_fixtures are used as arguments)

from __future__ import annotations

from nicegui import ui
from nicegui.testing import User

from repo.core.actor import Actor
from repo.core.errors import ImageNotFound
from repo.core.schemas import UserPublic
from repo.core.schemas_sharing import AlbumCreate, ShareCreate
from repo.library import Library
from tests.ui_fixtures import (  # noqa: F401  (fixtures)
    OTHER_PASSWORD,
    add_image,
    alice,
    bob,
    library,
    make_account,
    shoebox_env,
    sign_in,
    user,
    wait_for,
)

XSS = '<img src=x onerror=alert(1)>'


def html_of(user: User, marker: str) -> str:
    return ''.join(e.content for e in user.find(marker=marker).elements)


async def test_share_an_image_from_its_page_and_find_the_link_on_the_shares_page(
    user: User, alice: UserPublic, add_image, library: Library
) -> None:
    image = add_image(alice, 'Harbour')
    await sign_in(user)
    await user.open(f'/images/{image.id}')
    user.find(marker='share').click()
    await user.should_see(marker='share-dialog', retries=30)
    user.find(marker='share-label').type('For Grandma')
    user.find(marker='share-create').click()
    await user.should_see(marker='share-url', retries=50)
    [link] = library.services.sharing.list(Actor.user(alice.id))
    url = next(iter(user.find(marker='share-url').elements)).value
    assert url.endswith(f'/s/{link.key}') and link.label == 'For Grandma'
    assert link.image_ids == [image.id]
    await user.open('/shares')
    await user.should_see('For Grandma')
    await user.should_see('1 image · 0 views · never expires')
    user.find(marker='revoke').click()
    await user.should_see('Revoke this link?', retries=30)
    user.find(marker='confirm-ok').click()
    await user.should_see(marker='no-shares', retries=50)
    assert library.services.sharing.list(Actor.user(alice.id)) == []


async def test_the_share_page_shows_the_images_and_asks_for_a_password(
    user: User, alice: UserPublic, add_image, library: Library
) -> None:
    image = add_image(alice, f'Secret {XSS}')
    hidden = add_image(alice, 'Not shared')
    owner = Actor.user(alice.id)
    sharing = library.services.sharing
    open_link = sharing.create(owner, ShareCreate(image_ids=[image.id], label=f'Hi {XSS}'))
    locked = sharing.create(owner, ShareCreate(image_ids=[image.id], password='pw'))
    await user.open(f'/s/{open_link.key}')
    await user.should_see(f'Hi {XSS}')  # as text
    grid = html_of(user, 'share-grid')
    assert f'/api/v1/s/{open_link.key}/images/{image.id}/thumbnail' in grid
    assert '<img src=x' not in grid and '&lt;img src=x onerror=alert(1)&gt;' in grid
    assert hidden.id not in grid and '/original' not in grid
    await user.open(f'/s/{locked.key}')
    await user.should_see('This link needs a password')
    await user.should_not_see(f'Secret {XSS}')
    await user.open(f'/s/{locked.key}?wrong=1')
    await user.should_see('That password is not right.')
    await user.open('/s/' + 'n' * 32)
    await user.should_see('This link does not work')


async def test_delete_goes_to_the_trash_with_an_undo_and_the_trash_page_restores(
    user: User, alice: UserPublic, add_image, library: Library
) -> None:
    image = add_image(alice, 'Doomed')
    await sign_in(user)
    await user.open(f'/images/{image.id}')
    user.find(marker='delete').click()
    await user.should_see('They go to the trash', retries=30)
    user.find(marker='confirm-ok').click()
    await user.should_see(marker='undo', retries=50)
    try:
        library.get(alice.id, image.id)
        raise AssertionError('still in the gallery')
    except ImageNotFound:
        pass
    user.find(marker='undo').click()
    await user.should_see('Restored 1 image', retries=50)
    assert library.get(alice.id, image.id).title == 'Doomed'
    # Again, then restore from the trash page; then delete for good.
    library.delete(alice.id, image.id)
    await user.open('/trash')
    await user.should_see('Doomed')
    await user.should_see('Deleted images stay here for 30 days')
    user.find(marker='restore').click()
    await user.should_see(marker='trash-empty', retries=50)
    assert library.get(alice.id, image.id).title == 'Doomed'
    library.delete(alice.id, image.id)
    await user.open('/trash')
    user.find(marker='empty-trash').click()
    await user.should_see('Empty the trash?', retries=30)
    user.find(marker='confirm-ok').click()
    await user.should_see(marker='trash-empty', retries=50)
    assert library.trash(alice.id) == []


async def test_albums_add_from_the_image_page_and_someone_elses_private_album(
    user: User, alice: UserPublic, bob: UserPublic, add_image, library: Library
) -> None:
    image = add_image(alice, 'Beach')
    theirs = library.services.albums.create(Actor.user(bob.id), AlbumCreate(title='Bob only'))
    mine = library.services.albums.create(Actor.user(alice.id), AlbumCreate(title=XSS))
    await sign_in(user)
    await user.open(f'/images/{image.id}')
    user.find(marker='add-to-album').click()
    await user.should_see(marker='album-picker', retries=30)
    user.find(marker='pick-album').click()
    await user.should_see('Added to', retries=50)
    await user.open('/albums')
    albums = html_of(user, 'albums')
    assert '&lt;img src=x onerror=alert(1)&gt;' in albums and '1 image' in albums
    assert 'Bob only' not in albums
    await user.open(f'/albums/{mine.id}')
    await user.should_see(XSS)
    assert f'/images/{image.id}' in html_of(user, 'album-grid')
    await user.open(f'/albums/{theirs.id}')
    await user.should_see('Album not found')
    await user.should_not_see('Bob only')


async def test_comments_are_text_and_their_delete_is_for_author_and_owner(
    user: User, alice: UserPublic, bob: UserPublic, add_image, library: Library
) -> None:
    image = add_image(alice, 'Open', visibility='public')
    library.services.comments.add(Actor.user(bob.id), image.id, f'Nice {XSS}')
    await sign_in(user)
    await user.open(f'/images/{image.id}')
    await user.should_see(f'Nice {XSS}', retries=30)
    texts = [e for e in user.find(marker='comment-text').elements]
    assert all(isinstance(e, ui.label) for e in texts)  # a label: text, never HTML
    user.find(marker='comment-input').type('Thank you')
    user.find(marker='post-comment').click()
    await wait_for(lambda: len(user.find(marker='delete-comment').elements) == 2)
    assert len(user.find(marker='comment-text').elements) == 2  # the owner may delete both
    listed = library.services.comments.list(Actor.user(alice.id), image.id)
    assert [c.text for c in listed] == [f'Nice {XSS}', 'Thank you']


async def test_the_selection_bar_shares_adds_to_an_album_and_deletes_with_undo(
    user: User, alice: UserPublic, add_image, library: Library
) -> None:
    from tests.test_pages_bulk import click_tile, four_images

    shown = await four_images(user, alice, add_image)
    album = library.services.albums.create(Actor.user(alice.id), AlbumCreate(title='Picked'))
    for image in shown[:2]:
        click_tile(user, image)
    user.find(marker='bulk-album').click()
    await user.should_see(marker='album-picker', retries=30)
    user.find(marker='pick-album').click()
    await user.should_see('Added to', retries=50)
    detail = library.services.albums.get(Actor.user(alice.id), album.id)
    assert {i.id for i in detail.items} == {shown[0].id, shown[1].id}
    user.find(marker='bulk-share').click()
    await user.should_see(marker='share-dialog', retries=30)
    user.find(marker='share-create').click()
    await user.should_see(marker='share-url', retries=50)
    [link] = library.services.sharing.list(Actor.user(alice.id))
    assert set(link.image_ids) == {shown[0].id, shown[1].id}
    user.find('Done').click()
    user.find(marker='bulk-delete').click()
    await user.should_see('They go to the trash', retries=30)
    user.find(marker='confirm-ok').click()
    await user.should_see(marker='undo', retries=50)
    assert library.list(alice.id).total == 2
    user.find(marker='undo').click()
    await wait_for(lambda: library.list(alice.id).total == 4)
