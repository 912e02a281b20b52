"""The home page: public images for now (the full gallery is built on top of this)."""

from __future__ import annotations

from nicegui import ui

from repo.library import Library


def create(library: Library) -> None:
    @ui.page('/')
    def home() -> None:
        ui.label('Shoebox').classes('text-2xl font-bold')
        page = library.list(None, limit=60)
        if not page.items:
            ui.label('No public images yet.').classes('text-grey-7')
        for image in page.items:
            ui.label(image.title)
