"""API v1 shop: price and stock on images, the cart, checkout, orders and sales."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from repo.core.schemas import UserPublic
from repo.library import Library
from tests.api_helpers import bearer, client_for, make_app, token_for
from tests.conftest import PASSWORD
from tests.shop_helpers import checkout, image_on_sale, put_in_cart


@pytest.fixture
def client(library: Library) -> TestClient:
    return client_for(make_app(library))


@pytest.fixture
def seller(library: Library, alice: UserPublic) -> str:
    return token_for(library, alice)


@pytest.fixture
def buyer(library: Library, bob: UserPublic) -> str:
    return token_for(library, bob)


@pytest.fixture
def carol(library: Library) -> str:
    user = library.create_user('carol', PASSWORD + ' three')
    return token_for(library, user)


# ---- the catalogue ----------------------------------------------------------------------------


def test_an_owner_puts_a_public_image_on_sale_and_the_image_json_says_so(client, seller, buyer):
    image_id = image_on_sale(client, seller, price_cents=1250, stock=5)
    seen = client.get(f'/api/v1/images/{image_id}', headers=bearer(buyer)).json()
    assert (seen['price_cents'], seen['stock'], seen['for_sale']) == (1250, 5, True)
    unlimited = client.patch(
        f'/api/v1/images/{image_id}', headers=bearer(seller), json={'stock': None}
    ).json()
    assert (unlimited['price_cents'], unlimited['stock']) == (1250, None)
    cheaper = client.patch(
        f'/api/v1/images/{image_id}', headers=bearer(seller), json={'price_cents': 999}
    ).json()
    assert (cheaper['price_cents'], cheaper['stock']) == (999, None)
    renamed = client.patch(
        f'/api/v1/images/{image_id}', headers=bearer(seller), json={'title': 'Dawn'}
    ).json()
    assert renamed['for_sale'] and renamed['price_cents'] == 999
    off = client.patch(
        f'/api/v1/images/{image_id}', headers=bearer(seller), json={'price_cents': None}
    ).json()
    assert (off['price_cents'], off['stock'], off['for_sale']) == (None, None, False)


def test_a_private_image_cannot_go_on_sale_and_going_private_takes_it_off(client, seller, buyer):
    private = image_on_sale(client, seller, price_cents=None, visibility='private')
    refused = client.patch(
        f'/api/v1/images/{private}', headers=bearer(seller), json={'price_cents': 500}
    )
    assert refused.status_code == 422
    assert 'public' in refused.json()['detail']
    listed = image_on_sale(client, seller)
    assert put_in_cart(client, buyer, listed, 2).status_code == 200
    hidden = client.patch(
        f'/api/v1/images/{listed}', headers=bearer(seller), json={'visibility': 'private'}
    ).json()
    assert hidden['for_sale'] is False and hidden['price_cents'] is None
    assert client.get('/api/v1/cart', headers=bearer(buyer)).json()['items'] == []


@pytest.mark.parametrize(
    'body', [{'price_cents': -1}, {'price_cents': 12.5}, {'price_cents': '12'}, {'stock': -2}]
)
def test_prices_and_stock_are_whole_numbers_of_zero_or_more(client, seller, body):
    image_id = image_on_sale(client, seller)
    answer = client.patch(f'/api/v1/images/{image_id}', headers=bearer(seller), json=body)
    assert answer.status_code == 422


def test_someone_elses_image_cannot_be_priced(client, seller, buyer):
    public = image_on_sale(client, seller)
    private = image_on_sale(client, seller, price_cents=None, visibility='private')
    assert client.patch(
        f'/api/v1/images/{public}', headers=bearer(buyer), json={'price_cents': 1}
    ).status_code == 403  # fmt: skip
    hidden = client.patch(
        f'/api/v1/images/{private}', headers=bearer(buyer), json={'price_cents': 1}
    )
    assert hidden.status_code == 404 and hidden.json() == {'detail': 'Image not found'}


def test_the_list_filters_what_can_be_bought_and_by_price(client, seller, buyer):
    cheap = image_on_sale(client, seller, price_cents=300)
    dear = image_on_sale(client, seller, price_cents=5000)
    image_on_sale(client, seller, price_cents=None)  # public, not on sale

    def ids(query: str) -> set[str]:
        answer = client.get(f'/api/v1/images?{query}', headers=bearer(buyer))
        assert answer.status_code == 200, answer.text
        return {i['id'] for i in answer.json()['items']}

    assert ids('for_sale=true') == {cheap, dear}
    assert ids('for_sale=true&max_price=1000') == {cheap}
    assert ids('for_sale=true&min_price=1000') == {dear}
    assert cheap not in ids('for_sale=false') and len(ids('for_sale=false')) == 1
    assert client.get('/api/v1/images?min_price=-1').status_code == 422


# ---- the cart ---------------------------------------------------------------------------------


def test_the_cart_prices_lines_with_odd_quantities_in_minor_units(client, seller, buyer):
    first = image_on_sale(client, seller, price_cents=333, stock=None, title='Pier')
    second = image_on_sale(client, seller, price_cents=1999, stock=7, title='Gulls')
    put_in_cart(client, buyer, first, 3)
    cart = put_in_cart(client, buyer, second, 7).json()
    assert cart['currency'] == 'EUR'
    lines = [
        (i['title'], i['quantity'], i['unit_price_cents'], i['line_total_cents'])
        for i in cart['items']
    ]
    assert lines == [('Pier', 3, 333, 999), ('Gulls', 7, 1999, 13993)]
    assert cart['total_cents'] == 999 + 13993
    assert all(i['available'] for i in cart['items'])
    assert put_in_cart(client, buyer, first, 0).json()['total_cents'] == 13993


def test_the_cart_refuses_more_than_the_stock_with_how_many_are_left(client, seller, buyer):
    image_id = image_on_sale(client, seller, stock=2)
    answer = put_in_cart(client, buyer, image_id, 3)
    assert answer.status_code == 409
    assert answer.json()['available'] == 2 and answer.json()['detail']


def test_the_cart_refuses_what_is_not_on_sale_not_visible_or_ones_own(client, seller, buyer):
    not_listed = image_on_sale(client, seller, price_cents=None)
    private = image_on_sale(client, seller, price_cents=None, visibility='private')
    own = image_on_sale(client, buyer)
    assert put_in_cart(client, buyer, not_listed).status_code == 404
    hidden = put_in_cart(client, buyer, private)
    assert hidden.status_code == 404 and hidden.json() == {'detail': 'Image not found'}
    assert put_in_cart(client, buyer, 'no-such-image').json() == {'detail': 'Image not found'}
    assert put_in_cart(client, buyer, own).status_code == 422
    assert put_in_cart(client, buyer, not_listed, -1).status_code == 422
    assert put_in_cart(client, buyer, not_listed, 1001).status_code == 422


def test_removing_and_clearing_the_cart(client, seller, buyer):
    first, second = image_on_sale(client, seller), image_on_sale(client, seller)
    put_in_cart(client, buyer, first)
    put_in_cart(client, buyer, second)
    assert client.delete(f'/api/v1/cart/items/{first}', headers=bearer(buyer)).status_code == 204
    assert [i['image_id'] for i in client.get('/api/v1/cart', headers=bearer(buyer)).json()[
        'items']] == [second]  # fmt: skip
    assert client.delete('/api/v1/cart', headers=bearer(buyer)).status_code == 204
    assert client.get('/api/v1/cart', headers=bearer(buyer)).json() == {
        'items': [], 'total_cents': 0, 'currency': 'EUR'}  # fmt: skip


def test_lines_that_went_off_sale_or_away_are_unavailable_and_not_charged(client, seller, buyer):
    off_sale, deleted, kept = (
        image_on_sale(client, seller, price_cents=p) for p in (100, 200, 400)
    )
    for image_id in (off_sale, deleted, kept):
        put_in_cart(client, buyer, image_id, 1)
    client.patch(f'/api/v1/images/{off_sale}', headers=bearer(seller), json={'price_cents': None})
    client.delete(f'/api/v1/images/{deleted}', headers=bearer(seller))
    cart = client.get('/api/v1/cart', headers=bearer(buyer)).json()
    available = {i['image_id']: (i['available'], i['line_total_cents']) for i in cart['items']}
    assert available == {off_sale: (False, 0), deleted: (False, 0), kept: (True, 400)}
    assert cart['total_cents'] == 400
    refused = checkout(client, buyer)
    assert refused.status_code == 409
    assert {(x['image_id'], x['available']) for x in refused.json()['lines']} == {
        (off_sale, 0), (deleted, 0)}  # fmt: skip


def test_the_cart_survives_a_new_token(client, library, seller, bob):
    image_id = image_on_sale(client, seller)
    put_in_cart(client, token_for(library, bob), image_id, 2)
    again = client.get('/api/v1/cart', headers=bearer(token_for(library, bob))).json()
    assert [(i['image_id'], i['quantity']) for i in again['items']] == [(image_id, 2)]


# ---- checkout ---------------------------------------------------------------------------------


def test_checkout_takes_the_stock_freezes_the_prices_and_empties_the_cart(client, seller, buyer):
    limited = image_on_sale(client, seller, price_cents=1250, stock=5)
    unlimited = image_on_sale(client, seller, price_cents=99, stock=None)
    put_in_cart(client, buyer, limited, 2)
    put_in_cart(client, buyer, unlimited, 3)
    answer = checkout(client, buyer)
    assert answer.status_code == 201, answer.text
    order = answer.json()
    assert set(order) >= {'id', 'status', 'items', 'total_cents', 'currency', 'created_at'}
    assert order['status'] == 'awaiting_payment' and order['currency'] == 'EUR'
    assert order['total_cents'] == 2 * 1250 + 3 * 99
    assert [(i['image_id'], i['quantity'], i['unit_price_cents']) for i in order['items']] == [
        (limited, 2, 1250), (unlimited, 3, 99)]  # fmt: skip
    assert client.get(f'/api/v1/images/{limited}').json()['stock'] == 3
    assert client.get(f'/api/v1/images/{unlimited}').json()['stock'] is None
    assert client.get('/api/v1/cart', headers=bearer(buyer)).json()['items'] == []
    client.patch(f'/api/v1/images/{limited}', headers=bearer(seller), json={'price_cents': 9999})
    kept = client.get(f'/api/v1/orders/{order["id"]}', headers=bearer(buyer)).json()
    assert kept['total_cents'] == 2797 and kept['items'][0]['unit_price_cents'] == 1250


def test_an_empty_cart_cannot_check_out(client, buyer):
    assert checkout(client, buyer).status_code == 422


def test_a_line_short_of_stock_refuses_the_whole_checkout(client, library, seller, buyer, carol):
    scarce = image_on_sale(client, seller, stock=3)
    plenty = image_on_sale(client, seller, stock=10)
    put_in_cart(client, buyer, scarce, 3)
    put_in_cart(client, buyer, plenty, 4)
    put_in_cart(client, carol, scarce, 2)
    assert checkout(client, carol).status_code == 201
    refused = checkout(client, buyer)
    assert refused.status_code == 409
    assert refused.json()['lines'] == [{'image_id': scarce, 'requested': 3, 'available': 1}]
    assert client.get(f'/api/v1/images/{plenty}').json()['stock'] == 10  # nothing changed
    assert len(client.get('/api/v1/cart', headers=bearer(buyer)).json()['items']) == 2


def test_a_free_order_is_paid_at_once_and_its_original_downloads(client, seller, buyer):
    image_id = image_on_sale(client, seller, price_cents=0, stock=None)
    put_in_cart(client, buyer, image_id)
    order = checkout(client, buyer).json()
    assert order['status'] == 'paid' and order['total_cents'] == 0
    got = client.get(
        f'/api/v1/orders/{order["id"]}/images/{image_id}/original', headers=bearer(buyer)
    )
    assert got.status_code == 200 and got.content[:2] == b'\xff\xd8'


# ---- orders and sales -------------------------------------------------------------------------


def _bought(client, seller, buyer, **sale) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    image_id = image_on_sale(client, seller, **sale)
    put_in_cart(client, buyer, image_id, 2)
    order = checkout(client, buyer).json()
    return order['id'], image_id


def test_the_seller_marks_paid_and_the_buyer_downloads_even_off_sale(client, seller, buyer):
    order_id, image_id = _bought(client, seller, buyer)
    original = f'/api/v1/orders/{order_id}/images/{image_id}/original'
    assert client.get(original, headers=bearer(buyer)).status_code == 404  # not paid yet
    assert (
        client.get(f'/api/v1/images/{image_id}/original', headers=bearer(buyer)).status_code == 404
    )
    sales = client.get('/api/v1/sales', headers=bearer(seller)).json()['items']
    assert [(s['order_id'], s['buyer'], s['status'], s['total_cents']) for s in sales] == [
        (order_id, 'bob', 'awaiting_payment', 2500)]  # fmt: skip
    paid = client.post(f'/api/v1/sales/{order_id}/paid', headers=bearer(seller))
    assert paid.status_code == 200 and paid.json()['status'] == 'paid'
    assert client.post(f'/api/v1/sales/{order_id}/paid', headers=bearer(seller)).status_code == 409
    assert (
        client.post(f'/api/v1/sales/{order_id}/cancel', headers=bearer(seller)).status_code == 409
    )
    client.patch(f'/api/v1/images/{image_id}', headers=bearer(seller), json={'price_cents': None})
    got = client.get(original, headers=bearer(buyer))
    assert got.status_code == 200 and got.content[:2] == b'\xff\xd8'
    mine = client.get('/api/v1/orders', headers=bearer(buyer)).json()['items']
    assert [(o['id'], o['status'], o['items'][0]['downloadable']) for o in mine] == [
        (order_id, 'paid', True)]  # fmt: skip
    client.delete(f'/api/v1/images/{image_id}', headers=bearer(seller))
    assert client.get(original, headers=bearer(buyer)).status_code == 404
    gone = client.get(f'/api/v1/orders/{order_id}', headers=bearer(buyer)).json()
    assert gone['items'][0]['image_gone'] and not gone['items'][0]['downloadable']


def test_cancelling_returns_the_stock(client, seller, buyer):
    order_id, image_id = _bought(client, seller, buyer, stock=5)
    assert client.get(f'/api/v1/images/{image_id}').json()['stock'] == 3
    cancelled = client.post(f'/api/v1/sales/{order_id}/cancel', headers=bearer(seller))
    assert cancelled.status_code == 200 and cancelled.json()['status'] == 'cancelled'
    assert client.get(f'/api/v1/images/{image_id}').json()['stock'] == 5
    assert client.get(f'/api/v1/orders/{order_id}', headers=bearer(buyer)).json()['status'] == (
        'cancelled')  # fmt: skip
    assert client.post(f'/api/v1/sales/{order_id}/paid', headers=bearer(seller)).status_code == 409


def test_someone_elses_order_is_not_found(client, seller, buyer, carol):
    order_id, image_id = _bought(client, seller, buyer, price_cents=0)
    not_found = {'detail': 'Order not found'}
    for path in (
        f'/api/v1/orders/{order_id}',
        f'/api/v1/orders/{order_id}/images/{image_id}/original',
    ):
        answer = client.get(path, headers=bearer(carol))
        assert answer.status_code == 404 and answer.json() == not_found, path
        missing = client.get(path.replace(order_id, 'no-such-order'), headers=bearer(buyer))
        assert missing.json() == not_found
    for action in ('paid', 'cancel'):
        for token in (carol, buyer):  # the buyer is not the seller of it either
            answer = client.post(f'/api/v1/sales/{order_id}/{action}', headers=bearer(token))
            assert answer.status_code == 404 and answer.json() == not_found
    assert client.get('/api/v1/orders', headers=bearer(carol)).json() == {'items': []}
    assert client.get('/api/v1/sales', headers=bearer(carol)).json() == {'items': []}


def test_someone_elses_private_image_is_not_found_in_every_shop_route(client, seller, buyer):
    private = image_on_sale(client, seller, price_cents=None, visibility='private')
    assert put_in_cart(client, buyer, private).json() == {'detail': 'Image not found'}
    assert client.delete(f'/api/v1/cart/items/{private}', headers=bearer(buyer)).status_code == 204
    order_id, _ = _bought(client, seller, buyer, price_cents=0)
    answer = client.get(
        f'/api/v1/orders/{order_id}/images/{private}/original', headers=bearer(buyer)
    )
    assert answer.status_code == 404 and answer.json() == {'detail': 'Image not found'}


SHOP_ROUTES = [
    ('GET', '/api/v1/cart'),
    ('PUT', '/api/v1/cart/items/x'),
    ('DELETE', '/api/v1/cart/items/x'),
    ('DELETE', '/api/v1/cart'),
    ('POST', '/api/v1/checkout'),
    ('GET', '/api/v1/orders'),
    ('GET', '/api/v1/orders/x'),
    ('GET', '/api/v1/orders/x/images/y/original'),
    ('GET', '/api/v1/sales'),
    ('POST', '/api/v1/sales/x/paid'),
    ('POST', '/api/v1/sales/x/cancel'),
]


@pytest.mark.parametrize(('method', 'path'), SHOP_ROUTES)
def test_every_shop_route_needs_a_signed_in_caller(client, method, path):
    answer = client.request(method, path, json={'quantity': 1})
    assert answer.status_code == 401


@pytest.mark.parametrize(('method', 'path'), SHOP_ROUTES)
def test_a_token_without_the_shop_scope_may_not_shop(client, library, bob, method, path):
    token = library.tokens.create(bob.id, 'read only', scopes=('images:read',))[0]
    answer = client.request(method, path, headers=bearer(token), json={'quantity': 1})
    assert answer.status_code == 403


def test_the_shop_routes_are_documented(client):
    paths = client.get('/openapi.json').json()['paths']
    for _method, path in SHOP_ROUTES:
        templated = path.replace('/x/images/y', '/{order_id}/images/{image_id}')
        templated = templated.replace('items/x', 'items/{image_id}').replace('/x', '/{order_id}')
        assert templated in paths, templated
        for operation in paths[templated].values():
            assert 'shop' in operation['tags']


def test_the_currency_is_the_instances(make_library, settings, alice, bob):
    other = make_library(settings.with_(data_dir=settings.data_dir.parent / 'usd', currency='usd'))
    seller_user = other.create_user('alice', PASSWORD)
    buyer_user = other.create_user('bob', PASSWORD + ' too')
    client = client_for(make_app(other))
    image_id = image_on_sale(client, token_for(other, seller_user))
    assert put_in_cart(client, token_for(other, buyer_user), image_id).json()['currency'] == 'USD'


def test_an_admin_deleting_an_account_keeps_the_orders_of_the_other_party(
    client, library, alice, seller, buyer, carol
):
    """alice (the first account) is the administrator; bob buys from carol, then each goes."""
    admin = seller
    image_id = image_on_sale(client, carol, price_cents=800, stock=4)
    other = image_on_sale(client, carol, price_cents=100, stock=None)
    put_in_cart(client, buyer, image_id, 1)
    order_id = checkout(client, buyer).json()['id']
    put_in_cart(client, buyer, other, 1)
    gone = client.delete('/api/v1/admin/users/carol', headers=bearer(admin))
    assert gone.status_code == 204
    kept = client.get(f'/api/v1/orders/{order_id}', headers=bearer(buyer)).json()
    line = kept['items'][0]
    assert (line['image_gone'], line['seller'], line['unit_price_cents']) == (True, '', 800)
    assert kept['total_cents'] == 800
    cart = client.get('/api/v1/cart', headers=bearer(buyer)).json()
    assert [(i['image_id'], i['available']) for i in cart['items']] == [(other, False)]
    assert client.get(
        f'/api/v1/orders/{order_id}/images/{image_id}/original', headers=bearer(buyer)
    ).status_code == 404  # fmt: skip


def test_an_admin_deleting_a_buyer_keeps_the_sale_and_removes_the_cart(
    client, library, seller, bob, buyer, carol
):
    admin = seller  # alice, the first account
    image_id = image_on_sale(client, carol, price_cents=500, stock=3)
    put_in_cart(client, buyer, image_id, 2)
    order_id = checkout(client, buyer).json()['id']
    put_in_cart(client, buyer, image_id, 1)
    assert client.delete('/api/v1/admin/users/bob', headers=bearer(admin)).status_code == 204
    sales = client.get('/api/v1/sales', headers=bearer(carol)).json()['items']
    assert [(s['order_id'], s['buyer'], s['total_cents']) for s in sales] == [(order_id, '', 1000)]
    cancelled = client.post(f'/api/v1/sales/{order_id}/cancel', headers=bearer(carol))
    assert cancelled.status_code == 200
    assert client.get(f'/api/v1/images/{image_id}').json()['stock'] == 3
    with library.services.uow() as tx:
        assert tx.carts.lines(bob.id) == []
