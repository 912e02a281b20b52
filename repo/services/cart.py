"""The cart: server-side, per account, the same in the browser and the CLI. Prices are shown
as they are now; a line whose image went off sale, private or away is unavailable and not
charged."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from repo.core import policy
from repo.core.actor import Actor
from repo.core.errors import NotEnoughStock, NotFound
from repo.core.money import check_quantity
from repo.core.schemas_shop import Cart, CartLine
from repo.db.tables import utcnow
from repo.db.tables_shop import CartItem
from repo.services.images import visible_row

NOT_ON_SALE = 'This image is not on sale'


def price_lines(tx: Any, actor: Actor, rows: Sequence[CartItem]) -> list[CartLine]:
    """The cart's lines at today's prices and stock."""
    ids = [row.image_id for row in rows]
    images = {image.id: image for image in tx.images.by_ids(ids)}
    listings = tx.listings.of_images(ids)
    owners = tx.orders.usernames(sorted({i.owner_id for i in images.values()}))
    lines = []
    for row in rows:
        image, listing = images.get(row.image_id), listings.get(row.image_id)
        buyable = (
            image is not None
            and listing is not None
            and policy.can_buy(actor, image.owner_id, image.visibility, listed=True)
            and not policy.is_owner(actor, image.owner_id)
        )
        stock = listing.stock if buyable and listing is not None else None
        enough = buyable and (stock is None or stock >= row.quantity)
        unit = listing.price_cents if buyable and listing is not None else 0
        lines.append(
            CartLine(
                image_id=row.image_id,
                title=image.title if image is not None and buyable else row.title,
                quantity=row.quantity,
                unit_price_cents=unit,
                line_total_cents=unit * row.quantity if enough else 0,
                available=enough,
                stock=stock if buyable else 0,
                seller=owners.get(image.owner_id, '') if image is not None else '',
            )
        )
    return lines


class CartService:
    def __init__(self, uow: Callable[[], Any], currency: Callable[[], str]) -> None:
        self.uow = uow
        self.currency = currency

    def get(self, actor: Actor) -> Cart:
        user_id = policy.require_shopper(actor)
        with self.uow() as tx:
            return self._cart(tx, actor, user_id)

    def put(self, actor: Actor, image_id: str, quantity: int) -> Cart:
        """Set how many copies of an image are in the cart (0 removes it). 404 for what is not
        on sale or not visible, 422 for one's own image, 409 (with `available`) for more than
        the stock."""
        user_id = policy.require_shopper(actor)
        wanted = check_quantity(quantity)
        with self.uow() as tx:
            if wanted == 0:
                tx.carts.remove(user_id, image_id)
                return self._cart(tx, actor, user_id)
            image = visible_row(tx, actor, image_id)
            listing = tx.listings.get(image.id)
            if listing is None or not policy.may_be_on_sale(image.visibility):
                raise NotFound(NOT_ON_SALE)
            policy.require_not_own(actor, image.owner_id)
            if listing.stock is not None and wanted > listing.stock:
                raise NotEnoughStock(listing.stock)
            tx.carts.put(user_id, image.id, wanted, image.title, utcnow())
            return self._cart(tx, actor, user_id)

    def add(self, actor: Actor, image_id: str, quantity: int = 1) -> Cart:
        """Add copies to what the cart already has of the image."""
        user_id = policy.require_shopper(actor)
        with self.uow() as tx:
            have = {row.image_id: row.quantity for row in tx.carts.lines(user_id)}
        return self.put(actor, image_id, have.get(image_id, 0) + check_quantity(quantity))

    def remove(self, actor: Actor, image_id: str) -> None:
        """Idempotent: removing what is not in the cart changes nothing."""
        user_id = policy.require_shopper(actor)
        with self.uow() as tx:
            tx.carts.remove(user_id, image_id)

    def clear(self, actor: Actor) -> None:
        user_id = policy.require_shopper(actor)
        with self.uow() as tx:
            tx.carts.clear(user_id)

    def count(self, actor: Actor) -> int:
        """Copies in the cart (the header's badge); 0 for anonymous visitors."""
        if actor.user_id is None:
            return 0
        with self.uow() as tx:
            return sum(row.quantity for row in tx.carts.lines(actor.user_id))

    def _cart(self, tx: Any, actor: Actor, user_id: int) -> Cart:
        lines = price_lines(tx, actor, tx.carts.lines(user_id))
        return Cart(
            items=lines,
            total_cents=sum(line.line_total_cents for line in lines),
            currency=self.currency(),
        )
