"""The shared page frame: header with search, upload, theme and account menu; the content column."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from nicegui import context, ui

from pages import local_time
from pages.cart_badge import cart_button
from pages.gallery_query import GalleryQuery
from pages.session import end_session, session_id, sign_in_url
from repo.container import Services
from repo.core.schemas import UserPublic

THEME_COOKIE = 'sb_theme'
THEMES = {'auto': None, 'dark': True, 'light': False}
THEME_ICONS = {'auto': 'brightness_auto', 'dark': 'dark_mode', 'light': 'light_mode'}
NEXT_THEME = {'auto': 'dark', 'dark': 'light', 'light': 'auto'}

# '/' focuses the search box (unless typing somewhere); the infinite-scroll sentinel watcher.
SCRIPT = """
<script>
document.addEventListener('keydown', (e) => {
  if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
  const t = e.target, tag = (t && t.tagName || '').toLowerCase();
  if (['input', 'textarea', 'select'].includes(tag) || (t && t.isContentEditable)) return;
  const box = document.getElementById('sb-search');
  if (!box) return;
  e.preventDefault(); box.focus(); box.select();
});
window.sbObserver = new IntersectionObserver((entries) => {
  for (const entry of entries) {
    if (entry.isIntersecting) emitEvent(entry.target.dataset.sbEvent);
  }
}, {rootMargin: '0px 0px 1200px 0px'});
window.sbWatch = (id, eventName) => {
  const el = getHtmlElement(id);
  if (!el) return;
  el.dataset.sbEvent = eventName;
  window.sbObserver.unobserve(el);
  window.sbObserver.observe(el);
};
</script>
"""


def add_shared_assets() -> None:
    """CSS and the small scripts every page uses (once per app, not per page)."""
    ui.add_css((Path(__file__).parent / 'style.css').read_text(encoding='utf-8'), shared=True)
    ui.add_head_html(SCRIPT, shared=True)
    ui.add_head_html(local_time.SCRIPT, shared=True)
    viewer = (Path(__file__).parent / 'viewer.js').read_text(encoding='utf-8')
    ui.add_head_html(f'<script>{viewer}</script>', shared=True)


@dataclass
class Frame:
    search: ui.input
    content: ui.column


def _theme_from_cookie() -> str:
    try:
        value = context.client.request.cookies.get(THEME_COOKIE, 'auto')
    except (RuntimeError, AttributeError):
        value = 'auto'
    return value if value in THEMES else 'auto'


def _theme_toggle() -> None:
    """Auto (follow the system), dark, light: kept in a plain cookie, so no server-side state."""
    state = {'theme': _theme_from_cookie()}
    dark = ui.dark_mode(THEMES[state['theme']])

    def cycle() -> None:
        state['theme'] = NEXT_THEME[state['theme']]
        dark.value = THEMES[state['theme']]
        button.props['icon'] = THEME_ICONS[state['theme']]
        tooltip.text = f'Theme: {state["theme"]} (click to change)'
        ui.run_javascript(
            f'document.cookie = "{THEME_COOKIE}={state["theme"]}; path=/; '
            'max-age=31536000; SameSite=Lax"'
        )

    button = (
        ui.button(icon=THEME_ICONS[state['theme']], on_click=cycle)
        .props('flat round dense color=white aria-label="Switch theme: auto, dark or light"')
        .mark('theme')
    )
    with button:
        tooltip = ui.tooltip(f'Theme: {state["theme"]} (click to change)')


def _account_menu(services: Services, user: UserPublic) -> None:
    session = session_id()

    def sign_out() -> None:
        end_session(services, session)
        ui.navigate.to('/')

    initial = (user.display_name or user.username)[:1].upper()
    menu_button = ui.button().props('flat round dense color=white').mark('account-menu')
    menu_button.props['aria-label'] = f'Account menu for {user.username}'
    with menu_button:
        with ui.avatar(color='white', text_color='primary', size='32px'):
            ui.label(initial).classes('text-base font-semibold')
        with ui.menu().props('anchor="bottom right" self="top right"'):
            with ui.column().classes('px-4 py-2 gap-0'):
                ui.label(user.display_name).classes('font-medium')
                ui.label(f'@{user.username}').classes('text-sm opacity-70')
            ui.separator()
            ui.menu_item('My images', lambda: ui.navigate.to('/?scope=mine'))
            ui.menu_item('Upload', lambda: ui.navigate.to('/upload'))
            ui.menu_item('Search by image', lambda: ui.navigate.to('/search-by-image'))
            ui.menu_item('Duplicates', lambda: ui.navigate.to('/duplicates')).mark(
                'duplicates-link'
            )
            ui.menu_item('Tags', lambda: ui.navigate.to('/tags'))
            ui.menu_item('Albums', lambda: ui.navigate.to('/albums')).mark('albums-link')
            ui.menu_item('Share links', lambda: ui.navigate.to('/shares')).mark('shares-link')
            ui.menu_item('Trash', lambda: ui.navigate.to('/trash')).mark('trash-link')
            ui.separator()
            ui.menu_item('Shop', lambda: ui.navigate.to('/shop')).mark('shop-link')
            ui.menu_item('Orders', lambda: ui.navigate.to('/orders')).mark('orders-link')
            ui.menu_item('Sales', lambda: ui.navigate.to('/sales')).mark('sales-link')
            ui.separator()
            ui.menu_item('Account', lambda: ui.navigate.to('/account'))
            if user.is_admin:
                ui.menu_item('Admin', lambda: ui.navigate.to('/admin')).mark('admin-link')
            ui.separator()
            ui.menu_item('Sign out', sign_out).mark('sign-out')


@contextmanager
def frame(
    services: Services,
    user: UserPublic | None,
    *,
    title: str | None = None,
    search_text: str = '',
    live_search: bool = False,
    next_path: str | None = None,
) -> Iterator[Frame]:
    """Header plus content column. With live_search the page wires the search box itself;
    otherwise Enter in the box opens the gallery with ?q=."""
    ui.page_title(f'{title} · Shoebox' if title else 'Shoebox')
    ui.colors(primary='#4f5bd5', secondary='#26a69a', accent='#9c27b0')
    with ui.header().classes('sb-header items-center gap-2 px-3 py-2 no-wrap'):
        with ui.link(target='/').classes('flex items-center gap-1 no-underline text-white'):
            ui.icon('inventory_2', size='28px')
            ui.label('Shoebox').classes('text-lg font-semibold gt-xs')
        search = (
            ui.input(placeholder='Search images', value=search_text)
            .props(
                'dense outlined rounded dark clearable type=search for=sb-search '
                'debounce=200 maxlength=200 aria-label="Search images (press / to focus)"'
            )
            .classes('grow max-w-2xl')
            .mark('search')
        )
        with search.add_slot('prepend'):
            ui.icon('search')
        with search.add_slot('append'):
            ui.html('<span class="sb-kbd" aria-hidden="true">/</span>', sanitize=False).classes(
                'gt-xs'
            )
            if user is not None:
                with (
                    ui.button(
                        icon='image_search', on_click=lambda: ui.navigate.to('/search-by-image')
                    )
                    .props('flat round dense color=white aria-label="Search by image"')
                    .classes('ml-1')
                    .mark('search-by-image-link')
                ):
                    ui.tooltip('Search by image: find pictures that look like one of yours')
        if not live_search:
            search.on(
                'keydown.enter',
                lambda: ui.navigate.to(GalleryQuery(text=search.value or '').url()),
            )
        ui.space().classes('gt-xs')
        if user is not None:
            ui.button(
                'Upload', icon='cloud_upload', on_click=lambda: ui.navigate.to('/upload')
            ).props('flat color=white no-caps').classes('gt-xs')
            ui.button(icon='cloud_upload', on_click=lambda: ui.navigate.to('/upload')).props(
                'flat round dense color=white aria-label=Upload'
            ).classes('xs')
        shop = ui.button(icon='storefront', on_click=lambda: ui.navigate.to('/shop')).props(
            'flat round dense color=white aria-label="Shop: images for sale"'
        )
        shop.mark('shop-button').tooltip('Shop')
        if user is not None:  # on a phone the search box needs the room: Shop is in the menu
            shop.classes('gt-xs')
        if user is not None:
            cart_button(services, user)
        _theme_toggle()
        if user is not None:
            _account_menu(services, user)
        else:
            ui.button('Sign in', on_click=lambda: ui.navigate.to(sign_in_url(next_path))).props(
                'flat color=white no-caps'
            ).mark('sign-in-link')
            if services.limits().open_signup:
                ui.button('Sign up', on_click=lambda: ui.navigate.to('/signup')).props(
                    'outline color=white no-caps'
                ).classes('gt-xs')
    content = ui.column().classes('w-full max-w-screen-2xl mx-auto p-3 sm:p-5 gap-3')
    ui.skip_link(target=content)
    with content:
        yield Frame(search=search, content=content)
