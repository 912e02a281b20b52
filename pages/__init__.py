"""NiceGUI pages. They talk to the Library only (and get *Public models back)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request

from repo.library import Library
from repo.models import UserPublic


def register(library: Library) -> None:
    """Add every page (one module per page, sharing pages.layout.frame)."""
    from pages import (
        account,
        duplicates,
        home,
        image_page,
        layout,
        search_by_image,
        signin,
        signup,
        tags,
        upload,
    )

    layout.add_shared_assets()
    home.create(library)
    image_page.create(library)
    upload.create(library)
    signin.create(library)
    signup.create(library)
    account.create(library)
    search_by_image.create(library)
    duplicates.create(library)
    tags.create(library)


def upload_observer(library: Library):  # type: ignore[no-untyped-def]
    """How the API tells the upload page what came of each file its uploader sent."""
    from pages.upload_outcomes import observer

    return observer(library)


def session_user(library: Library) -> Callable[[Request], UserPublic | None]:
    """How the API recognises a signed-in browser (the web app's session).

    NiceGUI's middleware has put this request in context, so app.storage.user is the browser's
    server-side storage; the session id kept there is checked against the database each time.
    """
    from pages.session import session_id

    def resolve(request: Request) -> UserPublic | None:
        return library.sessions.user(session_id())

    return resolve
