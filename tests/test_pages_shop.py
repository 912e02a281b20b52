"""The shop in the web app (NiceGUI's simulated user): the Shop view, the image page's buy and
sell panels, the cart with its badge, checkout, Orders and Sales."""

# ruff: noqa: F811  (pytest fixtures imported from tests.ui_fixtures are used as arguments)

from __future__ import annotations

from nicegui import ui
from nicegui.testing import User

from repo.core.actor import Actor
from repo.core.schemas import ImagePublic, ImageUpdate, UserPublic
from repo.library import Library
from tests.ui_fixtures import (  # noqa: F401  (fixtures)
    OTHER_PASSWORD,
    PASSWORD,
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


def on_sale(library: Library, image: ImagePublic, price: int, stock: int | None) -> None:
    changes = ImageUpdate.model_validate({'price_cents': price, 'stock': stock})
    library.update(image.owner_id, image.id, changes)


def html_of(user: User, marker: str) -> str:
    return ''.join(e.content for e in user.find(marker=marker).elements)  # type: ignore[attr-defined]


async def test_the_shop_shows_prices_sold_out_and_filters_by_price(
    user: User, alice: UserPublic, add_image, library: Library
) -> None:
    cheap = add_image(alice, 'Cheap <b>bold</b>', visibility='public')
    dear = add_image(alice, 'Dear', visibility='public')
    gone = add_image(alice, 'Gone', visibility='public')
    add_image(alice, 'Not for sale', visibility='public')
    on_sale(library, cheap, 300, None)
    on_sale(library, dear, 5000, 2)
    on_sale(library, gone, 800, 0)
    await user.open('/shop')
    await user.should_see('3 images')
    grid = html_of(user, 'shop-grid')
    assert '€3.00' in grid and '€50.00' in grid and 'Sold out' in grid
    assert 'Not for sale' not in grid
    assert 'Cheap &lt;b&gt;bold&lt;/b&gt;' in grid and '<b>bold' not in grid
    await user.open('/shop?max=10')
    await user.should_see('2 images')
    assert 'Dear' not in html_of(user, 'shop-grid')
    await user.open('/shop?min=abc')
    await user.should_see(marker='shop-error')


async def test_add_to_cart_updates_the_badge_and_the_cart_checks_out(
    user: User, alice: UserPublic, bob: UserPublic, add_image, library: Library
) -> None:
    image = add_image(alice, 'Harbour', visibility='public')
    on_sale(library, image, 1250, 5)
    await sign_in(user, 'bob', OTHER_PASSWORD)
    await user.open(f'/images/{image.id}')
    await user.should_see('€12.50')
    await user.should_see('5 left')
    quantity = next(iter(user.find(marker='quantity').elements))
    assert isinstance(quantity, ui.number)
    quantity.value = 3
    user.find(marker='add-to-cart').click()
    await user.should_see('Added 3 to your cart')
    badge = next(iter(user.find(marker='cart-badge').elements))
    await wait_for(lambda: badge.text == '3')
    await user.open('/cart')
    await user.should_see('€37.50')
    user.find(marker='checkout').click()
    await user.should_see(marker='checkout-dialog')
    user.find(marker='confirm-checkout').click()
    await user.should_see(marker='order-placed', retries=50)
    assert library.get(alice.id, image.id).stock == 2
    await user.open('/orders')
    await user.should_see('Awaiting payment')
    await user.should_see('Harbour')


async def test_the_owner_prices_an_image_and_private_ones_cannot_be_sold(
    user: User, alice: UserPublic, add_image, library: Library
) -> None:
    public = add_image(alice, 'Public one', visibility='public')
    private = add_image(alice, 'Private one')
    await sign_in(user)
    await user.open(f'/images/{private.id}')
    await user.should_see(marker='sale-needs-public')
    await user.open(f'/images/{public.id}')
    user.find(marker='price-input').type('7.50')
    user.find(marker='save-sale').click()
    await user.should_see('On sale at €7.50')
    image = library.get(alice.id, public.id)
    assert (image.price_cents, image.stock, image.for_sale) == (750, None, True)
    user.find(marker='off-sale').click()
    await user.should_see('Not for sale any more')
    assert not library.get(alice.id, public.id).for_sale


async def test_sales_mark_paid_and_nobody_else_sees_the_order(
    user: User, alice: UserPublic, bob: UserPublic, make_account, add_image, library: Library
) -> None:
    carol = make_account('carol', PASSWORD + ' three')
    image = add_image(alice, 'Sold one', visibility='public')
    on_sale(library, image, 400, 3)
    services = library.services
    services.cart.put(Actor.of(bob), image.id, 1)
    order = services.checkout.checkout(Actor.of(bob))
    await sign_in(user, 'carol', PASSWORD + ' three')
    await user.open('/orders')
    await user.should_see(marker='no-orders')
    await user.open('/sales')
    await user.should_see(marker='no-sales')
    assert carol.username == 'carol'
    await user.open('/signin')
    user.find(marker='account-menu').click()
    user.find(marker='sign-out').click()
    await sign_in(user)
    await user.open('/sales')
    await user.should_see('@bob')
    user.find(marker='mark-paid').click()
    await user.should_see('Marked paid')
    assert services.orders.get_order(Actor.of(bob), order.id).status == 'paid'


async def test_the_shop_pages_send_anonymous_visitors_to_sign_in(user: User) -> None:
    for path in ('/cart', '/orders', '/sales'):
        response = await user.http_client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers['location'].startswith('/signin')
