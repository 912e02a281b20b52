"""The shop's public shapes: cart, orders, sales. Amounts in minor units (integers)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

OrderStatus = Literal['awaiting_payment', 'paid', 'cancelled']
AWAITING: OrderStatus = 'awaiting_payment'
PAID: OrderStatus = 'paid'
CANCELLED: OrderStatus = 'cancelled'


class CartLine(BaseModel):
    image_id: str
    title: str
    quantity: int
    unit_price_cents: int  # the price now (0 when the line is unavailable)
    line_total_cents: int  # 0 when unavailable: not charged
    available: bool  # on sale, public, still there, with enough stock
    stock: int | None = None  # copies left now; None: unlimited
    seller: str = ''


class Cart(BaseModel):
    items: list[CartLine]
    total_cents: int
    currency: str

    @property
    def count(self) -> int:
        return sum(line.quantity for line in self.items)


class ShortLine(BaseModel):
    """Why a checkout (or a cart change) was refused for one image."""

    image_id: str
    requested: int
    available: int


class OrderLine(BaseModel):
    image_id: str
    title: str
    quantity: int
    unit_price_cents: int
    line_total_cents: int
    seller: str  # '' once the seller's account is gone
    status: OrderStatus  # each seller takes payment for their own lines
    image_gone: bool = False  # the seller deleted the image (or their account)
    downloadable: bool = False  # paid, and the image is still there


class Order(BaseModel):
    id: str
    status: OrderStatus
    items: list[OrderLine]
    total_cents: int
    currency: str
    created_at: datetime
    buyer: str = ''  # '' once the buyer's account is gone
    payment_instructions: str = ''
    payment_url: str | None = None  # a hosted checkout to send the buyer to, after checkout


class Sale(BaseModel):
    """One seller's part of an order."""

    order_id: str
    buyer: str
    status: OrderStatus
    items: list[OrderLine]
    total_cents: int
    currency: str
    created_at: datetime
