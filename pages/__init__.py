"""NiceGUI pages. They talk to the Services only (and get *Public models back)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request

from repo.container import Services
from repo.core.schemas import UserPublic


def register(services: Services) -> None:
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
    home.create(services)
    image_page.create(services)
    upload.create(services)
    signin.create(services)
    signup.create(services)
    account.create(services)
    search_by_image.create(services)
    duplicates.create(services)
    tags.create(services)


def session_user(services: Services) -> Callable[[Request], UserPublic | None]:
    """How the API recognises a signed-in browser (the web app's session).

    NiceGUI's middleware has put this request in context, so app.storage.user is the browser's
    server-side storage; the session id kept there is checked against the database each time.
    """
    from pages.session import session_id

    def resolve(request: Request) -> UserPublic | None:
        return services.signin.session_user(session_id())

    return resolve
