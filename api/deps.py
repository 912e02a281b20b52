"""Request dependencies: the services, and who is calling (bearer token, browser session, nobody).

Identity comes only from the `Authorization: Bearer` header or the web app's session; a token in
the query string is never read. A token that is given but unknown or revoked is a 401 even on
routes that allow anonymous visitors, so a script never silently sees less than it should.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, Protocol

from anyio import CapacityLimiter
from fastapi import Depends, Request

from api.offload import offload
from api.origin_guard import foreign_write
from repo.container import Services
from repo.core.actor import Actor
from repo.core.errors import Forbidden, NotAuthenticated, ShoeboxError
from repo.core.schemas import ImagePublic, UserPublic

SessionUser = Callable[[Request], UserPublic | None]
STATE_KEY = 'shoebox_api'
PASSWORD_THREADS = 2
SAFE_METHODS = frozenset({'GET', 'HEAD', 'OPTIONS'})
# Credentials for a reverse proxy in front of Shoebox (e.g. nginx basic auth): not ours to judge.
PROXY_SCHEMES = frozenset({'basic', 'digest', 'negotiate', 'ntlm'})


class UploadObserver(Protocol):
    """Told what one labelled upload came to: `image` when added, else `error`."""

    def __call__(
        self,
        request: Request,
        *,
        key: str,
        name: str,
        user: UserPublic,
        image: ImagePublic | None,
        error: ShoeboxError | None,
    ) -> Awaitable[None]: ...


@dataclass
class ApiContext:
    """What register() hands to the routes, kept on `app.state`.

    `password_slots` bounds concurrent argon2 work (64 MiB of memory each) for sign-up and
    sign-in. (Uploads have threads of their own: `api.offload.image_jobs`.)
    """

    services: Services
    session_user: SessionUser | None = None
    upload_observer: UploadObserver | None = None  # the upload page's list of outcomes
    password_slots: CapacityLimiter = field(
        default_factory=lambda: CapacityLimiter(PASSWORD_THREADS)
    )


@dataclass(frozen=True)
class Caller:
    user: UserPublic | None
    token: str | None = None  # the bearer token, when the request carried one

    @property
    def actor(self) -> Actor:
        return Actor.of(self.user)


class InvalidToken(NotAuthenticated):
    challenge = 'Bearer error="invalid_token"'

    def __init__(self) -> None:
        super().__init__('Invalid or revoked token')


def context(request: Request) -> ApiContext:
    return getattr(request.app.state, STATE_KEY)


async def get_services(request: Request) -> Services:
    """`async` only so that FastAPI calls it in place: a plain `def` costs a thread hop."""
    return context(request).services


def caller_of(request: Request) -> Caller:
    """Who is asking. Blocking (it reads the database): call it from a worker thread."""
    ctx = context(request)
    header = request.headers.get('authorization')
    scheme, _, token = (header or '').strip().partition(' ')
    if header is not None and scheme.lower() not in PROXY_SCHEMES:
        token = token.strip()
        if scheme.lower() != 'bearer' or not token:
            raise InvalidToken()
        user = ctx.services.signin.token_user(token)
        if user is None:
            raise InvalidToken()
        return Caller(user, token)
    if ctx.session_user is None:
        return Caller(None)
    user = ctx.session_user(request)
    if user is not None and _foreign_write(request, ctx):
        raise CrossOriginRefused()
    return Caller(user)


class CrossOriginRefused(Forbidden):
    def __init__(self) -> None:
        super().__init__(
            'Refused: this request changes something with your browser session but comes from '
            'another site (its Origin is not this app)'
        )


def _foreign_write(request: Request, ctx: ApiContext) -> bool:
    """A browser's state-changing request that another origin made it send: its cookies are
    not trusted (SameSite=Lax cookies already stop most; api/origin_guard.py says why)."""
    if request.method in SAFE_METHODS:
        return False
    public = ctx.services.settings.public_origins
    return foreign_write(
        request.method, request.headers, request.scope.get('scheme', 'http'), public
    )


async def get_caller(request: Request) -> Caller:
    """caller_of() on the `offload` threads. As a plain `def` dependency FastAPI would send it
    through anyio's thread pool, which costs more per call than the lookup itself, on every
    API request."""
    return await offload.run(caller_of, request)


async def get_account(caller: Annotated[Caller, Depends(get_caller)]) -> UserPublic:
    if caller.user is None:
        raise NotAuthenticated('Not authenticated')
    return caller.user


async def get_context(request: Request) -> ApiContext:
    return context(request)


ContextDep = Annotated[ApiContext, Depends(get_context)]
ServicesDep = Annotated[Services, Depends(get_services)]
CallerDep = Annotated[Caller, Depends(get_caller)]
AccountDep = Annotated[UserPublic, Depends(get_account)]


def actor_of(user: UserPublic) -> Actor:
    return Actor.of(user)
