"""Quotas per account: usage, and the check every upload passes.

The check runs twice: a quick one before the Pillow work and the blobs (so a full account
wastes nothing), and the one that counts, inside the insert's transaction under a per-owner
lock (`check_in`): ten uploads racing for the last room serialise there and cannot overshoot.
Accounts without any quota skip the counting altogether.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from repo.core import policy
from repo.core.actor import Actor
from repo.core.errors import NotFound
from repo.core.quota import Usage, effective_quota
from repo.core.schemas_admin import UsagePublic
from repo.db.tables import User


class QuotaService:
    def __init__(self, uow: Callable[[], Any], limits: Callable[[], Any]) -> None:
        self.uow = uow
        self.limits = limits  # asked each time: the defaults may change while running

    def usage(self, actor: Actor) -> UsagePublic:
        """The caller's own usage and the quotas that apply to it."""
        user_id = policy.require_user(actor)
        with self.uow() as tx:
            user = tx.users.get(user_id)
            if user is None:
                raise NotFound('User not found')
            usage = self.usage_in(tx, user, count_always=True)
        return UsagePublic(
            bytes_used=usage.bytes_used,
            images=usage.images,
            quota_bytes=usage.quota_bytes,
            quota_images=usage.quota_images,
        )

    def quotas_of(self, user: User) -> tuple[int | None, int | None]:
        limits = self.limits()
        return (
            effective_quota(user.quota_bytes, limits.default_quota_bytes),
            effective_quota(user.quota_images, limits.default_quota_images),
        )

    def usage_in(self, tx: Any, user: User, *, count_always: bool = False) -> Usage:
        quota_bytes, quota_images = self.quotas_of(user)
        if quota_bytes is None and quota_images is None and not count_always:
            return Usage(0, 0, None, None)
        assert user.id is not None
        used_bytes, images = tx.account_admin.usage(user.id)
        return Usage(used_bytes, images, quota_bytes, quota_images)

    def precheck(self, tx: Any, owner_id: int, size: int) -> None:
        """Before any work: QuotaExceeded if the upload cannot fit now (no lock: a hint)."""
        user = tx.users.get(owner_id)
        if user is not None:
            self.usage_in(tx, user).check(size)

    def check_in(self, tx: Any, owner_id: int, size: int) -> None:
        """Inside the insert's transaction: lock the owner, count, refuse (QuotaExceeded) or let
        the insert go on; the lock holds until the commit."""
        user = tx.users.get(owner_id)
        if user is None:
            return  # the insert's foreign key refuses it
        quota_bytes, quota_images = self.quotas_of(user)
        if quota_bytes is None and quota_images is None:
            return
        tx.account_admin.lock_owner(owner_id)
        self.usage_in(tx, user).check(size)
