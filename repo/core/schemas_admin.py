"""The shapes administration hands out: account summaries, usage, audit entries, stats."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel


class UsagePublic(BaseModel):
    bytes_used: int
    images: int
    quota_bytes: int | None  # what applies to the account; None: unlimited
    quota_images: int | None


class AccountSummary(BaseModel):
    """One account as the administrator sees it. `quota_*` are the account's own values
    (None: the instance default applies); `effective_quota_*` what applies (None: unlimited)."""

    id: int
    username: str
    display_name: str
    email: str | None
    is_admin: bool
    disabled: bool
    created_at: datetime
    last_seen_at: datetime | None
    images: int
    bytes_used: int
    quota_bytes: int | None
    quota_images: int | None
    effective_quota_bytes: int | None = None
    effective_quota_images: int | None = None


class AccountChanges(BaseModel):
    """An administrator's change to an account; fields not set are left alone. For the quotas,
    an explicit None means "the instance default"."""

    disabled: bool | None = None
    is_admin: bool | None = None
    quota_bytes: int | None = None
    quota_images: int | None = None
    fields_set: frozenset[str] = frozenset()


class AuditRecord(BaseModel):
    id: int
    who: str
    what: str
    whom: str
    when: datetime
    details: dict[str, Any] = {}


class InstanceStats(BaseModel):
    users: int
    images: int
    bytes: int
    pending_index_work: int
    jobs_queued: int


class ResetLink(BaseModel):
    token: str  # the secret: shown once to whoever asked, never logged nor stored
    path: str  # '/reset/<token>'
    expires_at: datetime
