"""The gallery: what each visitor sees, instant search, filters, infinite scroll, empty states."""

# ruff: noqa: F811  (pytest fixtures imported from tests.ui_fixtures are used as arguments)

from __future__ import annotations

import sys

import pytest
from nicegui import ui
from nicegui.testing import User

from repo.core.schemas import UserPublic
from repo.library import Library
from tests.ui_fixtures import (  # noqa: F401  (fixtures)
    add_image,
    alice,
    bob,
    grid_html,
    input_of,
    library,
    make_account,
    shoebox_env,
    shown_ids,
    sign_in,
    user,
    wait_for,
)


async def test_visitors_see_public_images_only(user: User, alice: UserPublic, add_image) -> None:
    shared = add_image(alice, 'Shared', visibility='public')
    secret = add_image(alice, 'Secret')
    await user.open('/')
    await user.should_see('1 image')
    assert shown_ids(user) == [shared.id]
    assert secret.id not in grid_html(user)
    await user.should_see(marker='sign-in-link')


async def test_the_owner_sees_private_images_with_a_lock_and_thumbnails_from_the_api(
    user: User, alice: UserPublic, add_image
) -> None:
    first = add_image(alice, 'First', visibility='public')
    second = add_image(alice, 'Second')
    await sign_in(user)
    await user.should_see('2 images')
    assert shown_ids(user) == [second.id, first.id]  # newest first
    html = grid_html(user)
    assert f'src="/api/v1/images/{second.id}/thumbnail" loading="lazy"' in html
    assert html.count('class="sb-badge"') == 1  # the lock on the private one
    user.find(marker='sort').elements.pop().value = 'oldest'
    await wait_for(lambda: shown_ids(user) == [first.id, second.id])


async def test_search_as_you_type_narrows_the_grid_and_highlights_titles(
    user: User, alice: UserPublic, add_image, library: Library
) -> None:
    sunset = add_image(alice, 'Sunset over the bay', visibility='public')
    add_image(alice, 'Mountain hut', visibility='public')
    assert library.wait_for_index()
    await sign_in(user)
    await user.should_see('2 images')
    user.find(marker='search').type('sunset')
    await user.should_see('1 result for “sunset”')
    assert shown_ids(user) == [sunset.id]
    assert '<mark>Sunset</mark> over the bay' in grid_html(user)
    # The tile links to the image page with the search kept for the arrow keys.
    assert f'href="/images/{sunset.id}?q=sunset&amp;i=0"' in grid_html(user)
    user.find(marker='search').clear()
    await user.should_see('2 images')


async def test_the_query_in_the_url_is_searched_on_load(
    user: User, alice: UserPublic, add_image, library: Library
) -> None:
    hut = add_image(alice, 'Mountain hut', visibility='public')
    add_image(alice, 'Sunset', visibility='public')
    assert library.wait_for_index()
    await user.open('/?q=mountain')
    assert input_of(user, 'search').value == 'mountain'
    await user.should_see('1 result for “mountain”')
    assert shown_ids(user) == [hut.id]


async def test_no_results_has_a_clear_state(
    user: User, alice: UserPublic, add_image, library: Library
) -> None:
    add_image(alice, 'Sunset', visibility='public')
    assert library.wait_for_index()
    await user.open('/?q=zebra')
    await user.should_see('No results for “zebra”')
    user.find('Clear search').click()
    await user.should_see('1 image')


async def test_tag_chips_filter_with_all_of_semantics(
    user: User, alice: UserPublic, add_image
) -> None:
    both = add_image(alice, 'Both', tags=['beach', 'family'], visibility='public')
    beach = add_image(alice, 'Beach only', tags=['beach'], visibility='public')
    add_image(alice, 'Untagged', visibility='public')
    await user.open('/')
    await user.should_see('3 images')
    user.find(marker='tag-suggestion', content='beach').click()
    await user.should_see('2 images')
    assert set(shown_ids(user)) == {both.id, beach.id}
    user.find(marker='tag-suggestion', content='family').click()
    await user.should_see('1 image')
    assert shown_ids(user) == [both.id]
    chip = next(e for e in user.find(marker='tag-filter').elements if e.text == 'beach')
    assert isinstance(chip, ui.chip)
    chip.set_value(False)  # the chip's remove button
    await user.should_see('1 image')
    await user.open('/?tags=family,beach')  # the filter lives in the URL too
    await user.should_see('1 image')


async def test_mine_and_public_scopes(
    user: User, alice: UserPublic, bob: UserPublic, add_image
) -> None:
    mine = add_image(alice, 'Mine')
    theirs = add_image(bob, 'Theirs', visibility='public')
    await sign_in(user)
    await user.should_see('2 images')
    user.find(marker='scope').elements.pop().value = 'mine'
    await user.should_see('1 image of yours')
    assert shown_ids(user) == [mine.id]
    user.find(marker='scope').elements.pop().value = 'public'
    await wait_for(lambda: shown_ids(user) == [theirs.id])


async def test_my_images_needs_an_account(user: User) -> None:
    await user.open('/?scope=mine')
    await user.should_see(marker='signin')


async def test_more_images_load_as_you_scroll(
    user: User, alice: UserPublic, add_image, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys.modules['pages.grid'], 'BATCH', 4)
    added = [add_image(alice, f'Picture {n}', visibility='public') for n in range(10)]
    await user.open('/')
    await user.should_see('10 images')
    assert len(shown_ids(user)) == 4
    user.find(marker='load-more').click()  # what the scroll sentinel does when it comes into view
    await wait_for(lambda: len(shown_ids(user)) == 8)
    user.find(marker='load-more').click()
    await wait_for(lambda: len(shown_ids(user)) == 10)
    assert shown_ids(user) == [i.id for i in reversed(added)]
    await user.should_not_see(marker='load-more')


async def test_empty_states_lead_somewhere_useful(user: User, alice: UserPublic) -> None:
    await user.open('/')
    await user.should_see('Nothing shared yet')
    await user.should_see('Create an account')
    await sign_in(user)
    await user.should_see('Your shoebox is empty')
    user.find('Upload images').click()
    await user.should_see(marker='uploader', retries=50)


async def test_a_title_with_markup_is_shown_as_text(
    user: User, alice: UserPublic, add_image
) -> None:
    evil = '<img src=x onerror=alert(1)>'
    image = add_image(alice, evil, visibility='public', tags=['<b>bold</b>'])
    await user.open('/')
    await user.should_see('1 image')
    html = grid_html(user)
    assert '&lt;img src=x onerror=alert(1)&gt;' in html
    assert '<img src=x' not in html
    await user.open(f'/images/{image.id}')
    title = next(iter(user.find(marker='title').elements))
    assert isinstance(title, ui.label) and title.text == evil  # a label: text, never markup
    assert '<img src=x' not in next(iter(user.find(marker='preview').elements)).content
    await user.should_see('<b>bold</b>')
    for path in ('/', f'/images/{image.id}'):  # the HTML as sent, page title included
        assert '<img src=x' not in (await user.http_client.get(path)).text


async def test_the_theme_toggles_auto_dark_light(user: User) -> None:
    await user.open('/')
    dark = next(iter(user.find(kind=ui.dark_mode).elements))
    assert dark.value is None  # auto: follows the system
    user.find(marker='theme').click()
    assert dark.value is True
    user.find(marker='theme').click()
    assert dark.value is False
    user.http_client.cookies.set('sb_theme', 'dark')
    await user.open('/')  # the choice is a cookie, so it holds on the next page
    assert next(iter(user.find(kind=ui.dark_mode).elements)).value is True
