"""/albums: your albums and public ones, with covers and counts; making a new one."""

from __future__ import annotations

from fastapi import Request
from nicegui import run, ui

from pages import markup
from pages.layout import frame
from pages.session import acting_user, current_user, here, session_id
from repo.container import Services
from repo.core.actor import Actor
from repo.core.errors import ShoeboxError
from repo.core.schemas_sharing import AlbumCreate, AlbumPublic
from repo.core.visibility import Visibility


def album_card(album: AlbumPublic) -> str:
    cover = (
        f'<img src="{markup.image_url(album.cover_image_id)}" loading="lazy" alt="">'
        if album.cover_image_id
        else '<i class="material-icons sb-album-empty" aria-hidden="true">photo_album</i>'
    )
    lock = (
        '<i class="material-icons" aria-hidden="true" title="Private">lock</i>'
        if album.visibility == Visibility.private
        else ''
    )
    return (
        f'<a class="sb-album" href="/albums/{markup.text(album.id)}">'
        f'<span class="sb-album-cover">{cover}</span>'
        f'<span class="sb-album-title">{lock}{markup.text(album.title)}</span>'
        f'<span class="sb-album-meta">{markup.text(markup.plural(album.count, "image"))} · '
        f'@{markup.text(album.owner)}</span></a>'
    )


async def new_album_dialog(services: Services, session: str | None) -> AlbumPublic | None:
    with ui.dialog() as dialog, ui.card().classes('w-full max-w-md gap-3').mark('new-album'):
        ui.label('New album').classes('text-lg font-medium')
        title = ui.input('Title').props('outlined autofocus maxlength=200').classes('w-full')
        title.mark('album-title-input')
        description = ui.textarea('Description').props('outlined autogrow maxlength=5000')
        description.classes('w-full')
        public = ui.switch('Public (each image still shows only to whom it may)')
        with ui.row().classes('w-full justify-end gap-2'):
            ui.button('Cancel', on_click=lambda: dialog.submit(None)).props('flat no-caps')
            ui.button('Create', on_click=lambda: dialog.submit(True)).props(
                'unelevated no-caps'
            ).mark('album-create')
    result = await dialog
    dialog.delete()
    if result is not True:
        return None
    user = acting_user(services, session)
    if user is None:
        return None
    wanted = AlbumCreate(
        title=title.value or '', description=description.value or '',
        visibility=Visibility.public if public.value else Visibility.private,
    )  # fmt: skip
    try:
        return await run.io_bound(services.albums.create, Actor.of(user), wanted)
    except ShoeboxError as exc:
        ui.notify(exc.message, type='negative')
        return None


def create(services: Services) -> None:
    @ui.page('/albums')
    async def albums_page(request: Request, owner: str = '') -> None:
        user = current_user(services)
        session = session_id()
        with frame(services, user, title='Albums', next_path=here(request)):
            with ui.row().classes('w-full items-center'):
                ui.label('Albums').classes('text-2xl font-medium grow')
                if user is not None:

                    async def make() -> None:
                        album = await new_album_dialog(services, session)
                        if album is not None:
                            ui.navigate.to(f'/albums/{album.id}')

                    ui.button('New album', icon='add', on_click=make).props(
                        'unelevated no-caps'
                    ).mark('new-album-button')
            try:
                albums = await run.io_bound(
                    services.albums.list, Actor.of(user), owner.strip() or None
                )
            except ShoeboxError as exc:
                ui.label(exc.message).classes('text-negative')
                return
            if not albums:
                ui.label('No albums yet.').classes('opacity-70').mark('no-albums')
                return
            cards = ''.join(album_card(a) for a in albums)
            ui.html(f'<div class="sb-albums">{cards}</div>', sanitize=False).classes('w-full').mark(
                'albums'
            )
