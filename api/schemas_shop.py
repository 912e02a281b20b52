"""The JSON shapes of the shop: cart, checkout, orders and sales. Amounts are integers in
minor units of `currency` (ISO 4217), never floats."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictInt

from repo.core.money import MAX_QUANTITY
from repo.core.schemas_shop import Cart, Order, Sale

StatusName = Literal['awaiting_payment', 'paid', 'cancelled']


def _whole(value: object) -> object:
    """JSON's 27.0 is the integer 27 (as JSON Schema says); 27.5, "27" and true are not."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


WholeNumber = Annotated[StrictInt, BeforeValidator(_whole)]


class CartItemIn(BaseModel):
    model_config = ConfigDict(extra='ignore')

    quantity: WholeNumber = Field(
        ge=0, le=MAX_QUANTITY, description='Copies wanted, 0 to 1000; 0 removes the line'
    )


class CartLineOut(BaseModel):
    image_id: str
    title: str
    quantity: int
    unit_price_cents: int = Field(description='The price now (0 for an unavailable line)')
    line_total_cents: int = Field(description='quantity x unit price; 0 when unavailable')
    available: bool = Field(
        description='On sale, public, still there and with enough stock; an unavailable '
        'line is not charged and blocks the checkout until removed or lowered'
    )
    stock: int | None = Field(None, description='Copies left now; null: unlimited')
    seller: str = ''


class CartOut(BaseModel):
    items: list[CartLineOut]
    total_cents: int
    currency: str = Field(examples=['EUR'])

    @classmethod
    def of(cls, cart: Cart) -> CartOut:
        return cls.model_validate(cart.model_dump())


class OrderLineOut(BaseModel):
    image_id: str
    title: str = Field(description='As it was at checkout')
    quantity: int
    unit_price_cents: int = Field(description='Frozen at checkout')
    line_total_cents: int
    seller: str = Field(description="The seller's username ('' once the account is gone)")
    status: StatusName = Field(description="This line's payment: each seller settles theirs")
    image_gone: bool = Field(description='The seller deleted the image (or their account)')
    downloadable: bool = Field(description='Paid and still there: the original can be fetched')


class OrderOut(BaseModel):
    id: str
    status: StatusName = Field(
        description='awaiting_payment while any seller waits for payment; paid when every '
        'line that is not cancelled is paid; cancelled when all are'
    )
    items: list[OrderLineOut]
    total_cents: int
    currency: str
    created_at: datetime
    buyer: str = ''
    payment_instructions: str = Field('', description='After checkout: how to pay')
    payment_url: str | None = Field(
        None, description='After checkout, with a hosted payment provider: where to pay'
    )

    @classmethod
    def of(cls, order: Order) -> OrderOut:
        return cls.model_validate(order.model_dump())


class OrderListOut(BaseModel):
    items: list[OrderOut] = Field(description='Newest first')


class SaleOut(BaseModel):
    """One seller's lines of one order."""

    order_id: str
    buyer: str = Field(description="The buyer's username ('' once the account is gone)")
    status: StatusName
    items: list[OrderLineOut]
    total_cents: int = Field(description="The seller's lines only")
    currency: str
    created_at: datetime

    @classmethod
    def of(cls, sale: Sale) -> SaleOut:
        return cls.model_validate(sale.model_dump())


class SaleListOut(BaseModel):
    items: list[SaleOut] = Field(description='Newest first')


class StockOut(BaseModel):
    detail: str
    available: int = Field(description='Copies left')


class ShortLineOut(BaseModel):
    image_id: str
    requested: int
    available: int = Field(description='Copies that could be had now (0: not on sale any more)')


class CheckoutRefusedOut(BaseModel):
    detail: str
    lines: list[ShortLineOut]
