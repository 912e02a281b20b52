"""The payment port. Shoebox never sees card data: a provider either leaves payment to the
seller (the built-in offline one) or sends the buyer to its hosted checkout and confirms later
through a signed webhook.

A hosted provider (Stripe Checkout style) implements `begin` by creating its checkout session
and returning its reference and the `redirect_url`; its webhook route verifies the signature
with `confirm` and hands the result to `OrderService.payment_confirmed(name, confirmation)`.
Nothing in the domain changes for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from repo.core.schemas_shop import Order


@dataclass(frozen=True)
class PaymentStart:
    """What to do after a checkout: follow `redirect_url` (hosted checkout), or read
    `instructions` (offline)."""

    reference: str = ''
    redirect_url: str | None = None
    instructions: str = ''


@dataclass(frozen=True)
class PaymentConfirmation:
    """A verified message of the provider: the order (by its reference) is paid or failed."""

    reference: str
    paid: bool


class PaymentProvider(Protocol):
    name: str

    def begin(self, order: Order) -> PaymentStart:
        """Called once after the checkout committed, for an order that is not free."""
        ...

    def confirm(self, payload: bytes, headers: dict[str, str]) -> PaymentConfirmation | None:
        """A webhook's body and headers -> a confirmation, or None if the signature is wrong."""
        ...


class OfflinePayments:
    """Payment happens outside Shoebox (bank transfer, cash): the seller marks it paid."""

    name = 'offline'

    def begin(self, order: Order) -> PaymentStart:
        return PaymentStart(
            instructions='The seller will tell you how to pay; the order is marked paid when '
            'they receive the money.'
        )

    def confirm(self, payload: bytes, headers: dict[str, str]) -> PaymentConfirmation | None:
        return None  # no webhooks: the seller confirms by hand
