"""What is on sale: the price and stock an owner sets on an image (in `ImageService.update`'s
transaction), and the rule that only public images are sold."""

from __future__ import annotations

from typing import Any

from repo.core import policy
from repo.core.errors import Invalid
from repo.core.money import check_price, check_stock
from repo.core.schemas import ImageUpdate
from repo.db.tables import Image, utcnow

SALE_FIELDS = frozenset({'price_cents', 'stock'})
PRIVATE_NOT_FOR_SALE = (
    'Only public images can be on sale: make the image public first (buyers must be able to '
    'see what they pay for)'
)


def apply_sale(tx: Any, image: Image, changes: ImageUpdate) -> None:
    """After the other changes of an update: put the image on sale, change its price or stock,
    or take it off sale. An image that is (now) private goes off sale and out of every cart."""
    given = changes.model_fields_set & SALE_FIELDS
    listing = tx.listings.get(image.id)
    if not policy.may_be_on_sale(image.visibility):
        if given and changes.price_cents is not None:
            raise Invalid(PRIVATE_NOT_FOR_SALE)
        if given and 'stock' in given and changes.stock is not None and listing is None:
            raise Invalid(PRIVATE_NOT_FOR_SALE)
        if listing is not None:
            tx.listings.remove(image.id)
            tx.carts.remove_image_everywhere(image.id)
        return
    if not given:
        return
    if 'price_cents' in given and changes.price_cents is None:
        if listing is not None:
            tx.listings.remove(image.id)
        return
    price = check_price(changes.price_cents) if 'price_cents' in given else None
    if price is None:
        if listing is None:
            raise Invalid('Set "price_cents" to put the image on sale before giving a stock')
        price = listing.price_cents
    if 'stock' in given:
        stock = check_stock(changes.stock)
    else:
        stock = listing.stock if listing is not None else None
    tx.listings.put(image.id, price, stock, utcnow())
