"""NiceGUI pages. They talk to the Services only (and get *Public models back)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request

from repo.container import Services
from repo.core.schemas import UserPublic


def register(
    services: Services, move_browser: Callable[[Request, dict[str, Any]], Awaitable[None]]
) -> None:
    """Add every page (one module per page, sharing pages.layout.frame). `move_browser` gives a
    browser a new id (pages/session_rotation.py; api.nicegui_internals.move_browser)."""
    from nicegui import app

    from pages import (
        account,
        admin,
        album_page,
        albums,
        cart,
        duplicates,
        home,
        image_page,
        layout,
        orders,
        reset,
        search_by_image,
        session_rotation,
        share_page,
        shares,
        shop,
        signin,
        signup,
        tags,
        trash,
        upload,
    )

    layout.add_shared_assets()
    rotation = session_rotation.SessionRotation(services, move_browser)
    rotation.register(app)
    home.create(services)
    image_page.create(services)
    upload.create(services)
    signin.create(services, rotation)
    signup.create(services, rotation)
    account.create(services, rotation)
    search_by_image.create(services)
    duplicates.create(services)
    tags.create(services)
    admin.create(services)
    reset.create(services)
    shop.create(services)
    cart.create(services)
    orders.create(services)
    share_page.create(services)
    shares.create(services)
    albums.create(services)
    album_page.create(services)
    trash.create(services)


def upload_observer(services: Services):  # type: ignore[no-untyped-def]
    """How the API tells the upload page what came of each file its uploader sent."""
    from pages.upload_outcomes import observer

    return observer(services)


def session_user(services: Services) -> Callable[[Request], UserPublic | None]:
    """How the API recognises a signed-in browser (the web app's session).

    NiceGUI's middleware has put this request in context, so app.storage.user is the browser's
    server-side storage; the session id kept there is checked against the database each time.
    """
    from pages.session import session_id

    def resolve(request: Request) -> UserPublic | None:
        return services.signin.session_user(session_id())

    return resolve
