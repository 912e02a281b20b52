"""Orders (what you bought: status, the originals once paid) and Sales (what others bought
from you: mark paid, cancel)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import run, ui

from pages import markup
from pages.layout import frame
from pages.session import acting_user, current_user, here, redirect_to_sign_in, session_id
from repo.container import Services
from repo.core.actor import Actor
from repo.core.errors import ShoeboxError
from repo.core.money import format_money
from repo.core.schemas_shop import Order, OrderLine, Sale

STATUS = {
    'awaiting_payment': ('Awaiting payment', 'orange-8'),
    'paid': ('Paid', 'positive'),
    'cancelled': ('Cancelled', 'grey-7'),
}


def status_badge(status: str) -> None:
    label, color = STATUS.get(status, (status, 'grey'))
    ui.badge(label, color=color).mark('order-status')


def original_url(order_id: str, image_id: str) -> str:
    return f'/api/v1/orders/{quote(order_id, safe="")}/images/{quote(image_id, safe="")}/original'


def line_row(line: OrderLine, currency: str, download: str | None, seller: bool = True) -> None:
    with ui.row().classes('w-full items-center gap-3 no-wrap').mark(f'line-{line.image_id}'):
        with ui.column().classes('grow gap-0 min-w-0'):
            title = ui.label(line.title).classes('font-medium ellipsis')
            if line.image_gone:
                title.classes('line-through opacity-70')
                ui.label('The seller deleted this image').classes('text-sm opacity-70').mark(
                    'image-gone'
                )
            elif seller and line.seller:
                ui.label(f'from @{line.seller}').classes('text-sm opacity-70')
        ui.label(f'{line.quantity} \u00d7 {format_money(line.unit_price_cents, currency)}').classes(
            'sb-money'
        )
        if download:
            button = ui.button('Original', icon='download').props('flat no-caps download')
            button.props['href'] = download
            button.mark('download-original')


def _heading(created: object, status: str, total: int, currency: str, who: str) -> None:
    with ui.row().classes('w-full items-center gap-2'):
        ui.label(who).classes('font-medium')
        ui.label(markup.when(created)).classes('text-sm opacity-70')  # type: ignore[arg-type]
        status_badge(status)
        ui.space()
        ui.label(format_money(total, currency)).classes('text-lg font-semibold sb-money')


def order_card(order: Order) -> None:
    with ui.card().classes('w-full gap-2').props('flat bordered').mark(f'order-{order.id}'):
        _heading(order.created_at, order.status, order.total_cents, order.currency,
                 f'Order {order.id}')  # fmt: skip
        for line in order.items:
            url = original_url(order.id, line.image_id) if line.downloadable else None
            line_row(line, order.currency, url)


class SalesPage:
    def __init__(self, services: Services, session: str | None) -> None:
        self.services = services
        self.session = session
        ui.label('Sales').classes('text-2xl font-medium')
        self.body = ui.column().classes('w-full gap-3').mark('sales')

    async def load(self) -> None:
        user = acting_user(self.services, self.session)
        if user is None:
            return
        sales = await run.io_bound(self.services.orders.list_sales, Actor.of(user))
        self.body.clear()
        with self.body:
            if not sales:
                ui.label('Nobody has bought from you yet.').classes('opacity-70').mark('no-sales')
            for sale in sales:
                self._card(sale)

    def _card(self, sale: Sale) -> None:
        with ui.card().classes('w-full gap-2').props('flat bordered').mark(f'sale-{sale.order_id}'):
            buyer = f'@{sale.buyer}' if sale.buyer else 'A deleted account'
            _heading(sale.created_at, sale.status, sale.total_cents, sale.currency, buyer)
            ui.label(f'Order {sale.order_id}').classes('text-sm opacity-70')
            for line in sale.items:
                line_row(line, sale.currency, None, seller=False)
            if sale.status == 'awaiting_payment':
                with ui.row().classes('gap-2'):
                    ui.button(
                        'Mark paid', icon='paid', on_click=lambda: self.settle(sale, 'paid')
                    ).props('unelevated no-caps').mark('mark-paid')
                    ui.button(
                        'Cancel', icon='cancel', on_click=lambda: self.settle(sale, 'cancel')
                    ).props('outline no-caps').mark('cancel-sale')

    async def settle(self, sale: Sale, action: str) -> None:
        user = acting_user(self.services, self.session)
        if user is None:
            return
        act = self.services.orders.mark_paid if action == 'paid' else self.services.orders.cancel
        try:
            await run.io_bound(act, Actor.of(user), sale.order_id)
        except ShoeboxError as exc:
            ui.notify(exc.message, type='warning')
        else:
            done = 'Marked paid' if action == 'paid' else 'Cancelled; the copies are back on sale'
            ui.notify(done, type='positive')
        await self.load()


def create(services: Services) -> None:
    @ui.page('/orders')
    async def orders_page(request: Request) -> RedirectResponse | None:
        user = current_user(services)
        if user is None:
            return redirect_to_sign_in(request)
        orders = await run.io_bound(services.orders.list_orders, Actor.of(user))
        with frame(services, user, title='Orders', next_path=here(request)):
            ui.label('Your orders').classes('text-2xl font-medium')
            with ui.column().classes('w-full gap-3').mark('orders'):
                if not orders:
                    ui.label('You have not bought anything yet.').classes('opacity-70').mark(
                        'no-orders'
                    )
                for order in orders:
                    order_card(order)
        return None

    @ui.page('/sales')
    async def sales_page(request: Request) -> RedirectResponse | None:
        user = current_user(services)
        if user is None:
            return redirect_to_sign_in(request)
        with frame(services, user, title='Sales', next_path=here(request)):
            page = SalesPage(services, session_id())
        await page.load()
        return None
