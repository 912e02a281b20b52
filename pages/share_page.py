"""/s/{key}: what a share link shows, to anybody holding it (no account needed).

A gallery of the link's images (and the album's title), a lightbox, and a download button only
where the link allows it. A link with a password first asks for it in a plain HTML form
(api/share_form.py sets the link's cookie). Nothing is written for the visitor on the server.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from nicegui import run, ui

from pages import markup
from repo.container import Services
from repo.core.errors import NotAuthenticated, NotFound
from repo.core.schemas import ImagePublic
from repo.core.schemas_sharing import SharedView
from repo.services.sharing import cookie_name

OPEN_JS = """(e) => {
  const tile = e.target.closest('.sb-tile');
  if (!tile) return;
  e.preventDefault();
  emit(Number(tile.dataset.i));
}"""


def file_url(key: str, image_id: str, kind: str) -> str:
    return f'/api/v1/s/{quote(key, safe="")}/images/{image_id}/{markup.RENDITIONS[kind]}'


def tiles(key: str, items: list[ImagePublic]) -> str:
    out = []
    for n, image in enumerate(items):
        bg = markup.safe_color(image.colors[0] if image.colors else None)
        title = markup.text(image.title)
        out.append(
            f'<div class="sb-tile" data-i="{n}" style="background:{bg}">'
            f'<a class="sb-link" href="#" aria-label="Open {title}">'
            f'<img src="{markup.text(file_url(key, image.id, "thumb"))}" loading="lazy" '
            f'decoding="async" alt="{title}" width="{image.width}" height="{image.height}">'
            f'<span class="sb-caption">{title}</span></a></div>'
        )
    return f'<div class="sb-tiles">{"".join(out)}</div>'


def header() -> None:
    with ui.header().classes('sb-header items-center gap-2 px-3 py-2 no-wrap'):
        ui.icon('inventory_2', size='28px')
        ui.label('Shoebox').classes('text-lg font-semibold')
        ui.space()
        ui.label('Shared with you').classes('text-sm opacity-80')


def gone() -> None:
    with ui.column().classes('w-full items-center text-center gap-3 py-20').mark('link-gone'):
        ui.icon('link_off', size='64px').classes('opacity-50')
        ui.label('This link does not work').classes('text-2xl font-medium')
        ui.label('It may have expired or been withdrawn. Ask whoever sent it.').classes(
            'opacity-70'
        )


def password_form(key: str, wrong: bool, wait: int) -> None:
    with ui.card().classes('w-full max-w-sm mx-auto mt-10 gap-3').mark('share-password'):
        ui.label('This link needs a password').classes('text-xl font-medium')
        if wrong:
            ui.label('That password is not right.').classes('text-negative').mark('wrong')
        if wait:
            ui.label(f'Too many tries: wait {wait} seconds, then try again.').classes(
                'text-negative'
            ).mark('wait')
        action = markup.text(f'/s/{quote(key, safe="")}/unlock')
        ui.html(
            f'<form method="post" action="{action}" class="sb-share-form">'
            '<label>Password<input type="password" name="password" required '
            'autocomplete="current-password" autofocus maxlength="200"></label>'
            '<button type="submit">Open</button></form>',
            sanitize=False,
        ).classes('w-full')


class Lightbox:
    def __init__(self, key: str, view: SharedView) -> None:
        self.key = key
        self.view = view
        self.index = 0
        with (
            ui.dialog().props('maximized') as self.dialog,
            ui.card().classes('w-full h-full items-center gap-2 sb-lightbox').mark('lightbox'),
        ):
            with ui.row().classes('w-full items-center no-wrap'):
                self.title = ui.label().classes('text-lg font-medium grow truncate')
                self.download = ui.html('', sanitize=False).mark('download-slot')
                ui.button(icon='close', on_click=self.dialog.close).props(
                    'flat round color=white aria-label=Close'
                ).mark('close')
            with ui.row().classes('w-full grow items-center no-wrap gap-1'):
                ui.button(icon='chevron_left', on_click=lambda: self.step(-1)).props(
                    'flat round color=white aria-label=Previous'
                )
                self.picture = ui.html('', sanitize=False).classes('grow h-full sb-lightbox-pic')
                ui.button(icon='chevron_right', on_click=lambda: self.step(1)).props(
                    'flat round color=white aria-label=Next'
                )
            self.facts = ui.label().classes('text-sm opacity-70')

    def show(self, index: int) -> None:
        items = self.view.items
        if not items:
            return
        self.index = index % len(items)
        image = items[self.index]
        self.title.text = image.title
        preview = markup.text(file_url(self.key, image.id, 'preview'))
        self.picture.content = f'<img src="{preview}" alt="{markup.text(image.title)}">'
        if self.view.allow_download:
            original = markup.text(file_url(self.key, image.id, 'original'))
            self.download.content = (
                f'<a class="sb-download" href="{original}" download data-sb="download">'
                '<i class="material-icons" aria-hidden="true">download</i> Download</a>'
            )
        else:
            self.download.content = ''
        facts = [f'{image.width:,} \u00d7 {image.height:,} px']
        if image.camera:
            facts.append(image.camera)
        if image.taken_at:
            facts.append(f'taken {markup.when(image.taken_at)}')
        self.facts.text = ' · '.join(facts)
        self.dialog.open()

    def step(self, delta: int) -> None:
        self.show(self.index + delta)


def create(services: Services) -> None:
    @ui.page('/s/{key}')
    async def share_page(request: Request, key: str, wrong: int = 0, wait: int = 0) -> None:
        ui.page_title('Shared images · Shoebox')
        ui.colors(primary='#4f5bd5', secondary='#26a69a', accent='#9c27b0')
        header()
        grant = request.cookies.get(cookie_name(key))
        with ui.column().classes('w-full max-w-screen-2xl mx-auto p-3 sm:p-5 gap-3'):
            try:
                view = await run.io_bound(services.sharing.open, key, grant=grant)
            except NotAuthenticated:
                password_form(key, bool(wrong), max(0, int(wait)))
                return
            except NotFound:
                gone()
                return
            if view is None:
                return  # the app is shutting down
            ui.page_title(f'{view.title} · Shoebox')
            ui.label(view.title).classes('text-2xl font-medium').mark('share-title')
            if view.description:
                ui.label(view.description).classes('opacity-80').mark('share-description')
            ui.label(markup.plural(len(view.items), 'image')).classes('text-sm opacity-70')
            if not view.items:
                ui.label('Nothing to see here any more.').classes('opacity-70')
                return
            lightbox = Lightbox(key, view)
            grid = ui.html(tiles(key, view.items), sanitize=False).classes('w-full')
            grid.mark('share-grid')
            grid.on('click', lambda e: lightbox.show(int(e.args)), js_handler=OPEN_JS)
