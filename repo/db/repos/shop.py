"""Queries of the shop: listings (price, stock), carts, orders and their lines.

The stock rule lives here: `take_stock` is one conditional UPDATE checked by its row count, so
two checkouts racing for the last copy cannot both win, on SQLite and Postgres alike (the
CHECK constraint on `listing.stock` backs it).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from repo.db import dialect
from repo.db.tables import Image, User
from repo.db.tables_shop import CartItem, Listing, ShopOrder, ShopOrderLine


class ListingRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, image_id: str) -> Listing | None:
        return self.session.get(Listing, image_id)

    def of_images(self, image_ids: Sequence[str]) -> dict[str, Listing]:
        if not image_ids:
            return {}
        rows = self.session.exec(select(Listing).where(col(Listing.image_id).in_(image_ids)))
        return {row.image_id: row for row in rows}

    def put(self, image_id: str, price_cents: int, stock: int | None, now: datetime) -> None:
        dialect.upsert(
            self.session.connection(),
            Listing,
            ['image_id'],
            {'image_id': image_id, 'price_cents': price_cents, 'stock': stock, 'updated_at': now},
        )
        self.session.expire_all()

    def remove(self, image_id: str) -> None:
        self.session.exec(delete(Listing).where(col(Listing.image_id) == image_id))

    def take_stock(self, image_id: str, quantity: int) -> bool:
        """Take `quantity` copies if that many are left (unlimited stock always has them).
        One conditional statement: False when another checkout took them first."""
        limited = self.session.exec(
            update(Listing)
            .where(
                col(Listing.image_id) == image_id,
                col(Listing.stock).is_not(None),
                col(Listing.stock) >= quantity,
            )
            .values(stock=col(Listing.stock) - quantity)
        )
        if limited.rowcount == 1:
            return True
        unlimited = self.session.exec(
            select(Listing.image_id).where(
                col(Listing.image_id) == image_id, col(Listing.stock).is_(None)
            )
        ).first()
        return unlimited is not None

    def left(self, image_id: str) -> int:
        """Copies left now, read from the row as committed (0 when not on sale)."""
        stock = self.session.exec(
            select(Listing.stock).where(col(Listing.image_id) == image_id)
        ).first()
        return stock or 0

    def return_stock(self, image_id: str, quantity: int) -> None:
        """Copies of a cancelled order go back on sale (if the image still is)."""
        self.session.exec(
            update(Listing)
            .where(col(Listing.image_id) == image_id, col(Listing.stock).is_not(None))
            .values(stock=col(Listing.stock) + quantity)
        )


class CartRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def lines(self, user_id: int) -> list[CartItem]:
        query = (
            select(CartItem)
            .where(col(CartItem.user_id) == user_id)
            .order_by(col(CartItem.added_at), col(CartItem.image_id))
        )
        return list(self.session.exec(query))

    def put(self, user_id: int, image_id: str, quantity: int, title: str, now: datetime) -> None:
        row = self.session.get(CartItem, (user_id, image_id))
        if row is None:
            self.session.add(CartItem(user_id=user_id, image_id=image_id, quantity=quantity,
                                      title=title, added_at=now))  # fmt: skip
        else:
            row.quantity, row.title = quantity, title
            self.session.add(row)
        self.session.flush()

    def remove(self, user_id: int, image_id: str) -> bool:
        result = self.session.exec(
            delete(CartItem).where(
                col(CartItem.user_id) == user_id, col(CartItem.image_id) == image_id
            )
        )
        return result.rowcount > 0

    def clear(self, user_id: int) -> None:
        self.session.exec(delete(CartItem).where(col(CartItem.user_id) == user_id))

    def remove_image_everywhere(self, image_id: str) -> None:
        """An image went private: out of every cart."""
        self.session.exec(delete(CartItem).where(col(CartItem.image_id) == image_id))


class OrderRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, order: ShopOrder, lines: Sequence[ShopOrderLine]) -> None:
        self.session.add(order)
        self.session.flush()
        for line in lines:
            self.session.add(line)
        self.session.flush()

    def get(self, order_id: object) -> ShopOrder | None:
        if not isinstance(order_id, str) or not order_id:
            return None
        return self.session.get(ShopOrder, order_id)

    def lines(self, order_ids: Sequence[str]) -> dict[str, list[ShopOrderLine]]:
        found: dict[str, list[ShopOrderLine]] = {i: [] for i in order_ids}
        if not order_ids:
            return found
        query = (
            select(ShopOrderLine)
            .where(col(ShopOrderLine.order_id).in_(order_ids))
            .order_by(col(ShopOrderLine.id))
        )
        for line in self.session.exec(query):
            found[line.order_id].append(line)
        return found

    def of_buyer(self, buyer_id: int, limit: int = 200) -> list[ShopOrder]:
        query = (
            select(ShopOrder)
            .where(col(ShopOrder.buyer_id) == buyer_id)
            .order_by(col(ShopOrder.created_at).desc(), col(ShopOrder.id))
            .limit(limit)
        )
        return list(self.session.exec(query))

    def of_seller(self, seller_id: int, limit: int = 200) -> list[ShopOrder]:
        sold = select(ShopOrderLine.order_id).where(col(ShopOrderLine.seller_id) == seller_id)
        query = (
            select(ShopOrder)
            .where(col(ShopOrder.id).in_(sold))
            .order_by(col(ShopOrder.created_at).desc(), col(ShopOrder.id))
            .limit(limit)
        )
        return list(self.session.exec(query))

    def settle(self, order_id: str, seller_id: int, status: str, now: datetime) -> int:
        """Move the seller's awaiting lines of the order to `status`; how many moved. A
        conditional update: marking paid and cancelling at the same moment cannot both win."""
        result = self.session.exec(
            update(ShopOrderLine)
            .where(
                col(ShopOrderLine.order_id) == order_id,
                col(ShopOrderLine.seller_id) == seller_id,
                col(ShopOrderLine.status) == 'awaiting_payment',
            )
            .values(status=status, updated_at=now)
        )
        self.session.expire_all()
        return result.rowcount

    def by_reference(self, provider: str, reference: str) -> ShopOrder | None:
        query = select(ShopOrder).where(
            col(ShopOrder.provider) == provider, col(ShopOrder.provider_ref) == reference
        )
        return self.session.exec(query).first()

    def settle_all(self, order_id: str, status: str, now: datetime) -> int:
        """Every awaiting line of the order (a provider confirmed the whole payment)."""
        result = self.session.exec(
            update(ShopOrderLine)
            .where(
                col(ShopOrderLine.order_id) == order_id,
                col(ShopOrderLine.status) == 'awaiting_payment',
            )
            .values(status=status, updated_at=now)
        )
        self.session.expire_all()
        return result.rowcount

    def set_reference(self, order_id: str, reference: str) -> None:
        self.session.exec(
            update(ShopOrder).where(col(ShopOrder.id) == order_id).values(provider_ref=reference)
        )

    def paid_line(self, order_id: str, image_id: str) -> ShopOrderLine | None:
        query = select(ShopOrderLine).where(
            col(ShopOrderLine.order_id) == order_id,
            col(ShopOrderLine.image_id) == image_id,
            col(ShopOrderLine.status) == 'paid',
        )
        return self.session.exec(query).first()

    def has_bought(self, buyer_id: int, image_id: str) -> bool:
        query = (
            select(ShopOrderLine.id)
            .join(ShopOrder, col(ShopOrder.id) == col(ShopOrderLine.order_id))
            .where(
                col(ShopOrder.buyer_id) == buyer_id,
                col(ShopOrderLine.image_id) == image_id,
                col(ShopOrderLine.status) == 'paid',
            )
            .limit(1)
        )
        return self.session.exec(query).first() is not None

    def existing_images(self, image_ids: Sequence[str]) -> set[str]:
        if not image_ids:
            return set()
        return set(self.session.exec(select(Image.id).where(col(Image.id).in_(image_ids))))

    def usernames(self, user_ids: Sequence[int]) -> dict[int, str]:
        if not user_ids:
            return {}
        rows = self.session.exec(select(User.id, User.username).where(col(User.id).in_(user_ids)))
        return {user_id: name for user_id, name in rows if user_id is not None}
