"""The header's cart button, with a badge of how many copies are in the cart."""

from __future__ import annotations

from nicegui import ElementFilter, ui

from repo.container import Services
from repo.core.actor import Actor
from repo.core.schemas import UserPublic

MARK = 'cart-badge'


def cart_button(services: Services, user: UserPublic) -> None:
    count = services.cart.count(Actor.of(user))
    button = (
        ui.button(icon='shopping_cart', on_click=lambda: ui.navigate.to('/cart'))
        .props('flat round dense color=white')
        .mark('cart-link')
    )
    button.props['aria-label'] = f'Cart ({count})'
    with button:
        badge = ui.badge(str(count), color='orange').props('floating rounded').mark(MARK)
        badge.set_visibility(count > 0)
        ui.tooltip('Your cart')


def show_count(count: int) -> None:
    """Update the badge of this page (after a change to the cart)."""
    for badge in ElementFilter(kind=ui.badge, marker=MARK):
        badge.set_text(str(count))
        badge.set_visibility(count > 0)
