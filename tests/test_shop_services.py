"""The shop's domain: checkout never oversells (threads, and two processes on one database),
the stock's CHECK constraint, money arithmetic, and accounts that go."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from repo.config import Settings
from repo.container import Services, build
from repo.core.actor import SYSTEM, Actor
from repo.core.errors import CheckoutRefused, Invalid, NotFound
from repo.core.money import format_money, parse_amount
from repo.core.schemas import ImageUpdate
from repo.db.tables_shop import Listing
from tests import images
from tests.conftest import PASSWORD

BUYERS = 12
LAST_COPIES = 5


@pytest.fixture
def services(pool, fast_hasher, settings: Settings) -> Iterator[Services]:
    built = build(settings, executor=pool, password_hasher=fast_hasher, background=False)
    yield built
    built.close()


def account(services: Services, name: str) -> Actor:
    return Actor.of(services.accounts.create_user(SYSTEM, name, PASSWORD))


def on_sale(services: Services, seller: Actor, price: int, stock: int | None, seed: int) -> str:
    image = services.ingest.add(
        seller, images.image_bytes(seed=seed), f'{seed}.jpg', visibility='public'
    )
    changes = ImageUpdate.model_validate({'price_cents': price, 'stock': stock})
    services.images.update(seller, image.id, changes)
    return image.id


def buyers_with_one_copy_each(services: Services, image_id: str, count: int) -> list[Actor]:
    buyers = [account(services, f'buyer{n}') for n in range(count)]
    for buyer in buyers:
        services.cart.put(buyer, image_id, 1)
    return buyers


def test_a_dozen_threads_checking_out_the_last_five_copies_give_five_orders(services):
    seller = account(services, 'seller')
    image_id = on_sale(services, seller, 700, LAST_COPIES, seed=1)
    buyers = buyers_with_one_copy_each(services, image_id, BUYERS)
    start = threading.Barrier(BUYERS)
    outcomes: list[str] = []

    def buy(buyer: Actor) -> None:
        start.wait()
        try:
            services.checkout.checkout(buyer)
            outcomes.append('order')
        except CheckoutRefused:
            outcomes.append('refused')

    threads = [threading.Thread(target=buy, args=(b,)) for b in buyers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count('order') == LAST_COPIES
    assert outcomes.count('refused') == BUYERS - LAST_COPIES
    assert services.images.get(seller, image_id).stock == 0
    assert sum(len(services.orders.list_orders(b)) for b in buyers) == LAST_COPIES
    assert len(services.orders.list_sales(seller)) == LAST_COPIES


def _checkout_in_another_process(data_dir: str, names: list[str], go, results) -> None:  # type: ignore[no-untyped-def]
    """One 'process' of Shoebox: its own container on the same data folder, a thread per buyer."""
    services = build(Settings(data_dir=Path(data_dir)), background=False)
    actors = [Actor.of(services.accounts.find_user(SYSTEM, name)) for name in names]
    ready = threading.Barrier(len(actors))

    def buy(buyer: Actor) -> None:
        ready.wait()
        go.wait()
        try:
            services.checkout.checkout(buyer)
            results.put('order')
        except CheckoutRefused:
            results.put('refused')

    threads = [threading.Thread(target=buy, args=(a,)) for a in actors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    services.close()


def test_two_processes_checking_out_the_last_five_copies_give_five_orders(services, settings):
    seller = account(services, 'seller')
    image_id = on_sale(services, seller, 700, LAST_COPIES, seed=2)
    buyers = buyers_with_one_copy_each(services, image_id, BUYERS)
    names = [b.username for b in buyers]
    context = multiprocessing.get_context('spawn')
    go, results = context.Event(), context.Queue()
    halves = [names[: BUYERS // 2], names[BUYERS // 2 :]]
    processes = [
        context.Process(
            target=_checkout_in_another_process, args=(str(settings.data_dir), half, go, results)
        )
        for half in halves
    ]
    for process in processes:
        process.start()
    go.set()
    outcomes = [results.get(timeout=120) for _ in range(BUYERS)]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    assert outcomes.count('order') == LAST_COPIES
    assert services.images.get(seller, image_id).stock == 0
    assert sum(len(services.orders.list_orders(b)) for b in buyers) == LAST_COPIES


def test_the_database_refuses_a_negative_stock(services):
    seller = account(services, 'seller')
    image_id = on_sale(services, seller, 100, 1, seed=3)
    with pytest.raises(IntegrityError), services.uow() as tx:
        tx.session.exec(
            update(Listing).where(Listing.image_id == image_id).values(stock=Listing.stock - 2)
        )
    assert services.images.get(seller, image_id).stock == 1


def test_money_is_whole_minor_units_and_text_only_at_the_edges():
    assert parse_amount('12.50', 'EUR') == 1250
    assert parse_amount('12,5', 'EUR') == 1250
    assert parse_amount('0.10', 'EUR') + parse_amount('0.20', 'EUR') == 30  # no float drift
    assert parse_amount('500', 'JPY') == 500
    with pytest.raises(Invalid):
        parse_amount('1.005', 'EUR')
    with pytest.raises(Invalid):
        parse_amount('5.5', 'JPY')
    with pytest.raises(Invalid):
        parse_amount('-1', 'EUR')
    assert format_money(1250, 'EUR') == '€12.50'
    assert format_money(123456789, 'USD') == '$1,234,567.89'
    assert format_money(5, 'EUR') == '€0.05'
    assert format_money(500, 'JPY') == '¥500'
    assert format_money(1999, 'CHF') == 'CHF 19.99'


def test_odd_quantities_at_odd_prices_add_up_exactly(services):
    seller, buyer = account(services, 'seller'), account(services, 'buyer')
    prices = [1, 333, 999, 1001, 12345]
    ids = [on_sale(services, seller, p, None, seed=10 + n) for n, p in enumerate(prices)]
    for quantity, image_id in zip((7, 3, 11, 1, 9), ids, strict=True):
        services.cart.put(buyer, image_id, quantity)
    expected = 7 * 1 + 3 * 333 + 11 * 999 + 1 * 1001 + 9 * 12345
    assert services.cart.get(buyer).total_cents == expected
    order = services.checkout.checkout(buyer)
    assert order.total_cents == expected == sum(i.line_total_cents for i in order.items)


def test_deleting_an_account_keeps_orders_for_the_other_party(services):
    admin = account(services, 'margaret')  # the first account: an administrator
    seller, buyer = account(services, 'seller'), account(services, 'buyer')
    sold = on_sale(services, seller, 500, 3, seed=20)
    services.cart.put(buyer, sold, 1)
    order = services.checkout.checkout(buyer)
    other = on_sale(services, seller, 200, None, seed=21)
    services.cart.put(buyer, other, 1)
    services.accounts.delete_user(admin, seller.user_id)  # type: ignore[arg-type]
    kept = services.orders.get_order(buyer, order.id)
    assert kept.items[0].image_gone and kept.items[0].seller == ''
    assert kept.items[0].unit_price_cents == 500
    line = services.cart.get(buyer).items[0]
    assert (line.image_id, line.available, line.line_total_cents) == (other, False, 0)
    late = account(services, 'late')
    keeper = on_sale(services, late, 300, None, seed=22)
    services.cart.put(buyer, keeper, 2)
    services.cart.remove(buyer, other)
    order2 = services.checkout.checkout(buyer)
    services.accounts.delete_user(admin, buyer.user_id)  # type: ignore[arg-type]
    sale = services.orders.list_sales(late)
    assert [(s.order_id, s.buyer, s.total_cents) for s in sale] == [(order2.id, '', 600)]
    with services.uow() as tx:
        assert tx.carts.lines(buyer.user_id) == []  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        services.orders.get_order(late, order2.id)


def test_watermarked_previews_for_everyone_but_the_owner_and_buyers(
    pool, fast_hasher, settings: Settings
) -> None:
    marked = build(settings.with_(watermark=True), executor=pool, password_hasher=fast_hasher,
                   background=False)  # fmt: skip
    try:
        seller, buyer = account(marked, 'seller'), account(marked, 'buyer')
        stranger = account(marked, 'stranger')
        image = marked.ingest.add(
            seller, images.image_bytes(seed=30, size=(400, 300)), 'a.jpg', visibility='public'
        )

        def preview(actor: Actor) -> bytes:
            return marked.images.open_file(actor, image.id, 'preview').read()

        plain = preview(seller)
        assert preview(stranger) == plain  # not on sale: no watermark
        marked.images.update(seller, image.id, ImageUpdate.model_validate({'price_cents': 0}))
        assert preview(seller) == plain
        with_mark = marked.images.open_file(stranger, image.id, 'preview')
        assert with_mark.read() != plain and with_mark.private
        assert preview(Actor()) == with_mark.read()  # anonymous visitors too
        original = marked.images.open_file(seller, image.id, 'original').read()
        marked.cart.put(buyer, image.id, 1)
        order = marked.checkout.checkout(buyer)  # free: paid at once
        assert preview(buyer) == plain
        bought = marked.orders.open_purchased(buyer, order.id, image.id).read()
        assert bought == original  # the original is never watermarked
    finally:
        marked.close()


def test_without_the_setting_previews_are_never_marked(services):
    seller, stranger = account(services, 'seller'), account(services, 'stranger')
    image_id = on_sale(services, seller, 100, None, seed=31)
    own = services.images.open_file(seller, image_id, 'preview').read()
    assert services.images.open_file(stranger, image_id, 'preview').read() == own


class HostedCheckout:
    """A hosted provider as the port expects one (Stripe Checkout style), without the network:
    a reference and a redirect at checkout, then a signed webhook."""

    name = 'hosted'

    def __init__(self) -> None:
        self.started: list[str] = []

    def begin(self, order):  # type: ignore[no-untyped-def]
        from repo.services.payments import PaymentStart

        self.started.append(order.id)
        return PaymentStart(
            reference=f'cs_{order.id}', redirect_url=f'https://pay.example/{order.id}'
        )

    def confirm(self, payload: bytes, headers: dict[str, str]):  # type: ignore[no-untyped-def]
        from repo.services.payments import PaymentConfirmation

        if headers.get('signature') != 'good':
            return None
        reference, _, outcome = payload.decode().partition(':')
        return PaymentConfirmation(reference, paid=outcome == 'paid')


def test_a_hosted_provider_plugs_into_the_port_without_touching_the_domain(services):
    hosted = HostedCheckout()
    services.__dict__['payments'] = hosted  # before checkout is first built
    seller, buyer = account(services, 'seller'), account(services, 'buyer')
    first = on_sale(services, seller, 900, 4, seed=40)
    services.cart.put(buyer, first, 2)
    order = services.checkout.checkout(buyer)
    assert order.payment_url == f'https://pay.example/{order.id}' and hosted.started == [order.id]
    assert hosted.confirm(f'cs_{order.id}:paid'.encode(), {'signature': 'forged'}) is None
    confirmed = hosted.confirm(f'cs_{order.id}:paid'.encode(), {'signature': 'good'})
    assert services.orders.payment_confirmed(hosted.name, confirmed)
    assert not services.orders.payment_confirmed(hosted.name, confirmed)  # once only
    assert services.orders.get_order(buyer, order.id).status == 'paid'
    services.cart.put(buyer, first, 2)
    failed = services.checkout.checkout(buyer)
    assert services.images.get(seller, first).stock == 0
    gone = hosted.confirm(f'cs_{failed.id}:failed'.encode(), {'signature': 'good'})
    assert services.orders.payment_confirmed(hosted.name, gone)
    assert services.orders.get_order(buyer, failed.id).status == 'cancelled'
    assert services.images.get(seller, first).stock == 2


def test_the_currency_setting():
    assert Settings.from_env({'SHOEBOX_CURRENCY': 'usd'}).currency == 'USD'
    assert Settings.from_env({}).currency == 'EUR'
    assert Settings.from_env({'SHOEBOX_WATERMARK': 'true'}).watermark is True
    with pytest.raises(ValueError, match='SHOEBOX_CURRENCY'):
        Settings.from_env({'SHOEBOX_CURRENCY': 'euro'})
