"""The account page's export: everything of yours as one zip (GET /api/v1/export)."""

from __future__ import annotations

from nicegui import ui

from pages import markup
from repo.container import Services
from repo.core.actor import Actor
from repo.core.schemas import UserPublic


class ExportSection:
    def __init__(self, services: Services, user: UserPublic) -> None:
        info = services.export.info(Actor.of(user))
        ui.label('Export').classes('text-lg font-medium')
        ui.label(
            'All your originals under their file names, with images.json: titles, '
            'descriptions, tags, visibility and dates. The zip starts downloading at once.'
        ).classes('text-sm opacity-70')
        ui.label(
            f'{markup.plural(info.images, "image")}, {markup.file_size(info.original_bytes)}'
        ).classes('text-sm').mark('export-size')
        # A plain link: the browser downloads the zip as it streams (the session cookie
        # authenticates the GET); no file is ever built in the page.
        ui.button('Download everything (zip)', icon='download').props(
            'href=/api/v1/export type=a unelevated no-caps'
        ).mark('export')
