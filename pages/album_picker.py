""" "Add to album": pick one of your albums (or make one) for some of your images."""

from __future__ import annotations

from nicegui import run, ui

from pages.albums import new_album_dialog
from pages.markup import plural
from pages.session import acting_user
from repo.container import Services
from repo.core.actor import Actor
from repo.core.errors import ShoeboxError

NEW = '__new__'


async def add_to_album(services: Services, session: str | None, image_ids: list[str]) -> bool:
    """True when the images were added to an album."""
    user = acting_user(services, session)
    if user is None or not image_ids:
        return False
    actor = Actor.of(user)
    albums = await run.io_bound(services.albums.list, actor, user.username)
    with ui.dialog() as dialog, ui.card().classes('w-full max-w-sm gap-2').mark('album-picker'):
        ui.label(f'Add {plural(len(image_ids), "image")} to an album').classes(
            'text-lg font-medium'
        )
        with ui.column().classes('w-full gap-1 max-h-[50vh] overflow-auto'):
            for album in albums or []:
                ui.button(
                    album.title, icon='photo_album', on_click=lambda a=album.id: dialog.submit(a)
                ).props('flat no-caps align=left').classes('w-full').mark('pick-album')
        ui.button('New album…', icon='add', on_click=lambda: dialog.submit(NEW)).props(
            'outline no-caps'
        ).classes('w-full').mark('pick-new-album')
        ui.button('Cancel', on_click=lambda: dialog.submit(None)).props('flat no-caps')
    chosen = await dialog
    dialog.delete()
    if chosen == NEW:
        made = await new_album_dialog(services, session)
        chosen = made.id if made is not None else None
    if not isinstance(chosen, str):
        return False
    try:
        album = await run.io_bound(services.albums.add_images, actor, chosen, image_ids)
    except ShoeboxError as exc:
        ui.notify(exc.message, type='negative')
        return False
    if album is None:
        return False
    ui.notify(f'Added to “{album.title}”', type='positive')
    return True
