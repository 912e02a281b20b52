"""Administration under /api/v1/admin: accounts, settings, figures, the audit log.

Every route first checks the caller (before reading any body): anonymous -> 401, an account
that is not an administrator -> 403, a token without the `admin` scope -> 403.
"""

from __future__ import annotations

from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Depends, Query, Request, Response

from api.deps import CallerDep, ContextDep, ServicesDep
from api.errors import ShoeboxRoute, responses
from api.schemas_admin import (
    AdminUserIn,
    AdminUserOut,
    AdminUserPatch,
    AuditOut,
    ResetOut,
    SettingsOut,
    SettingsPatch,
    StatsOut,
)
from repo.core import policy
from repo.core.actor import Actor
from repo.core.schemas_admin import AccountChanges

PREFIX = '/admin'
ADMIN_ONLY = {
    401: 'Not signed in, or the token is invalid or revoked',
    403: 'Not an administrator, or the token lacks the `admin` scope',
}


async def admin_actor(caller: CallerDep) -> Actor:
    """The caller, if an administrator (raises 401/403 otherwise)."""
    actor = caller.actor
    policy.require_admin(actor)
    return actor


AdminDep = Annotated[Actor, Depends(admin_actor)]
router = APIRouter(
    prefix=PREFIX,
    route_class=ShoeboxRoute,
    tags=['admin'],
    dependencies=[Depends(admin_actor)],
)


def _responses(*statuses: int, **described: str) -> dict:
    return responses(
        401, 403, *statuses, **{f'r{k}': v for k, v in ADMIN_ONLY.items()}, **described
    )


@router.get('/users', summary='Every account, with its usage and quotas', responses=_responses(422))
def list_users(
    actor: AdminDep,
    services: ServicesDep,
    q: Annotated[str, Query(max_length=100, description='Part of a name or email')] = '',
) -> list[AdminUserOut]:
    return [AdminUserOut.of(s) for s in services.admin.list_users(actor, q)]


@router.post(
    '/users',
    status_code=201,
    summary='Create an account',
    description='Also while sign-up is closed. With `must_change_password`, its owner chooses '
    'a new password when first signing in.',
    responses=_responses(400, 409, 422, r409='The username is taken', r422='A rule is broken'),
)
async def create_user(body: AdminUserIn, actor: AdminDep, ctx: ContextDep) -> AdminUserOut:
    services = ctx.services
    user = await to_thread.run_sync(
        lambda: services.accounts.create_user(
            actor,
            body.username,
            body.password,
            display_name=body.display_name,
            email=body.email,
            is_admin=body.is_admin or None,
            must_change_password=body.must_change_password,
        ),
        limiter=ctx.password_slots,
    )
    return AdminUserOut.of(services.admin.get_user(actor, user.username))


@router.patch(
    '/users/{username}',
    summary='Disable or enable, promote or demote, set quotas',
    description='Any of `disabled`, `is_admin`, `quota_bytes`, `quota_images` (null: the '
    "instance default). Disabling ends the account's sessions at once; its tokens answer 401 "
    'while it stays disabled; its images stay.',
    responses=_responses(
        400, 404, 409, 422, r404='No such account', r409='This is the last administrator'
    ),
)
def update_user(
    username: str, body: AdminUserPatch, actor: AdminDep, services: ServicesDep
) -> AdminUserOut:
    changes = AccountChanges(**body.model_dump(), fields_set=frozenset(body.model_fields_set))
    return AdminUserOut.of(services.admin.update_user(actor, username, changes))


@router.delete(
    '/users/{username}',
    status_code=204,
    summary='Delete an account and everything it owns',
    responses=_responses(404, 409, r404='No such account', r409='This is the last administrator'),
)
def delete_user(username: str, actor: AdminDep, services: ServicesDep) -> Response:
    user = services.admin.get_user(actor, username)
    services.accounts.delete_user(actor, user.id)
    return Response(status_code=204)


@router.post(
    '/users/{username}/password-reset',
    summary='A one-time link to set a new password',
    description='Valid for an hour, once; a newer link replaces it. Using it ends every session '
    'and token of the account. Hand it to its owner yourself (it is shown only here).',
    responses=_responses(404, r404='No such account'),
)
def password_reset(
    username: str, request: Request, actor: AdminDep, services: ServicesDep
) -> ResetOut:
    link = services.resets.create_link(actor, username)
    base = str(request.base_url).rstrip('/')
    return ResetOut(reset_url=base + link.path, expires_at=link.expires_at)


@router.get('/settings', summary='The settings in force', responses=_responses())
def get_settings(actor: AdminDep, services: ServicesDep) -> SettingsOut:
    return SettingsOut.model_validate(services.runtime.view(actor))


@router.patch(
    '/settings',
    summary='Change settings (in force at once, without a restart)',
    responses=_responses(400, 422),
)
def patch_settings(body: SettingsPatch, actor: AdminDep, services: ServicesDep) -> SettingsOut:
    return SettingsOut.model_validate(services.runtime.update(actor, body.changes()))


@router.get(
    '/stats',
    summary='Accounts, images, bytes, pending index work, queued jobs',
    responses=_responses(),
)
def stats(actor: AdminDep, services: ServicesDep) -> StatsOut:
    return StatsOut.of(services.admin.stats(actor))


@router.get('/audit', summary='The audit log, newest first', responses=_responses(422))
def audit(
    actor: AdminDep,
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[AuditOut]:
    return [AuditOut.of(r) for r in services.audit.page(actor, limit=limit, offset=offset)]
