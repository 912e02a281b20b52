"""The account page's export button: a link to the streamed zip, with what it will hold."""

# ruff: noqa: F811  (pytest fixtures imported from tests.ui_fixtures are used as arguments)

from __future__ import annotations

from nicegui.testing import User

from repo.core.schemas import UserPublic
from tests.ui_fixtures import (  # noqa: F401  (fixtures)
    PASSWORD,
    add_image,
    alice,
    library,
    make_account,
    shoebox_env,
    sign_in,
    user,
)


async def test_the_account_page_offers_the_export(user: User, alice: UserPublic, add_image) -> None:  # type: ignore[no-untyped-def]
    add_image(alice)
    add_image(alice)
    await sign_in(user)
    await user.open('/account')
    await user.should_see(marker='export')
    await user.should_see('2 images')
    button = user.find(marker='export').elements.pop()
    assert button.props['href'] == '/api/v1/export'
