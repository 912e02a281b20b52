"""The cart page: change quantities, remove lines, see the totals, check out (after a
confirmation), and the order that came of it."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import run, ui

from pages import markup
from pages.cart_badge import show_count
from pages.layout import frame
from pages.session import acting_user, current_user, here, redirect_to_sign_in, session_id
from repo.container import Services
from repo.core.actor import Actor
from repo.core.errors import CheckoutRefused, ShoeboxError
from repo.core.money import MAX_QUANTITY, format_money
from repo.core.schemas_shop import Cart, CartLine, Order


class CartPage:
    def __init__(self, services: Services, session: str | None) -> None:
        self.services = services
        self.session = session
        self.currency = services.settings.currency
        ui.label('Your cart').classes('text-2xl font-medium')
        self.body = ui.column().classes('w-full gap-3').mark('cart')

    def money(self, cents: int) -> str:
        return format_money(cents, self.currency)

    def actor(self) -> Actor | None:
        user = acting_user(self.services, self.session)
        return None if user is None else Actor.of(user)

    async def load(self) -> None:
        actor = self.actor()
        if actor is not None:
            self.show(await run.io_bound(self.services.cart.get, actor))

    def show(self, cart: Cart) -> None:
        show_count(cart.count)
        self.body.clear()
        with self.body:
            if not cart.items:
                with ui.column().classes('w-full items-center py-12 gap-2').mark('cart-empty'):
                    ui.icon('shopping_cart', size='56px').classes('opacity-50')
                    ui.label('Your cart is empty').classes('text-lg')
                    ui.link('Browse the shop', '/shop')
                return
            for line in cart.items:
                self._line(line)
            ui.separator()
            with ui.row().classes('w-full items-center gap-3'):
                ui.label('Total').classes('text-lg')
                ui.label(self.money(cart.total_cents)).classes('text-xl font-semibold').mark(
                    'cart-total'
                )
                ui.space()
                ui.button('Empty the cart', on_click=self.clear).props('flat no-caps').mark(
                    'clear-cart'
                )
                checkout = ui.button('Check out', icon='shopping_cart_checkout')
                checkout.props('unelevated no-caps').mark('checkout')
                checkout.on_click(lambda: self.confirm(cart))
                unavailable = any(not line.available for line in cart.items)
                checkout.set_enabled(not unavailable)
            if any(not line.available for line in cart.items):
                ui.label(
                    'Some images are no longer available in the quantity you want: remove them '
                    'or lower the quantity to check out.'
                ).classes('text-warning').mark('cart-warning')

    def _line(self, line: CartLine) -> None:
        with ui.row().classes('w-full items-center gap-3 no-wrap').mark(f'line-{line.image_id}'):
            ui.html(
                f'<a href="/images/{markup.text(line.image_id)}"><img class="sb-cart-thumb" '
                f'src="{markup.image_url(line.image_id)}" alt="" width="64" height="48"></a>',
                sanitize=False,
            )
            with ui.column().classes('grow gap-0 min-w-0'):
                ui.label(line.title).classes('font-medium ellipsis')
                if line.available:
                    ui.label(f'{self.money(line.unit_price_cents)} each').classes(
                        'text-sm opacity-70'
                    )
                else:
                    reason = (
                        f'Only {line.stock} left'
                        if line.stock
                        else 'Not available any more (off sale, private or deleted)'
                    )
                    ui.label(reason).classes('text-sm text-warning').mark('unavailable')
            top = min(line.stock or MAX_QUANTITY, MAX_QUANTITY)
            quantity = (
                ui.number(
                    value=line.quantity, min=1, max=max(top, line.quantity), step=1, precision=0
                )
                .props('dense outlined debounce=400 aria-label=Quantity')
                .classes('w-20')
                .mark('line-quantity')
            )
            quantity.on_value_change(lambda e, i=line.image_id: self.change(i, e.value))
            ui.label(self.money(line.line_total_cents)).classes('w-24 text-right sb-money')
            ui.button(icon='delete', on_click=lambda i=line.image_id: self.remove(i)).props(
                'flat round dense aria-label="Remove from the cart"'
            ).mark('remove-line')

    async def change(self, image_id: str, value: float | None) -> None:
        actor = self.actor()
        if actor is None or value is None:
            return
        try:
            cart = await run.io_bound(self.services.cart.put, actor, image_id, int(value))
        except ShoeboxError as exc:
            ui.notify(exc.message, type='warning')
            cart = await run.io_bound(self.services.cart.get, actor)
        self.show(cart)

    async def remove(self, image_id: str) -> None:
        actor = self.actor()
        if actor is not None:
            await run.io_bound(self.services.cart.remove, actor, image_id)
            self.show(await run.io_bound(self.services.cart.get, actor))

    async def clear(self) -> None:
        actor = self.actor()
        if actor is not None:
            await run.io_bound(self.services.cart.clear, actor)
            self.show(await run.io_bound(self.services.cart.get, actor))

    def confirm(self, cart: Cart) -> None:
        with ui.dialog() as dialog, ui.card().mark('checkout-dialog'):
            copies = sum(line.quantity for line in cart.items)
            ui.label('Buy these images?').classes('text-lg font-medium')
            ui.label(
                f'{copies} cop{"y" if copies == 1 else "ies"} for {self.money(cart.total_cents)}.'
                ' The sellers are told; you pay them as they ask.'
            )
            with ui.row().classes('w-full justify-end gap-2'):
                ui.button('Not now', on_click=dialog.close).props('flat no-caps')

                async def buy() -> None:
                    dialog.close()
                    await self.checkout()

                ui.button('Buy', on_click=buy).props('unelevated no-caps').mark('confirm-checkout')
        dialog.open()

    async def checkout(self) -> None:
        actor = self.actor()
        if actor is None:
            return
        try:
            order = await run.io_bound(self.services.checkout.checkout, actor)
        except CheckoutRefused as exc:
            ui.notify(exc.message, type='warning', multi_line=True)
            await self.load()
            return
        except ShoeboxError as exc:
            ui.notify(exc.message, type='warning')
            await self.load()
            return
        show_count(0)
        self.placed(order)

    def placed(self, order: Order) -> None:
        self.body.clear()
        with self.body, ui.card().classes('w-full').props('flat bordered').mark('order-placed'):
            ui.label('Thank you: your order is placed').classes('text-xl font-medium')
            ui.label(f'Order {order.id} · {self.money(order.total_cents)}').mark('order-summary')
            paid = order.status == 'paid'
            ui.label(
                'Paid: the originals are ready on your Orders page.'
                if paid
                else order.payment_instructions or 'Awaiting payment.'
            ).mark('order-status')
            ui.button('Go to my orders', on_click=lambda: ui.navigate.to('/orders')).props(
                'unelevated no-caps'
            ).mark('to-orders')


def create(services: Services) -> None:
    @ui.page('/cart')
    async def cart_page(request: Request) -> RedirectResponse | None:
        user = current_user(services)
        if user is None:
            return redirect_to_sign_in(request)
        with frame(services, user, title='Cart', next_path=here(request)):
            page = CartPage(services, session_id())
        await page.load()
        return None
