"""REST API v1 under /api/v1. Talks to the Library only."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI, Request

from repo.library import Library
from repo.models import UserPublic

SessionUser = Callable[[Request], UserPublic | None]


def register(app: FastAPI, library: Library, session_user: SessionUser | None = None) -> None:
    """Add the /api/v1 routes and the HTTP guards (security headers, body limits) to `app`."""
