"""A new browser id at every change of privilege, so a cookie planted or stolen before is worthless.

The browser's `session` cookie (Starlette's signed SessionMiddleware cookie) holds NiceGUI's
browser id; the server-side storage of that id holds the login session (pages/session.py).
Signing in happens over the page's websocket, which cannot set a cookie, so:

1. The pages where privilege changes (sign-in, sign-up, account) give the browser a fresh id as
   they load (`fresh_browser_id`): whatever id a visitor brought, planted by someone else or not,
   the page works under one the server just made and sent only in this response.
2. When the password checks out, the login session is created and parked in that storage as a
   hand-off, and the page navigates to RENEW_PATH. It is not the browser's login yet: the id
   still has no session in it.
3. RENEW_PATH (a plain HTTP request, so it can set the cookie) moves the hand-off into the
   storage of yet another new id, sets that id in the cookie, empties the old storage and ends
   the login session that was there before. Then it redirects to where the visitor was going.

A cookie captured before step 3 names storage that is empty afterwards: it is worth nothing.
Step 1 is what keeps step 3 safe: the hand-off sits in storage only the signing-in browser's
cookie names, so someone holding an older cookie cannot collect it first. Nothing secret travels
in a URL. Moving a browser to a new id needs NiceGUI's internals, so main.py hands that in
(`move_browser`, from api/nicegui_internals.py).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from nicegui import app, ui

from pages.session import SESSION_KEY, SIGN_IN_PATH, safe_next, session_id
from repo.container import Services
from repo.core.actor import ANONYMOUS, Actor

RENEW_PATH = '/session/renew'
HANDOFF_KEY = 'handoff'
HANDOFF_SECONDS = 120  # from a correct password to the browser's next request
# (request, what the new id's storage holds): the browser of the request gets a new id, its old
# storage is emptied, and the response sets the new cookie.
MoveBrowser = Callable[[Request, dict[str, Any]], Awaitable[None]]


class SessionRotation:
    def __init__(self, services: Services, move_browser: MoveBrowser) -> None:
        self.services = services
        self.move_browser = move_browser

    async def fresh_browser_id(self, request: Request, *, keep_login: bool = False) -> None:
        """Step 1: the page being built runs under a new browser id (see the module docstring).

        With keep_login the signed-in session moves along (the account page); otherwise the new
        storage starts empty (sign-in and sign-up, where nobody is signed in).
        """
        current = session_id()
        await self.move_browser(request, {SESSION_KEY: current} if keep_login and current else {})

    def hand_off(self, user_id: int, next_path: str) -> None:
        """Step 2, in the page's event handler: a new login session for user_id, parked for
        RENEW_PATH, and the browser sent there (it comes back to next_path)."""
        storage = app.storage.user
        self._end(storage.pop(HANDOFF_KEY, None))
        storage[HANDOFF_KEY] = {
            'session': self.services.signin.start_session(Actor.user(user_id)),
            'next': safe_next(next_path),
            'expires': time.time() + HANDOFF_SECONDS,
        }
        ui.navigate.to(RENEW_PATH)

    def _end(self, handoff: object) -> None:
        if isinstance(handoff, dict) and isinstance(handoff.get('session'), str):
            self.services.signin.end_session(ANONYMOUS, handoff['session'])

    async def renew(self, request: Request) -> RedirectResponse:
        """Step 3: the hand-off becomes the browser's login, under a new cookie."""
        storage = app.storage.user
        handoff = storage.pop(HANDOFF_KEY, None)
        valid = (
            isinstance(handoff, dict)
            and isinstance(handoff.get('session'), str)
            and isinstance(handoff.get('expires'), int | float)
            and handoff['expires'] >= time.time()
        )
        if not valid:
            self._end(handoff)
            return RedirectResponse(SIGN_IN_PATH, status_code=303)
        assert isinstance(handoff, dict)
        previous = storage.get(SESSION_KEY)
        await self.move_browser(request, {SESSION_KEY: handoff['session']})
        if isinstance(previous, str) and previous != handoff['session']:
            self.services.signin.end_session(ANONYMOUS, previous)
        headers = {'Cache-Control': 'no-store'}
        return RedirectResponse(safe_next(handoff.get('next')), status_code=303, headers=headers)

    def register(self, fastapi_app: FastAPI) -> None:
        fastapi_app.add_api_route(RENEW_PATH, self.renew, methods=['GET'], include_in_schema=False)
