"""Tables of administration: the audit log, password reset links, runtime settings.

Imported at the end of repo/db/tables.py so that SQLModel.metadata has them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, String
from sqlmodel import Field, SQLModel


def _utcnow() -> datetime:
    return datetime.now(UTC)


class AuditEntry(SQLModel, table=True):
    """One administrative action: who did what to whom, when. Names, not ids, so that an entry
    still reads right after the accounts in it are gone."""

    __table_args__ = (Index('ix_auditentry_at', 'at'),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=_utcnow)
    actor: str  # username, or 'system' for the command line on the data folder
    action: str  # e.g. 'user.disable', 'settings.update'
    target: str = ''  # username (or '' for instance-wide actions)
    details: str = ''  # JSON: what changed (never a secret)


class PasswordReset(SQLModel, table=True):
    """A one-time link to set a new password. Only the SHA-256 of its token is stored."""

    token_hash: str = Field(primary_key=True)
    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey('user.id', ondelete='CASCADE'), nullable=False, index=True
        )
    )
    created_at: datetime = Field(default_factory=_utcnow)
    expires_at: datetime
    used_at: datetime | None = None


class RuntimeSetting(SQLModel, table=True):
    """A setting an administrator changed while Shoebox runs; it wins over the start-up value.
    `value` is JSON (null, a number, a boolean)."""

    key: str = Field(sa_column=Column(String, primary_key=True))
    value: str
    updated_at: datetime = Field(default_factory=_utcnow)
