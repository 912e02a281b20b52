"""Checkout: the cart becomes an order in one transaction, or nothing changes.

Every line's stock goes down by its quantity through a conditional update checked by its row
count (repo.db.repos.shop.ListingRepository.take_stock), so concurrent checkouts never
oversell; the prices are frozen into the order's lines; the cart empties. A seller's part
that costs nothing is paid at once; the rest waits for the payment provider.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from repo.core import policy
from repo.core.actor import Actor
from repo.core.errors import CheckoutRefused, Invalid
from repo.core.schemas_shop import AWAITING, PAID, Order
from repo.db.tables import new_token_id, utcnow
from repo.db.tables_shop import ShopOrder, ShopOrderLine
from repo.services.cart import price_lines
from repo.services.orders import order_public
from repo.services.payments import PaymentProvider


class CheckoutService:
    def __init__(
        self,
        uow: Callable[[], Any],
        currency: Callable[[], str],
        payments: PaymentProvider,
        on_conflict: Callable[[], None] = lambda: None,
    ) -> None:
        self.uow = uow
        self.currency = currency
        self.payments = payments
        self.on_conflict = on_conflict  # counted in /metrics (shoebox_checkout_conflicts)

    def checkout(self, actor: Actor) -> Order:
        """The cart -> an order (see _checkout); each refusal for stock is counted."""
        try:
            return self._checkout(actor)
        except CheckoutRefused:
            self.on_conflict()
            raise

    def _checkout(self, actor: Actor) -> Order:
        """The cart -> an order. CheckoutRefused (409, with the lines) when any line lacks
        stock or is unavailable; Invalid (422) for an empty cart."""
        buyer_id = policy.require_shopper(actor)
        with self.uow() as tx:
            tx.begin_write()  # read the cart and take stock as one writer (SQLite)
            rows = tx.carts.lines(buyer_id)
            if not rows:
                raise Invalid('Your cart is empty')
            lines = price_lines(tx, actor, rows)
            short: list[tuple[str, int, int]] = []
            for line in lines:
                if not line.available:  # gone, private, off sale, or not enough left
                    short.append((line.image_id, line.quantity, line.stock or 0))
                elif not tx.listings.take_stock(line.image_id, line.quantity):
                    short.append((line.image_id, line.quantity, tx.listings.left(line.image_id)))
            if short:
                raise CheckoutRefused(short)  # the rollback puts back what was taken
            images = {i.id: i for i in tx.images.by_ids([line.image_id for line in lines])}
            seller_total: dict[int, int] = {}
            for line in lines:
                owner = images[line.image_id].owner_id
                seller_total[owner] = seller_total.get(owner, 0) + line.line_total_cents
            buyer = tx.users.get(buyer_id)
            order = ShopOrder(
                id=new_token_id(12),
                buyer_id=buyer_id,
                buyer_name=buyer.username if buyer else '',
                currency=self.currency(),
                total_cents=sum(line.line_total_cents for line in lines),
                provider=self.payments.name,
                created_at=utcnow(),
            )
            order_lines = [
                ShopOrderLine(
                    order_id=order.id,
                    image_id=line.image_id,
                    seller_id=images[line.image_id].owner_id,
                    seller_name=line.seller,
                    title=line.title,
                    quantity=line.quantity,
                    unit_price_cents=line.unit_price_cents,
                    counted=line.stock is not None,  # limited stock: returned on cancel
                    status=PAID if seller_total[images[line.image_id].owner_id] == 0 else AWAITING,
                )
                for line in lines
            ]
            tx.orders.add(order, order_lines)
            tx.carts.clear(buyer_id)
            placed = order_public(tx, order, order_lines)
        if placed.status == AWAITING:
            start = self.payments.begin(placed)
            placed.payment_instructions = start.instructions
            placed.payment_url = start.redirect_url
            if start.reference:
                with self.uow() as tx:
                    tx.orders.set_reference(order.id, start.reference)
        return placed
