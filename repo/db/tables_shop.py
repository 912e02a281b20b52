"""Tables of the shop: what is on sale (listing), carts, orders and their lines.

Imported at the end of repo/db/tables.py so that SQLModel.metadata has them. Amounts are
integers in minor units. The CHECK constraints are the last line against an oversell: a
decrement below zero fails even if a conditional update were ever forgotten.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, CheckConstraint, Column, ForeignKey, Index, Integer, String
from sqlmodel import Field, SQLModel


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Listing(SQLModel, table=True):
    """An image on sale: its price and the copies left (None: unlimited, a digital copy)."""

    __table_args__ = (
        CheckConstraint('price_cents >= 0', name='ck_listing_price'),
        CheckConstraint('stock IS NULL OR stock >= 0', name='ck_listing_stock'),
    )

    image_id: str = Field(
        sa_column=Column(String, ForeignKey('image.id', ondelete='CASCADE'), primary_key=True)
    )
    price_cents: int = Field(sa_column=Column(BigInteger, nullable=False))
    stock: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    updated_at: datetime = Field(default_factory=_utcnow)


class CartItem(SQLModel, table=True):
    """A line of an account's cart. No foreign key to the image: a line whose image went
    stays, shown as unavailable, until its owner removes it."""

    __table_args__ = (CheckConstraint('quantity > 0', name='ck_cartitem_quantity'),)

    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey('user.id', ondelete='CASCADE'), primary_key=True)
    )
    image_id: str = Field(sa_column=Column(String, primary_key=True))
    quantity: int
    title: str = ''  # as last seen, for a line whose image is gone
    added_at: datetime = Field(default_factory=_utcnow)


class ShopOrder(SQLModel, table=True):
    """A checkout. Kept for the other party when the buyer's or a seller's account goes."""

    __table_args__ = (Index('ix_shoporder_buyer_created', 'buyer_id', 'created_at'),)

    id: str = Field(primary_key=True)
    buyer_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey('user.id', ondelete='SET NULL'), nullable=True),
    )
    buyer_name: str
    currency: str
    total_cents: int = Field(sa_column=Column(BigInteger, nullable=False))
    provider: str = 'offline'
    provider_ref: str = ''
    created_at: datetime = Field(default_factory=_utcnow)


class ShopOrderLine(SQLModel, table=True):
    """One image of an order, its price frozen. Each seller takes payment for their own lines:
    `status` is awaiting_payment, paid or cancelled."""

    __table_args__ = (
        CheckConstraint('quantity > 0', name='ck_shoporderline_quantity'),
        CheckConstraint('unit_price_cents >= 0', name='ck_shoporderline_price'),
        Index('ix_shoporderline_seller', 'seller_id', 'order_id'),
    )

    id: int | None = Field(default=None, primary_key=True)
    order_id: str = Field(
        sa_column=Column(
            String, ForeignKey('shoporder.id', ondelete='CASCADE'), nullable=False, index=True
        )
    )
    image_id: str = Field(sa_column=Column(String, nullable=False, index=True))
    seller_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey('user.id', ondelete='SET NULL'), nullable=True),
    )
    seller_name: str
    title: str
    quantity: int
    unit_price_cents: int = Field(sa_column=Column(BigInteger, nullable=False))
    counted: bool = False  # stock was taken for it (returned on cancel)
    status: str = 'awaiting_payment'
    updated_at: datetime = Field(default_factory=_utcnow)
