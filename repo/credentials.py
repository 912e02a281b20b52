"""Server-side login sessions and personal API tokens. Only hashes of secrets are stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from repo.errors import Invalid, NotFound
from repo.models import ApiToken, LoginSession, TokenPublic, User, UserPublic, utcnow

SESSION_LIFETIME = timedelta(days=14)
TOKEN_PREFIX = 'sbx_'
MAX_TOKEN_NAME = 100


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _user_public(user: User) -> UserPublic:
    return UserPublic.model_validate(user, from_attributes=True)


class SessionStore:
    """Random session ids (256 bits) for browsers; rotated at sign-in, ended at sign-out."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(self, user_id: int) -> str:
        session_id = secrets.token_urlsafe(32)
        with Session(self.engine) as s:
            s.add(
                LoginSession(
                    id_hash=_digest(session_id),
                    user_id=user_id,
                    expires_at=utcnow() + SESSION_LIFETIME,
                )
            )
            s.commit()
        return session_id

    def user(self, session_id: str | None) -> UserPublic | None:
        """The signed-in user, or None for an unknown, ended or expired session."""
        if not session_id:
            return None
        with Session(self.engine) as s:
            row = s.get(LoginSession, _digest(session_id))
            if row is None:
                return None
            if row.expires_at <= utcnow():
                s.delete(row)
                s.commit()
                return None
            user = s.get(User, row.user_id)
            return _user_public(user) if user else None

    def end(self, session_id: str | None) -> None:
        if not session_id:
            return
        with Session(self.engine) as s:
            s.exec(delete(LoginSession).where(col(LoginSession.id_hash) == _digest(session_id)))
            s.commit()

    def end_all(self, user_id: int, *, keep: str | None = None) -> int:
        """End every session of a user (but `keep`); returns how many ended."""
        with Session(self.engine) as s:
            query = delete(LoginSession).where(col(LoginSession.user_id) == user_id)
            if keep:
                query = query.where(col(LoginSession.id_hash) != _digest(keep))
            result = s.exec(query)
            s.commit()
            return result.rowcount or 0


class TokenStore:
    """Personal API tokens: shown once at creation, stored as a SHA-256 hash, revocable."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(self, user_id: int, name: str = '') -> tuple[str, TokenPublic]:
        name = (name or '').strip() or 'token'
        if len(name) > MAX_TOKEN_NAME:
            raise Invalid(f'Token name must be at most {MAX_TOKEN_NAME} characters long')
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        row = ApiToken(user_id=user_id, name=name, token_hash=_digest(token))
        with Session(self.engine) as s:
            s.add(row)
            s.commit()
            s.refresh(row)
            return token, TokenPublic.model_validate(row, from_attributes=True)

    def user(self, token: str | None) -> UserPublic | None:
        """The token's owner, or None for an unknown or revoked token."""
        if not token or len(token) > 200:
            return None
        with Session(self.engine) as s:
            # One query for token and owner: this runs on every API request that carries one.
            found = s.exec(
                select(ApiToken.id, ApiToken.last_used_at, User)
                .join(User, col(User.id) == ApiToken.user_id)
                .where(ApiToken.token_hash == _digest(token))
            ).first()
            if found is None:
                return None
            token_id, last_used_at, user = found
            owner = _user_public(user)  # before the commit, which would expire `user`
            now = utcnow()
            if last_used_at is None or now - last_used_at > timedelta(minutes=1):
                touch = update(ApiToken).where(col(ApiToken.id) == token_id)
                s.exec(touch.values(last_used_at=now))
                s.commit()
            return owner

    def list(self, user_id: int) -> list[TokenPublic]:
        with Session(self.engine) as s:
            rows = s.exec(
                select(ApiToken).where(ApiToken.user_id == user_id).order_by(col(ApiToken.id))
            )
            return [TokenPublic.model_validate(r, from_attributes=True) for r in rows]

    def revoke(self, user_id: int, token_id: int) -> None:
        with Session(self.engine) as s:
            row = s.get(ApiToken, token_id)
            if row is None or row.user_id != user_id:
                raise NotFound('Token not found')
            s.delete(row)
            s.commit()

    def revoke_value(self, token: str) -> bool:
        with Session(self.engine) as s:
            result = s.exec(delete(ApiToken).where(col(ApiToken.token_hash) == _digest(token)))
            s.commit()
            return bool(result.rowcount)
