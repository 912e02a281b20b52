"""The Shop: every image on sale, with its price and a "Sold out" badge, filtered by price.

The price range lives in the URL (?min=5&max=20, in major units), so a filtered shop can be
linked to. User text is escaped (one block of HTML for the whole grid).
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Request
from nicegui import run, ui

from pages import markup
from pages.layout import frame
from pages.markup import plural
from pages.session import current_user, here
from repo.container import Services
from repo.core.actor import Actor
from repo.core.errors import ShoeboxError
from repo.core.money import format_money, parse_amount
from repo.core.schemas import ImagePublic

LIMIT = 200


def price_text(cents: int, currency: str) -> str:
    return 'Free' if cents == 0 else format_money(cents, currency)


def shop_cards(items: list[ImagePublic], currency: str) -> str:
    cards = []
    for image in items:
        badge = (
            '<span class="sb-shop-badge sb-sold-out">Sold out</span>'
            if image.stock == 0
            else f'<span class="sb-shop-badge sb-price">'
            f'{markup.text(price_text(image.price_cents or 0, currency))}</span>'
        )
        cards.append(
            f'<a class="sb-shop-card" href="/images/{markup.text(image.id)}" '
            f'data-testid="shop-card">'
            f'<img loading="lazy" src="{markup.image_url(image.id)}" '
            f'alt="{markup.text(image.title)}">'
            f'{badge}<span class="sb-shop-title">{markup.text(image.title)}</span>'
            f'<span class="sb-shop-owner">@{markup.text(image.owner)}</span></a>'
        )
    return f'<div class="sb-shop-grid">{"".join(cards)}</div>'


def _amount(text: str, currency: str) -> int | None:
    return parse_amount(text, currency) if text.strip() else None


def create(services: Services) -> None:
    @ui.page('/shop')
    async def shop_page(request: Request, min: str = '', max: str = '') -> None:
        viewer = current_user(services)
        currency = services.settings.currency
        with frame(services, viewer, title='Shop', next_path=here(request)):
            with ui.row().classes('w-full items-center gap-3'):
                ui.label('Shop').classes('text-2xl font-medium')
                count = ui.label().classes('opacity-70').mark('shop-count')
                ui.space()
                low = (
                    ui.input(f'Min ({currency})', value=min[:16])
                    .props('dense outlined maxlength=16 inputmode=decimal')
                    .classes('w-28')
                    .mark('min-price')
                )
                high = (
                    ui.input(f'Max ({currency})', value=max[:16])
                    .props('dense outlined maxlength=16 inputmode=decimal')
                    .classes('w-28')
                    .mark('max-price')
                )

                def apply() -> None:
                    wanted = {k: v for k, v in (('min', low.value), ('max', high.value)) if v}
                    ui.navigate.to('/shop' + (f'?{urlencode(wanted)}' if wanted else ''))

                ui.button('Filter', icon='filter_list', on_click=apply).props(
                    'unelevated no-caps'
                ).mark('apply-price')
                low.on('keydown.enter', apply)
                high.on('keydown.enter', apply)
            try:
                page = await run.io_bound(
                    services.images.list,
                    Actor.of(viewer),
                    for_sale=True,
                    min_price=_amount(min, currency),
                    max_price=_amount(max, currency),
                    limit=LIMIT,
                )
            except ShoeboxError as exc:
                ui.label(exc.message).classes('text-negative').mark('shop-error')
                return
            count.set_text(plural(page.total, 'image'))
            if not page.items:
                with ui.column().classes('w-full items-center py-16 gap-2').mark('shop-empty'):
                    ui.icon('storefront', size='56px').classes('opacity-50')
                    ui.label('Nothing on sale here yet').classes('text-lg')
                return
            ui.html(shop_cards(page.items, currency), sanitize=False).classes('w-full').mark(
                'shop-grid'
            )
