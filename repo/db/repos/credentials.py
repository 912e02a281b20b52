"""Login sessions and personal API tokens. Only SHA-256 hashes of the secrets are stored."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from repo.db.tables import ApiToken, LoginSession, User, utcnow

TOKEN_TOUCH_EVERY = timedelta(minutes=1)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class SessionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, session_id: str, user_id: int, expires_at: datetime) -> None:
        self.session.add(
            LoginSession(id_hash=digest(session_id), user_id=user_id, expires_at=expires_at)
        )
        self.session.flush()

    def user(self, session_id: str) -> User | None:
        """The account of a live session; an expired one is removed on the way."""
        row = self.session.get(LoginSession, digest(session_id))
        if row is None:
            return None
        if row.expires_at <= utcnow():
            self.session.delete(row)
            return None
        return self.session.get(User, row.user_id)

    def end(self, session_id: str) -> None:
        self.session.exec(
            delete(LoginSession).where(col(LoginSession.id_hash) == digest(session_id))
        )

    def end_all(self, user_id: int, *, keep: str | None = None) -> int:
        query = delete(LoginSession).where(col(LoginSession.user_id) == user_id)
        if keep:
            query = query.where(col(LoginSession.id_hash) != digest(keep))
        return self.session.exec(query).rowcount or 0


class TokenRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(
        self,
        user_id: int,
        name: str,
        token: str,
        *,
        scopes: str | None = None,
        expires_at: datetime | None = None,
    ) -> ApiToken:
        row = ApiToken(user_id=user_id, name=name, token_hash=digest(token), expires_at=expires_at)
        if scopes is not None:
            row.scopes = scopes
        self.session.add(row)
        self.session.flush()
        return row

    def user(self, token: str) -> User | None:
        found = self.holder(token, utcnow())
        return found[0] if found is not None else None

    def holder(self, token: str, now: datetime) -> tuple[User, str] | None:
        """The token's owner and its scopes, unless it expired; its last use is recorded at
        most once a minute. One query for token and owner: this runs on every API request
        that carries one."""
        found = self.session.exec(
            select(ApiToken.id, ApiToken.last_used_at, ApiToken.scopes, ApiToken.expires_at, User)
            .join(User, col(User.id) == ApiToken.user_id)
            .where(ApiToken.token_hash == digest(token))
        ).first()
        if found is None:
            return None
        token_id, last_used_at, scopes, expires_at, user = found
        if expires_at is not None and expires_at <= now:
            return None
        if last_used_at is None or now - last_used_at > TOKEN_TOUCH_EVERY:
            touch = update(ApiToken).where(col(ApiToken.id) == token_id)
            self.session.exec(touch.values(last_used_at=now))
        return user, scopes

    def delete_all(self, user_id: int) -> int:
        result = self.session.exec(delete(ApiToken).where(col(ApiToken.user_id) == user_id))
        return result.rowcount or 0

    def of_user(self, user_id: int) -> list[ApiToken]:
        return list(
            self.session.exec(
                select(ApiToken).where(ApiToken.user_id == user_id).order_by(col(ApiToken.id))
            )
        )

    def get(self, token_id: int) -> ApiToken | None:
        return self.session.get(ApiToken, token_id)

    def delete(self, row: ApiToken) -> None:
        self.session.delete(row)

    def delete_value(self, token: str) -> bool:
        result = self.session.exec(
            delete(ApiToken).where(col(ApiToken.token_hash) == digest(token))
        )
        return bool(result.rowcount)
