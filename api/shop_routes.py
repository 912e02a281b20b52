"""The shop under /api/v1: cart, checkout, orders (the buyer's), sales (the seller's), and the
paid original's download. Putting an image on sale is `PATCH /images/{id}` (image_routes).

Every route needs a signed-in caller (401) whose token, if any, has the `shop` scope (403).
Someone else's order answers 404 like a missing one; so does an image that is not on sale or
not visible.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from api.deps import CallerDep, ServicesDep
from api.errors import ShoeboxRoute, responses
from api.files import file_response
from api.schemas import ErrorOut
from api.schemas_shop import (
    CartItemIn,
    CartOut,
    CheckoutRefusedOut,
    OrderListOut,
    OrderOut,
    SaleListOut,
    SaleOut,
    StockOut,
)
from repo.core import policy
from repo.core.actor import Actor

SHOPPER = {401: 'Not signed in, or the token is invalid or revoked',
           403: 'The token lacks the `shop` scope'}  # fmt: skip
NO_ORDER = "Order not found (also: someone else's order)"


async def shopper(caller: CallerDep) -> Actor:
    """The caller, if signed in with the shop allowed (raises 401/403 otherwise)."""
    actor = caller.actor
    policy.require_shopper(actor)
    return actor


ShopperDep = Annotated[Actor, Depends(shopper)]
router = APIRouter(route_class=ShoeboxRoute, tags=['shop'], dependencies=[Depends(shopper)])


def _responses(*statuses: int, **described: Any) -> dict:
    models = {k: v for k, v in described.items() if k.startswith('m')}
    texts = {k: v for k, v in described.items() if k.startswith('r')}
    found = responses(401, 403, *statuses, **{f'r{k}': v for k, v in SHOPPER.items()}, **texts)
    for key, model in models.items():
        found[int(key[1:])]['model'] = model
    return found


@router.get('/cart', summary='Your cart, at the prices of now', responses=_responses())
def get_cart(actor: ShopperDep, services: ServicesDep) -> CartOut:
    return CartOut.of(services.cart.get(actor))


@router.put(
    '/cart/items/{image_id}',
    summary='Set how many copies of an image are in your cart',
    description='`{"quantity": n}`; 0 removes the line. Answers the whole cart.',
    responses=_responses(
        400,
        404,
        409,
        422,
        r404="Not on sale, or not an image you can see (also: someone else's private image)",
        r409='More than the stock: `available` says how many copies are left',
        m409=StockOut,
        r422='Your own image, or a quantity that is not 0 to 1000',
    ),
)
def put_cart_item(
    image_id: str, body: CartItemIn, actor: ShopperDep, services: ServicesDep
) -> CartOut:
    return CartOut.of(services.cart.put(actor, image_id, body.quantity))


@router.delete(
    '/cart/items/{image_id}',
    status_code=204,
    summary='Remove an image from your cart',
    description='Idempotent: removing what is not in the cart answers 204 too.',
    responses=_responses(),
)
def delete_cart_item(image_id: str, actor: ShopperDep, services: ServicesDep) -> Response:
    services.cart.remove(actor, image_id)
    return Response(status_code=204)


@router.delete('/cart', status_code=204, summary='Empty your cart', responses=_responses())
def clear_cart(actor: ShopperDep, services: ServicesDep) -> Response:
    services.cart.clear(actor)
    return Response(status_code=204)


@router.post(
    '/checkout',
    status_code=201,
    summary='Buy what is in your cart',
    description=(
        'One transaction: the stock of every line goes down by its quantity (unlimited stays '
        'unlimited), the prices are frozen into the order, the cart empties. The order waits '
        'for payment (`awaiting_payment`) until the seller marks it paid; a free order is '
        '`paid` at once. Stock never goes negative, however many buyers check out at once.'
    ),
    responses=_responses(
        409,
        422,
        r409='Some lines lack stock or are no longer on sale: `lines` says which; nothing changed',
        m409=CheckoutRefusedOut,
        r422='The cart is empty',
    ),
)
def checkout(actor: ShopperDep, services: ServicesDep) -> OrderOut:
    return OrderOut.of(services.checkout.checkout(actor))


@router.get('/orders', summary='Your orders, newest first', responses=_responses())
def list_orders(actor: ShopperDep, services: ServicesDep) -> OrderListOut:
    return OrderListOut(items=[OrderOut.of(o) for o in services.orders.list_orders(actor)])


@router.get(
    '/orders/{order_id}', summary='One of your orders', responses=_responses(404, r404=NO_ORDER)
)
def get_order(order_id: str, actor: ShopperDep, services: ServicesDep) -> OrderOut:
    return OrderOut.of(services.orders.get_order(actor, order_id))


@router.get(
    '/orders/{order_id}/images/{image_id}/original',
    summary='The original of an image you bought',
    description=(
        'For the buyer of a paid order: even where the seller does not allow downloads and '
        'after the image went off sale; not once the seller deleted it (404).'
    ),
    response_class=Response,
    responses={
        200: {'content': {'image/*': {}}, 'description': 'The original bytes'},
        **_responses(404, r404=NO_ORDER + '; or the image is not in it, not paid yet, or deleted'),
    },
)
def get_bought_original(
    order_id: str, image_id: str, request: Request, actor: ShopperDep, services: ServicesDep
) -> Response:
    blob = services.orders.open_purchased(actor, order_id, image_id)
    return file_response(request, blob, attachment=True)


@router.get(
    '/sales',
    summary='What others bought from you: your lines of each order, newest first',
    responses=_responses(),
)
def list_sales(actor: ShopperDep, services: ServicesDep) -> SaleListOut:
    return SaleListOut(items=[SaleOut.of(s) for s in services.orders.list_sales(actor)])


SETTLE = _responses(
    404,
    409,
    r404=NO_ORDER + '; or none of its lines are yours',
    r409='Your part of the order is already paid or cancelled',
    m409=ErrorOut,
)


@router.post('/sales/{order_id}/paid', summary='Mark your part of an order paid', responses=SETTLE)
def mark_paid(order_id: str, actor: ShopperDep, services: ServicesDep) -> SaleOut:
    return SaleOut.of(services.orders.mark_paid(actor, order_id))


@router.post(
    '/sales/{order_id}/cancel',
    summary='Cancel your part of an unpaid order',
    description='Its copies go back on sale.',
    responses=SETTLE,
)
def cancel_sale(order_id: str, actor: ShopperDep, services: ServicesDep) -> SaleOut:
    return SaleOut.of(services.orders.cancel(actor, order_id))
