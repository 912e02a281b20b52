"""The audit log, password reset links and stored runtime settings."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from repo.db import dialect
from repo.db.tables import User
from repo.db.tables_admin import AuditEntry, PasswordReset, RuntimeSetting


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class AuditRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(
        self, actor: str, action: str, target: str = '', details: dict[str, Any] | None = None,
        *, at: datetime,
    ) -> None:  # fmt: skip
        text = json.dumps(details, sort_keys=True, default=str) if details else ''
        self.session.add(AuditEntry(at=at, actor=actor, action=action, target=target, details=text))
        self.session.flush()

    def page(self, limit: int, offset: int) -> list[AuditEntry]:
        query = (
            select(AuditEntry)
            .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
            .offset(offset)
            .limit(limit)
        )
        return list(self.session.exec(query))


class ResetRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def replace(self, user_id: int, token: str, *, now: datetime, expires_at: datetime) -> None:
        """A new link for the account; its earlier links stop working."""
        self.session.exec(delete(PasswordReset).where(col(PasswordReset.user_id) == user_id))
        self.session.add(
            PasswordReset(
                token_hash=digest(token), user_id=user_id, created_at=now, expires_at=expires_at
            )
        )
        self.session.flush()

    def live_user(self, token: str, now: datetime) -> User | None:
        """The account of an unused, unexpired link."""
        row = self.session.get(PasswordReset, digest(token))
        if row is None or row.used_at is not None or row.expires_at <= now:
            return None
        return self.session.get(User, row.user_id)

    def use(self, token: str, now: datetime) -> int | None:
        """Mark the link used, once: a conditional update, so two uses racing cannot both win.
        The account id, or None when the link is unknown, used or expired."""
        row = self.session.get(PasswordReset, digest(token))
        if row is None:
            return None
        result = self.session.exec(
            update(PasswordReset)
            .where(
                col(PasswordReset.token_hash) == digest(token),
                col(PasswordReset.used_at).is_(None),
                col(PasswordReset.expires_at) > now,
            )
            .values(used_at=now)
        )
        return row.user_id if result.rowcount == 1 else None


class RuntimeSettingRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def all(self) -> dict[str, Any]:
        rows = self.session.exec(select(RuntimeSetting))
        return {r.key: json.loads(r.value) for r in rows}

    def put(self, key: str, value: Any, now: datetime) -> None:
        conn = self.session.connection()
        dialect.upsert(
            conn,
            RuntimeSetting,
            ['key'],
            {'key': key, 'value': json.dumps(value), 'updated_at': now},
        )
