"""Money: integers in minor units (cents) everywhere, one ISO 4217 currency per instance.

Only text is ever turned into amounts here (`parse_amount`), with Decimal, never floats; and
amounts into text for people (`format_money`).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from repo.core.errors import Invalid

MAX_PRICE_CENTS = 100_000_000_00  # a hundred million in major units: beyond any picture
MAX_STOCK = 1_000_000
MAX_QUANTITY = 1000
# Symbols of the common currencies; others are shown by their code ('CHF 12.50').
SYMBOLS = {
    'EUR': '€', 'USD': '$', 'GBP': '£', 'JPY': '¥', 'CNY': '¥', 'INR': '₹', 'KRW': '₩',
    'BRL': 'R$', 'CAD': 'CA$', 'AUD': 'A$', 'NZD': 'NZ$', 'PLN': 'zł', 'SEK': 'kr',
    'NOK': 'kr', 'DKK': 'kr', 'CZK': 'Kč', 'TRY': '₺', 'ILS': '₪', 'UAH': '₴',
}  # fmt: skip
# Currencies without minor units (ISO 4217 exponent 0); the others used here have 2.
ZERO_DECIMALS = frozenset({'JPY', 'KRW', 'ISK', 'CLP', 'VND', 'XAF', 'XOF'})
_CODE = re.compile(r'^[A-Z]{3}$')
_AMOUNT = re.compile(r'^\d{1,12}(?:[.,]\d{1,3})?$')


def check_currency(code: str) -> str:
    """'eur' -> 'EUR'; ValueError for what is not three letters."""
    value = (code or '').strip().upper()
    if not _CODE.match(value):
        raise ValueError(
            f'currency (SHOEBOX_CURRENCY) must be an ISO 4217 code like EUR, not {code!r}'
        )
    return value


def decimals(currency: str) -> int:
    return 0 if currency in ZERO_DECIMALS else 2


def symbol(currency: str) -> str:
    return SYMBOLS.get(currency, currency)


def format_money(cents: int, currency: str) -> str:
    """1250, 'EUR' -> '€12.50'; 1250, 'CHF' -> 'CHF 12.50'; 500, 'JPY' -> '¥500'."""
    places = decimals(currency)
    sign = '-' if cents < 0 else ''
    whole, part = divmod(abs(cents), 10**places) if places else (abs(cents), 0)
    number = f'{whole:,}' + (f'.{part:0{places}d}' if places else '')
    mark = symbol(currency)
    return f'{sign}{mark}{number}' if mark != currency else f'{sign}{currency} {number}'


def plain_amount(cents: int, currency: str) -> str:
    """1250, 'EUR' -> '12.50': what `parse_amount` reads back, for a form field."""
    places = decimals(currency)
    if not places:
        return str(cents)
    whole, part = divmod(cents, 10**places)
    return f'{whole}.{part:0{places}d}'


def parse_amount(text: str, currency: str) -> int:
    """'12.50' (or '12,50', '12') in major units -> 1250 minor units, exactly."""
    raw = (text or '').strip()
    if not _AMOUNT.match(raw):
        raise Invalid(f'"{text}" is not an amount (e.g. 12.50)')
    try:
        value = Decimal(raw.replace(',', '.'))
    except InvalidOperation:
        raise Invalid(f'"{text}" is not an amount (e.g. 12.50)') from None
    scaled = value.scaleb(decimals(currency))
    if scaled != scaled.to_integral_value():
        raise Invalid(f'{currency} has {decimals(currency)} decimal places; "{text}" has more')
    return check_price(int(scaled))


def check_price(cents: object) -> int:
    if not isinstance(cents, int) or isinstance(cents, bool) or not 0 <= cents <= MAX_PRICE_CENTS:
        raise Invalid(f'"price_cents" must be a whole number from 0 to {MAX_PRICE_CENTS}, or null')
    return cents


def check_stock(stock: object) -> int | None:
    if stock is None:
        return None
    if not isinstance(stock, int) or isinstance(stock, bool) or not 0 <= stock <= MAX_STOCK:
        raise Invalid(f'"stock" must be a whole number from 0 to {MAX_STOCK}, or null (unlimited)')
    return stock


def check_quantity(quantity: object) -> int:
    if (
        not isinstance(quantity, int)
        or isinstance(quantity, bool)
        or not 0 <= quantity <= MAX_QUANTITY
    ):
        raise Invalid(f'"quantity" must be a whole number from 0 to {MAX_QUANTITY}')
    return quantity
