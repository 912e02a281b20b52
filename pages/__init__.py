"""NiceGUI pages. They talk to the Library only."""

from __future__ import annotations

from repo.library import Library


def register(library: Library) -> None:
    from pages import home

    home.create(library)
