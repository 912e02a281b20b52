"""Administering accounts: the list with usage, disable/enable, promote/demote, quotas, the
instance's figures. Every change is written to the audit log in its own transaction.

The last active administrator can be neither demoted nor disabled (nor deleted: see
AccountService.delete_user): the statements are conditional and serialised, so two
administrators demoting each other at the same moment cannot both succeed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from repo.core import policy
from repo.core.account_rules import normalize_username
from repo.core.actor import Actor
from repo.core.errors import Conflict, Invalid, NotFound
from repo.core.quota import effective_quota
from repo.core.schemas_admin import AccountChanges, AccountSummary, InstanceStats
from repo.db.tables import User, utcnow
from repo.services.accounts import LAST_ADMIN
from repo.services.audit import audit_name

MAX_QUOTA_BYTES = 10**18
MAX_QUOTA_IMAGES = 10**9
INDEX_CURSOR = 'search-index'  # repo.jobs.index_feed.CURSOR


class AdminService:
    def __init__(
        self,
        uow: Callable[[], Any],
        limits: Callable[[], Any],
        *,
        jobs_queued: Callable[[], int] = lambda: 0,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.uow = uow
        self.limits = limits
        self.jobs_queued = jobs_queued
        self.now = now

    def list_users(self, actor: Actor, search: str = '') -> list[AccountSummary]:
        """Accounts by username (those matching `search` in name, display name or email)."""
        policy.require_admin(actor)
        with self.uow() as tx:
            users = tx.account_admin.search(search[:100])
            usage = tx.account_admin.usage_by_owner()
        return [self._summary(u, usage.get(u.id or 0, (0, 0))) for u in users]

    def get_user(self, actor: Actor, username: str) -> AccountSummary:
        policy.require_admin(actor)
        with self.uow() as tx:
            user = self._user(tx, username)
            return self._summary(user, tx.account_admin.usage(user.id))

    def update_user(self, actor: Actor, username: str, changes: AccountChanges) -> AccountSummary:
        """Apply what `changes` sets. Disabling ends the account's sessions at once (its tokens
        answer 401 while it stays disabled). Conflict for the last administrator."""
        policy.require_admin(actor)
        wanted = _checked(changes)
        guarded = not policy.may_skip_last_admin_rule(actor)
        with self.uow() as tx:
            user = self._user(tx, username)
            user_id, name = user.id, user.username
            done: dict[str, Any] = {}
            if wanted.get('is_admin') is False and user.is_admin:
                if not tx.account_admin.demote(user_id, guarded=guarded):
                    raise Conflict(LAST_ADMIN)
                done['is_admin'] = False
            if wanted.get('disabled') is True and not user.disabled:
                if not tx.account_admin.disable(user_id, guarded=guarded):
                    raise Conflict(LAST_ADMIN)
                tx.sessions.end_all(user_id)
                done['disabled'] = True
            if wanted.get('is_admin') is True and not user.is_admin:
                tx.account_admin.set_fields(user_id, is_admin=True)
                done['is_admin'] = True
            if wanted.get('disabled') is False and user.disabled:
                tx.account_admin.set_fields(user_id, disabled=False)
                done['disabled'] = False
            for key in ('quota_bytes', 'quota_images'):
                if key in wanted and wanted[key] != getattr(user, key):
                    tx.account_admin.set_fields(user_id, **{key: wanted[key]})
                    done[key] = wanted[key]
            for key, value in done.items():
                tx.audit.add(audit_name(actor), _action(key, value), name, {key: value},
                             at=self.now())  # fmt: skip
        return self.get_user(actor, name)

    def stats(self, actor: Actor) -> InstanceStats:
        policy.require_admin(actor)
        with self.uow() as tx:
            users, images, total = tx.account_admin.totals()
            pending = tx.event_log.count_after(tx.event_log.cursor(INDEX_CURSOR))
        return InstanceStats(
            users=users,
            images=images,
            bytes=total,
            pending_index_work=pending,
            jobs_queued=self.jobs_queued(),
        )

    # ---- helpers --------------------------------------------------------------------------

    @staticmethod
    def _user(tx: Any, username: str) -> User:
        user = tx.users.by_name(normalize_username(username))
        if user is None:
            raise NotFound(f'No user named "{username}"')
        return user

    def _summary(self, user: User, usage: tuple[int, int]) -> AccountSummary:
        limits = self.limits()
        return AccountSummary(
            id=user.id or 0,
            username=user.username,
            display_name=user.display_name,
            email=user.email,
            is_admin=user.is_admin,
            disabled=user.disabled,
            created_at=user.created_at,
            last_seen_at=user.last_seen_at,
            images=usage[1],
            bytes_used=usage[0],
            quota_bytes=user.quota_bytes,
            quota_images=user.quota_images,
            effective_quota_bytes=effective_quota(user.quota_bytes, limits.default_quota_bytes),
            effective_quota_images=effective_quota(user.quota_images, limits.default_quota_images),
        )


def _checked(changes: AccountChanges) -> dict[str, Any]:
    wanted = {key: getattr(changes, key) for key in changes.fields_set}
    for key in ('disabled', 'is_admin'):
        if key in wanted and wanted[key] is None:
            raise Invalid(f'"{key}" must be true or false')
    for key, top in (('quota_bytes', MAX_QUOTA_BYTES), ('quota_images', MAX_QUOTA_IMAGES)):
        value = wanted.get(key)
        if value is not None and not 0 <= value <= top:
            raise Invalid(f'"{key}" must be between 0 and {top}, or null for the default')
    return wanted


def _action(key: str, value: Any) -> str:
    if key == 'is_admin':
        return 'user.promote' if value else 'user.demote'
    if key == 'disabled':
        return 'user.disable' if value else 'user.enable'
    return 'user.quota'
