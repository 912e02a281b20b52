"""`shoebox price`, `cart`, `checkout`, `orders`, `sales` against a real server."""

from __future__ import annotations

from repo.core.actor import SYSTEM, Actor
from repo.core.schemas import ImageUpdate
from repo.library import Library
from tests import images
from tests import test_cli_client as cli_tests
from tests.conftest import PASSWORD
from tests.test_cli_client import as_json, shoebox, text

# The real server of the client tests (module-scoped fixtures, reused here).
start_server = cli_tests.start_server
library = cli_tests.library
server = cli_tests.server
env = cli_tests.env

_names = iter(f'shopper{i:03d}' for i in range(1000))


def _account(library: Library, env: dict[str, str]) -> tuple[int, dict[str, str]]:
    user = library.create_user(next(_names), PASSWORD)
    return user.id, {**env, 'SHOEBOX_TOKEN': library.tokens.create(user.id, 'test')[0]}


def _public_image(library: Library, user_id: int, seed: int) -> str:
    image = library.add(user_id, images.image_bytes(seed=seed), f'{seed}.jpg', visibility='public')
    return image.id


def test_a_seller_prices_a_buyer_buys_and_the_seller_marks_it_paid(library, env):
    seller_id, seller = _account(library, env)
    _buyer_id, buyer = _account(library, env)
    image_id = _public_image(library, seller_id, 501)

    priced = shoebox(seller, 'price', image_id, '--price', '12.50', '--stock', '5')
    assert priced.exit_code == 0, text(priced)
    assert '€12.50, 5 left' in text(priced)
    assert as_json(shoebox(seller, 'price', image_id, '--unlimited', '--json'))['stock'] is None
    assert shoebox(seller, 'price', image_id, '--price', '1.005').exit_code == 2
    shoebox(seller, 'price', image_id, '--price', '12.50', '--stock', '5')

    added = shoebox(buyer, 'cart', 'add', image_id, '--qty', '2')
    assert added.exit_code == 0, text(added)
    assert '€25.00' in text(added)
    cart = as_json(shoebox(buyer, 'cart', '--json'))
    assert [(i['image_id'], i['quantity']) for i in cart['items']] == [(image_id, 2)]
    too_many = shoebox(buyer, 'cart', 'add', image_id, '--qty', '4')
    assert too_many.exit_code == 1 and '5 copies' in text(too_many)

    bought = shoebox(buyer, 'checkout')
    assert bought.exit_code == 0, text(bought)
    assert '€25.00, awaiting payment' in text(bought)
    order = as_json(shoebox(buyer, 'orders', '--json'))['items'][0]
    assert order['status'] == 'awaiting_payment'
    sales = shoebox(seller, 'sales')
    assert order['id'] in text(sales) and 'awaiting payment' in text(sales)
    library.services.orders.mark_paid(_actor(library, seller_id), order['id'])
    assert as_json(shoebox(buyer, 'orders', '--json'))['items'][0]['status'] == 'paid'


def _actor(library: Library, user_id: int) -> Actor:
    return Actor.of(library.services.accounts.get_user(SYSTEM, user_id))


def test_cart_remove_clear_and_an_empty_checkout(library, env):
    seller_id, seller = _account(library, env)
    _buyer_id, buyer = _account(library, env)
    first, second = _public_image(library, seller_id, 511), _public_image(library, seller_id, 512)
    for image_id in (first, second):
        library.update(
            seller_id, image_id, ImageUpdate.model_validate({'price_cents': 100, 'stock': None})
        )
        shoebox(buyer, 'cart', 'add', image_id)
    removed = as_json(shoebox(buyer, 'cart', 'remove', first, '--json'))
    assert [i['image_id'] for i in removed['items']] == [second]
    assert 'your cart is empty' in text(shoebox(buyer, 'cart', 'clear'))
    empty = shoebox(buyer, 'checkout')
    assert empty.exit_code == 1 and 'empty' in text(empty)
    assert 'none yet' in text(shoebox(seller, 'sales'))


def test_price_refuses_a_private_image_and_conflicting_options(library, env):
    seller_id, seller = _account(library, env)
    private = library.add(seller_id, images.image_bytes(seed=521), 'p.jpg').id
    refused = shoebox(seller, 'price', private, '--price', '3')
    assert refused.exit_code == 1 and 'public' in text(refused)
    assert shoebox(seller, 'price', private, '--stock', '2', '--unlimited').exit_code == 2
    assert shoebox(seller, 'price', private).exit_code == 2


def test_new_ids_never_begin_with_a_dash(monkeypatch):
    """A random id starting with '-' was read as an option ("No such option: -1")."""
    from repo.db import tables

    forced = iter(['-1forcedDashFirst00000', 'Aok' + 'x' * 19])
    monkeypatch.setattr(tables.secrets, 'token_urlsafe', lambda _n: next(forced))
    assert tables.new_image_id() == 'Aok' + 'x' * 19


def test_an_old_id_beginning_with_a_dash_is_taken_after_the_double_dash(library, env):
    _buyer_id, buyer = _account(library, env)
    for args in (('cart', 'add', '--', '-1oldDash'), ('cart', 'remove', '--', '-1oldDash')):
        answer = shoebox(buyer, *args)
        assert 'No such option' not in text(answer)
        assert answer.exit_code != 2, text(answer)  # the server's answer, not a usage error
