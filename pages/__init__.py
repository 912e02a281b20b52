"""NiceGUI pages. They talk to the Library only."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request

from repo.library import Library
from repo.models import UserPublic


def register(library: Library) -> None:
    from pages import home

    home.create(library)


def session_user(library: Library) -> Callable[[Request], UserPublic | None]:
    """How the API recognises a signed-in browser (the web app's session)."""

    def resolve(request: Request) -> UserPublic | None:
        return None

    return resolve
