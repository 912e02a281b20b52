"""Orders (the buyer's side) and sales (the seller's): reading them, settling them (paid,
cancelled with the stock returned) and the paid original's download.

Each seller takes payment for their own lines of an order; the order's status follows from
its lines: cancelled when all are, awaiting payment while any is, else paid.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from repo.blobs.store import BlobStore, original_key
from repo.core import policy
from repo.core.actor import Actor
from repo.core.errors import Conflict, ImageNotFound, NotFound
from repo.core.schemas_shop import AWAITING, CANCELLED, PAID, Order, OrderLine, Sale
from repo.db.tables import utcnow
from repo.db.tables_shop import ShopOrder, ShopOrderLine
from repo.services.images import MEDIA_TYPES, BlobFile
from repo.services.payments import PaymentConfirmation

ORDER_NOT_FOUND = 'Order not found'


def status_of(statuses: Sequence[str]) -> str:
    if statuses and all(s == CANCELLED for s in statuses):
        return CANCELLED
    if any(s == AWAITING for s in statuses):
        return AWAITING
    return PAID


def line_public(line: ShopOrderLine, existing: set[str]) -> OrderLine:
    gone = line.image_id not in existing
    return OrderLine(
        image_id=line.image_id,
        title=line.title,
        quantity=line.quantity,
        unit_price_cents=line.unit_price_cents,
        line_total_cents=line.unit_price_cents * line.quantity,
        seller=line.seller_name if line.seller_id is not None else '',
        status=line.status,  # type: ignore[arg-type]
        image_gone=gone,
        downloadable=line.status == PAID and not gone,
    )


def order_public(tx: Any, order: ShopOrder, lines: list[ShopOrderLine]) -> Order:
    existing = tx.orders.existing_images([line.image_id for line in lines])
    items = [line_public(line, existing) for line in lines]
    return Order(
        id=order.id,
        status=status_of([line.status for line in lines]),  # type: ignore[arg-type]
        items=items,
        total_cents=order.total_cents,
        currency=order.currency,
        created_at=order.created_at,
        buyer=order.buyer_name if order.buyer_id is not None else '',
    )


def sale_public(tx: Any, order: ShopOrder, lines: list[ShopOrderLine]) -> Sale:
    full = order_public(tx, order, lines)
    return Sale(
        order_id=order.id,
        buyer=full.buyer,
        status=full.status,
        items=full.items,
        total_cents=sum(item.line_total_cents for item in full.items),
        currency=order.currency,
        created_at=order.created_at,
    )


class OrderService:
    def __init__(self, uow: Callable[[], Any], blobs: BlobStore) -> None:
        self.uow = uow
        self.blobs = blobs

    # ---- the buyer's ----------------------------------------------------------------------

    def list_orders(self, actor: Actor) -> list[Order]:
        buyer_id = policy.require_shopper(actor)
        with self.uow() as tx:
            orders = tx.orders.of_buyer(buyer_id)
            lines = tx.orders.lines([o.id for o in orders])
            return [order_public(tx, o, lines[o.id]) for o in orders]

    def get_order(self, actor: Actor, order_id: str) -> Order:
        with self.uow() as tx:
            order = self._own_order(tx, actor, order_id)
            return order_public(tx, order, tx.orders.lines([order.id])[order.id])

    def open_purchased(self, actor: Actor, order_id: str, image_id: str) -> BlobFile:
        """The original of an image in a paid order, for its buyer: even where the seller does
        not allow downloads and after it went off sale, not once the seller deleted it."""
        with self.uow() as tx:
            order = self._own_order(tx, actor, order_id)
            line = tx.orders.paid_line(order.id, image_id)
            image = tx.images.get(image_id) if line is not None else None
        if line is None or image is None:
            raise ImageNotFound()
        key = original_key(image.sha256)
        stat = self.blobs.stat(key)
        if stat is None:
            raise ImageNotFound()
        return BlobFile(
            store=self.blobs,
            key=key,
            media_type=MEDIA_TYPES.get(image.format, 'application/octet-stream'),
            etag=f'"{image.sha256[:32]}-o"',
            size=stat.size,
            download_name=image.filename,
            private=True,
        )

    # ---- the seller's ---------------------------------------------------------------------

    def list_sales(self, actor: Actor) -> list[Sale]:
        seller_id = policy.require_shopper(actor)
        with self.uow() as tx:
            orders = tx.orders.of_seller(seller_id)
            lines = tx.orders.lines([o.id for o in orders])
            return [
                sale_public(tx, o, [x for x in lines[o.id] if x.seller_id == seller_id])
                for o in orders
            ]

    def mark_paid(self, actor: Actor, order_id: str) -> Sale:
        return self._settle(actor, order_id, PAID)

    def cancel(self, actor: Actor, order_id: str) -> Sale:
        """Cancel the seller's part of an order that is not paid; its copies go back on sale."""
        return self._settle(actor, order_id, CANCELLED)

    def _settle(self, actor: Actor, order_id: str, status: str) -> Sale:
        seller_id = policy.require_shopper(actor)
        with self.uow() as tx:
            tx.begin_write()
            order = tx.orders.get(order_id)
            mine = [] if order is None else tx.orders.lines([order.id])[order.id]
            mine = [line for line in mine if line.seller_id == seller_id]
            if order is None or not mine:
                raise NotFound(ORDER_NOT_FOUND)
            waiting = [line for line in mine if line.status == AWAITING]
            if not tx.orders.settle(order.id, seller_id, status, utcnow()):
                now = status_of([line.status for line in mine])
                raise Conflict(f'This order is already {now.replace("_", " ")}')
            if status == CANCELLED:
                for line in waiting:
                    if line.counted:
                        tx.listings.return_stock(line.image_id, line.quantity)
            mine = [x for x in tx.orders.lines([order.id])[order.id] if x.seller_id == seller_id]
            return sale_public(tx, order, mine)

    # ---- a hosted payment provider's confirmation ---------------------------------------

    def payment_confirmed(self, provider: str, confirmation: PaymentConfirmation) -> bool:
        """A verified webhook (the provider's `confirm`) says an order is paid, or that its
        payment failed (then it is cancelled and its copies go back on sale). Idempotent:
        False when the order is unknown or already settled."""
        with self.uow() as tx:
            tx.begin_write()
            order = tx.orders.by_reference(provider, confirmation.reference)
            if order is None:
                return False
            waiting = [x for x in tx.orders.lines([order.id])[order.id] if x.status == AWAITING]
            status = PAID if confirmation.paid else CANCELLED
            if not tx.orders.settle_all(order.id, status, utcnow()):
                return False
            if status == CANCELLED:
                for line in waiting:
                    if line.counted:
                        tx.listings.return_stock(line.image_id, line.quantity)
            return True

    @staticmethod
    def _own_order(tx: Any, actor: Actor, order_id: str) -> ShopOrder:
        buyer_id = policy.require_shopper(actor)
        order = tx.orders.get(order_id)
        if order is None or order.buyer_id != buyer_id:
            raise NotFound(ORDER_NOT_FOUND)
        return order
