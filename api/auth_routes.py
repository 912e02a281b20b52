"""Accounts and personal API tokens: sign up, get a token, who am I, revoke the token."""

from __future__ import annotations

from anyio import to_thread
from fastapi import APIRouter, Request, Response

from api.deps import AccountDep, CallerDep, ContextDep, ServicesDep, actor_of
from api.errors import ShoeboxRoute, responses
from api.schemas import SignupIn, TokenIn, TokenOut, UserOut
from api.schemas_admin import MeOut
from repo.core.actor import ANONYMOUS
from repo.core.errors import Forbidden, NotAuthenticated

router = APIRouter(route_class=ShoeboxRoute, tags=['auth'])


@router.post(
    '/auth/signup',
    status_code=201,
    summary='Create an account',
    responses=responses(
        400,
        403,
        409,
        413,
        422,
        r403='Sign-up is switched off on this server',
        r409='The username is taken',
        r422='A rule is broken (username, password strength, email); the detail names it',
    ),
)
async def signup(body: SignupIn, ctx: ContextDep) -> UserOut:
    services = ctx.services
    if not services.limits().open_signup:
        raise Forbidden('Sign-up is switched off on this server; ask an administrator')
    user = await to_thread.run_sync(
        lambda: services.accounts.create_user(
            ANONYMOUS,
            body.username,
            body.password,
            display_name=body.display_name,
            email=body.email,
        ),
        limiter=ctx.password_slots,
    )
    return UserOut.of(user)


@router.post(
    '/auth/token',
    summary='Get a personal API token',
    description=(
        'Send it as `Authorization: Bearer <token>`. It is shown only once. `scopes` limit what '
        'it may do (default: all that the account may); a request outside them is answered '
        '403 `{"detail": "This token may not ..."}`. `expires_in`: seconds until it stops.'
    ),
    responses=responses(
        400,
        401,
        403,
        413,
        422,
        429,
        r401='Invalid username or password (the same answer for both)',
        r403='The account must set a new password first (on the web app)',
        r422='An unknown scope, a scope the account may not have, or a bad `expires_in`',
    ),
)
async def create_token(body: TokenIn, request: Request, ctx: ContextDep) -> TokenOut:
    signin = ctx.services.signin
    address = request.client.host if request.client else None
    user = await to_thread.run_sync(
        signin.authenticate,
        ANONYMOUS,
        body.username,
        body.password,
        address,
        limiter=ctx.password_slots,
    )
    token, _ = await to_thread.run_sync(
        lambda: signin.create_token(
            actor_of(user), body.name or '', scopes=body.scopes, expires_in=body.expires_in
        )
    )
    return TokenOut(access_token=token)


@router.delete(
    '/auth/token',
    status_code=204,
    summary='Revoke the token used for this request',
    responses=responses(401, r401='No bearer token was sent, or it is invalid or revoked'),
)
def revoke_token(caller: CallerDep, services: ServicesDep) -> Response:
    if caller.token is None:
        raise NotAuthenticated('Not authenticated')
    services.signin.revoke_token_value(caller.actor, caller.token)
    return Response(status_code=204)


@router.get(
    '/me',
    summary='The signed-in user, with their usage and quotas',
    responses=responses(401),
)
def me(user: AccountDep, services: ServicesDep) -> MeOut:
    return MeOut.of_me(user, services.quotas.usage(actor_of(user)))
