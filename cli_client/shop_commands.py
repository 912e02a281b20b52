"""The shop's client commands: `shoebox price`, `cart`, `checkout`, `orders`, `sales`.

Amounts on the command line are in major units ('12.50'); the API speaks minor units
(integers), in the server's one currency.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

import typer
from rich.table import Table
from rich.text import Text

from cli_client import render
from cli_client.connection import api_session, signed_in
from cli_client.http import Api, ApiError
from cli_client.options import Json
from repo.core.errors import Invalid
from repo.core.money import format_money, parse_amount

ImageId = Annotated[str, typer.Argument(metavar='ID', help='The image id')]
cart_app = typer.Typer(help='Your cart: show it, add, remove, clear.', no_args_is_help=False)


def _segment(value: str) -> str:
    return quote(value, safe='')


def _currency(api: Api) -> str:
    """The server's currency (the cart names it)."""
    try:
        return str(api.json('GET', '/cart').get('currency') or 'EUR')
    except ApiError:
        return 'EUR'


def price(
    image_id: ImageId,
    amount: Annotated[
        str | None, typer.Option('--price', help='The price, e.g. 12.50 (0 is free)')
    ] = None,
    stock: Annotated[int | None, typer.Option(min=0, help='Copies for sale')] = None,
    unlimited: Annotated[
        bool, typer.Option('--unlimited', help='Unlimited copies (a digital image)')
    ] = False,
    off: Annotated[bool, typer.Option('--off', help='Take the image off sale')] = False,
    as_json: Json = False,
) -> None:
    """Put one of your public images on sale, change its price or stock, or take it off."""
    if stock is not None and unlimited:
        render.error('Give --stock N or --unlimited, not both')
        raise typer.Exit(2)
    if off and (amount is not None or stock is not None or unlimited):
        render.error('--off takes the image off sale: give no price or stock with it')
        raise typer.Exit(2)
    if not off and amount is None and stock is None and not unlimited:
        render.error('Give --price (and --stock N or --unlimited), or --off')
        raise typer.Exit(2)
    with api_session(signed_in()) as api:
        body: dict[str, Any] = {}
        if off:
            body['price_cents'] = None
        if amount is not None:
            try:
                body['price_cents'] = parse_amount(amount, _currency(api))
            except Invalid as exc:
                render.error(exc.message)
                raise typer.Exit(2) from None
        if stock is not None or unlimited:
            body['stock'] = stock
        image = api.json('PATCH', f'/images/{_segment(image_id)}', json=body)
        currency = _currency(api) if image.get('for_sale') else ''
    if as_json:
        render.print_json(image)
    elif not image.get('for_sale'):
        render.out.print(Text(f'{image["title"]}: not for sale'))
    else:
        left = 'unlimited' if image.get('stock') is None else f'{image["stock"]} left'
        sold = format_money(image['price_cents'], currency)
        render.out.print(Text(f'{image["title"]}: {sold}, {left}'))


@cart_app.callback(invoke_without_command=True)
def cart(ctx: typer.Context, as_json: Json = False) -> None:
    """Show your cart (at the prices of now)."""
    if ctx.invoked_subcommand is not None:
        return
    with api_session(signed_in()) as api:
        _show_cart(api.json('GET', '/cart'), as_json)


@cart_app.command('add')
def cart_add(
    image_id: ImageId,
    qty: Annotated[int, typer.Option('--qty', min=1, max=1000, help='Copies to add')] = 1,
    as_json: Json = False,
) -> None:
    """Add copies of an image to your cart."""
    with api_session(signed_in()) as api:
        have = {i['image_id']: i['quantity'] for i in api.json('GET', '/cart')['items']}
        wanted = have.get(image_id, 0) + qty
        try:
            found = api.json('PUT', f'/cart/items/{_segment(image_id)}', json={'quantity': wanted})
        except ApiError as exc:
            if exc.status != 409:
                raise
            render.error(f'{exc.detail} (you asked for {wanted})')
            raise typer.Exit(1) from None
    _show_cart(found, as_json)


@cart_app.command('remove')
def cart_remove(image_id: ImageId, as_json: Json = False) -> None:
    """Remove an image from your cart."""
    with api_session(signed_in()) as api:
        api.request('DELETE', f'/cart/items/{_segment(image_id)}')
        _show_cart(api.json('GET', '/cart'), as_json)


@cart_app.command('clear')
def cart_clear(as_json: Json = False) -> None:
    """Empty your cart."""
    with api_session(signed_in()) as api:
        api.request('DELETE', '/cart')
        _show_cart(api.json('GET', '/cart'), as_json)


def checkout(as_json: Json = False) -> None:
    """Buy what is in your cart."""
    with api_session(signed_in()) as api:
        try:
            order = api.json('POST', '/checkout')
        except ApiError as exc:
            if exc.status != 409:
                raise
            render.error(exc.detail)
            render.err.print('Run `shoebox cart` to see which lines are unavailable.')
            raise typer.Exit(1) from None
    if as_json:
        render.print_json(order)
        return
    total = format_money(order['total_cents'], order['currency'])
    render.out.print(Text(f'Order {order["id"]}: {total}, {order["status"].replace("_", " ")}'))
    if order.get('payment_instructions'):
        render.out.print(Text(order['payment_instructions']))


def orders(as_json: Json = False) -> None:
    """Your orders, newest first."""
    with api_session(signed_in()) as api:
        found = api.json('GET', '/orders')
    if as_json:
        render.print_json(found)
    else:
        _print_orders(found['items'], who='seller')


def sales(as_json: Json = False) -> None:
    """What others bought from you, newest first."""
    with api_session(signed_in()) as api:
        found = api.json('GET', '/sales')
    if as_json:
        render.print_json(found)
    else:
        items = [{**s, 'id': s['order_id']} for s in found['items']]
        _print_orders(items, who='buyer')


def _show_cart(found: dict[str, Any], as_json: bool) -> None:
    if as_json:
        render.print_json(found)
        return
    items = found.get('items') or []
    if not items:
        render.out.print('your cart is empty')
        return
    currency = found['currency']
    table = Table()
    table.add_column('image id', no_wrap=True, overflow='fold')
    render.text_columns(table, 'title', 'qty', 'price', 'total', 'note')
    for line in items:
        note = '' if line['available'] else 'unavailable'
        table.add_row(
            Text(line['image_id']),
            Text(line['title']),
            str(line['quantity']),
            format_money(line['unit_price_cents'], currency),
            format_money(line['line_total_cents'], currency),
            note,
        )
    render.print_table(table)
    render.out.print(f'total {format_money(found["total_cents"], currency)}')


def _print_orders(items: list[dict[str, Any]], *, who: str) -> None:
    if not items:
        render.out.print('none yet')
        return
    table = Table()
    table.add_column('order', no_wrap=True, overflow='fold')
    render.text_columns(table, 'created', 'status', who if who == 'buyer' else 'images', 'total')
    for order in items:
        lines = '; '.join(f'{i["quantity"]} x {i["title"]}' for i in order['items'])
        table.add_row(
            Text(order['id']),
            (order.get('created_at') or '')[:16].replace('T', ' '),
            order['status'].replace('_', ' '),
            Text(order.get('buyer') or '(gone)') if who == 'buyer' else Text(lines),
            format_money(order['total_cents'], order['currency']),
        )
    render.print_table(table)


def register(app: typer.Typer) -> None:
    app.command()(price)
    app.add_typer(cart_app, name='cart')
    app.command()(checkout)
    app.command()(orders)
    app.command()(sales)
