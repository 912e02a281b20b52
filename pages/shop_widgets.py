"""The shop on the image page: the buyer's price and "Add to cart", the owner's price and stock."""

from __future__ import annotations

from nicegui import run, ui

from pages.cart_badge import show_count
from pages.session import acting_user, sign_in_url
from repo.container import Services
from repo.core.actor import Actor
from repo.core.errors import ShoeboxError
from repo.core.money import MAX_QUANTITY, format_money, parse_amount, plain_amount
from repo.core.schemas import ImagePublic, ImageUpdate, UserPublic
from repo.core.visibility import Visibility


def stock_text(stock: int | None) -> str:
    if stock is None:
        return 'Unlimited copies'
    return 'Sold out' if stock == 0 else f'{stock:,} left'


def buy_panel(
    services: Services, viewer: UserPublic | None, image: ImagePublic, session: str | None
) -> None:
    """Price, stock and "Add to cart" with a quantity, for an image on sale."""
    if not image.for_sale or image.price_cents is None:
        return
    currency = services.settings.currency
    with ui.column().classes('w-full gap-2').mark('buy-panel'):
        with ui.row().classes('items-center gap-2'):
            price = 'Free' if image.price_cents == 0 else format_money(image.price_cents, currency)
            ui.label(price).classes('text-xl font-semibold').mark('price')
            if image.stock == 0:
                ui.badge('Sold out', color='grey-7').mark('sold-out')
            else:
                ui.label(stock_text(image.stock)).classes('opacity-70').mark('stock')
        if image.stock == 0:
            return
        if viewer is None:
            ui.button(
                'Sign in to buy',
                icon='login',
                on_click=lambda: ui.navigate.to(sign_in_url(f'/images/{image.id}')),
            ).props('outline no-caps').mark('sign-in-to-buy')
            return
        top = min(image.stock if image.stock is not None else MAX_QUANTITY, MAX_QUANTITY)
        with ui.row().classes('items-center gap-2 no-wrap'):
            quantity = (
                ui.number('Quantity', value=1, min=1, max=top, step=1, precision=0)
                .props('dense outlined')
                .classes('w-28')
                .mark('quantity')
            )

            async def add() -> None:
                user = acting_user(services, session)
                if user is None:
                    return
                wanted = int(quantity.value or 1)
                try:
                    cart = await run.io_bound(services.cart.add, Actor.of(user), image.id, wanted)
                except ShoeboxError as exc:
                    ui.notify(exc.message, type='warning')
                    return
                show_count(cart.count)
                ui.notify(f'Added {wanted} to your cart', type='positive')

            ui.button('Add to cart', icon='add_shopping_cart', on_click=add).props(
                'unelevated no-caps'
            ).mark('add-to-cart')
            ui.button('Cart', on_click=lambda: ui.navigate.to('/cart')).props('flat no-caps')


class SalePanel:
    """The owner's price and stock (an empty stock is unlimited), or taking it off sale."""

    def __init__(self, services: Services, image: ImagePublic, session: str | None) -> None:
        self.services = services
        self.image = image
        self.session = session
        self.currency = services.settings.currency
        self.body = ui.column().classes('w-full gap-2').mark('sale-panel')
        self.render()

    def render(self) -> None:
        self.body.clear()
        image = self.image
        with self.body:
            ui.label('Sell').classes('text-lg font-medium')
            if image.visibility != Visibility.public:
                ui.label('Only public images can be sold: make it public first.').classes(
                    'opacity-70'
                ).mark('sale-needs-public')
                return
            if image.for_sale and image.price_cents is not None:
                sold = format_money(image.price_cents, self.currency)
                ui.label(f'On sale at {sold} · {stock_text(image.stock)}').mark('sale-state')
            price = ''
            if image.price_cents is not None:
                price = plain_amount(image.price_cents, self.currency)
            with ui.row().classes('items-center gap-2'):
                self.price = (
                    ui.input(f'Price ({self.currency})', value=price)
                    .props('dense outlined maxlength=16 inputmode=decimal')
                    .classes('w-32')
                    .mark('price-input')
                )
                self.stock = (
                    ui.number(
                        'Copies (empty: unlimited)', value=image.stock, min=0, step=1, precision=0
                    )
                    .props('dense outlined')
                    .classes('w-48')
                    .mark('stock-input')
                )
            with ui.row().classes('gap-2'):
                ui.button(
                    'Put on sale' if not image.for_sale else 'Save', on_click=self.save
                ).props('unelevated no-caps').mark('save-sale')
                if image.for_sale:
                    ui.button('Take off sale', on_click=self.take_off).props(
                        'outline no-caps'
                    ).mark('off-sale')

    async def save(self) -> None:
        try:
            cents = parse_amount(self.price.value or '', self.currency)
        except ShoeboxError as exc:
            ui.notify(exc.message, type='warning')
            return
        stock = None if self.stock.value in (None, '') else int(self.stock.value)
        await self._change({'price_cents': cents, 'stock': stock})

    async def take_off(self) -> None:
        await self._change({'price_cents': None})

    async def _change(self, fields: dict[str, int | None]) -> None:
        user = acting_user(self.services, self.session)
        if user is None:
            return
        changes = ImageUpdate.model_validate(fields)
        try:
            self.image = await run.io_bound(
                self.services.images.update, Actor.of(user), self.image.id, changes
            )
        except ShoeboxError as exc:
            ui.notify(exc.message, type='warning')
            return
        ui.notify('On sale' if self.image.for_sale else 'Not for sale any more', type='positive')
        self.render()
