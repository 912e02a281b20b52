"""The gallery's search box forgives: one letter says keep typing, a typo offers a correction."""

# ruff: noqa: F811  (pytest fixtures imported from tests.ui_fixtures are used as arguments)

from __future__ import annotations

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
    shown_ids,
    sign_in,
    user,
)


async def test_one_letter_says_keep_typing_not_no_results(
    user: User, alice: UserPublic, add_image, library: Library
) -> None:
    canon = add_image(alice, 'Canon camera', visibility='public')
    assert library.wait_for_index()
    await sign_in(user)
    user.find(marker='search').type('c')
    await user.should_see('Keep typing…')
    await user.should_see('Type at least two letters to search.')
    await user.should_not_see('No results')
    for typed in ('ca', 'can', 'cano', 'canon'):
        user.find(marker='search').clear().type(typed)
        await user.should_see(f'1 result for “{typed}”')
        assert shown_ids(user) == [canon.id]


async def test_a_typo_offers_did_you_mean_and_a_click_searches_for_it(
    user: User, alice: UserPublic, add_image, library: Library
) -> None:
    harbour = add_image(alice, 'Harbour at dawn', visibility='public')
    assert library.wait_for_index()
    await user.open('/?q=hrbour')
    await user.should_see('No results for “hrbour”')
    await user.should_see('Did you mean')
    user.find(marker='suggestion').click()
    await user.should_see('1 result for “harbour”')
    assert shown_ids(user) == [harbour.id]
    assert input_of(user, 'search').value == 'harbour'
    await user.should_not_see('Did you mean')


async def test_did_you_mean_shows_above_results_when_only_some_words_found_something(
    user: User, alice: UserPublic, add_image, library: Library
) -> None:
    add_image(alice, 'Harbour at dawn', visibility='public')
    add_image(alice, 'Dawn chorus', visibility='public')
    assert library.wait_for_index()
    await user.open('/?q=hrbour%20dawn')
    await user.should_see('2 results for “hrbour dawn”')
    await user.should_see(marker='suggestion', content='“harbour dawn”')
