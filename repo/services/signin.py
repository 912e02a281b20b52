"""Signing in: the password check, throttled per account and address across processes, and the
identity resolvers that turn a session id or an API token into the caller."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from repo.core import policy
from repo.core.account_rules import normalize_username
from repo.core.actor import Actor
from repo.core.errors import Invalid, InvalidCredentials, NotFound
from repo.core.schemas import TokenPublic, UserPublic
from repo.core.throttle import FORGET_AFTER_S, LoginThrottle
from repo.db.repos.users import user_public
from repo.db.tables import utcnow
from repo.services.passwords import PasswordHashing

SESSION_LIFETIME = timedelta(days=14)
TOKEN_PREFIX = 'sbx_'
MAX_TOKEN_NAME = 100
MAX_SECRET = 200
MAX_PASSWORD_INPUT = 1024


class DatabaseThrottleStore:
    """The throttle's records in the database, so every process counts the same failures."""

    def __init__(self, uow: Callable[[], Any]) -> None:
        self.uow = uow

    def records(self, keys: list[str]) -> dict[str, tuple[int, float]]:
        with self.uow() as tx:
            return tx.throttle.records(keys)

    def failed(self, keys: list[str], now: float) -> None:
        with self.uow() as tx:
            tx.throttle.failed(keys, now)
            tx.throttle.forget_older_than(now - FORGET_AFTER_S)

    def forget(self, keys: list[str]) -> None:
        with self.uow() as tx:
            tx.throttle.forget(keys)


class SignInService:
    def __init__(self, uow: Callable[[], Any], passwords: PasswordHashing) -> None:
        self.uow = uow
        self.passwords = passwords
        self.throttle = LoginThrottle(DatabaseThrottleStore(uow))

    def authenticate(
        self, actor: Actor, username: str, password: str, address: str | None = None
    ) -> UserPublic:
        """The user for these credentials, or InvalidCredentials (same for unknown and wrong).

        Failed attempts are throttled per account and per client address: Throttled (429).
        """
        name = normalize_username(username)
        keys = [f'user:{name}'] + ([f'addr:{address}'] if address else [])
        self.throttle.check(*keys)
        with self.uow() as tx:
            user = tx.users.by_name(name)
        stored = user.password_hash if user else None
        if (
            len(password) > MAX_PASSWORD_INPUT
            or not self.passwords.verify(stored, password)
            or user is None
        ):
            self.throttle.failed(*keys)
            raise InvalidCredentials()
        self.throttle.succeeded(keys[0])
        if self.passwords.needs_rehash(user.password_hash):
            new_hash = self.passwords.hash(password)
            with self.uow() as tx:
                tx.users.set_password_hash(user.id, new_hash)
        return user_public(user)

    # ---- browser sessions -----------------------------------------------------------------

    def start_session(self, actor: Actor) -> str:
        """A new random session id (256 bits) for the signed-in actor; only its hash is kept."""
        user_id = policy.require_user(actor)
        session_id = secrets.token_urlsafe(32)
        with self.uow() as tx:
            tx.sessions.add(session_id, user_id, utcnow() + SESSION_LIFETIME)
        return session_id

    def session_user(self, session_id: str | None) -> UserPublic | None:
        """Identity resolver: the user of a live session, or None."""
        if not session_id or len(session_id) > MAX_SECRET:
            return None
        with self.uow() as tx:
            user = tx.sessions.user(session_id)
            return user_public(user) if user is not None else None

    def end_session(self, actor: Actor, session_id: str | None) -> None:
        if not session_id:
            return
        with self.uow() as tx:
            tx.sessions.end(session_id)

    def end_all_sessions(self, actor: Actor, *, keep: str | None = None) -> int:
        user_id = policy.require_user(actor)
        with self.uow() as tx:
            return tx.sessions.end_all(user_id, keep=keep)

    # ---- personal API tokens ----------------------------------------------------------------

    def create_token(self, actor: Actor, name: str = '') -> tuple[str, TokenPublic]:
        """A new token, shown once (the caller gets the value; only its hash is stored)."""
        user_id = policy.require_user(actor)
        label = (name or '').strip() or 'token'
        if len(label) > MAX_TOKEN_NAME:
            raise Invalid(f'Token name must be at most {MAX_TOKEN_NAME} characters long')
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self.uow() as tx:
            row = tx.tokens.add(user_id, label, token)
            return token, TokenPublic.model_validate(row, from_attributes=True)

    def token_user(self, token: str | None) -> UserPublic | None:
        """Identity resolver: the owner of a live token, or None (unknown or revoked)."""
        if not token or len(token) > MAX_SECRET:
            return None
        with self.uow() as tx:
            user = tx.tokens.user(token)
            return user_public(user) if user is not None else None

    def list_tokens(self, actor: Actor) -> list[TokenPublic]:
        user_id = policy.require_user(actor)
        with self.uow() as tx:
            return [
                TokenPublic.model_validate(r, from_attributes=True)
                for r in tx.tokens.of_user(user_id)
            ]

    def revoke_token(self, actor: Actor, token_id: int) -> None:
        user_id = policy.require_user(actor)
        with self.uow() as tx:
            row = tx.tokens.get(token_id)
            if row is None or row.user_id != user_id:
                raise NotFound('Token not found')
            tx.tokens.delete(row)

    def revoke_token_value(self, actor: Actor, token: str) -> bool:
        """Revoke the token given (a client signing out with its own token)."""
        with self.uow() as tx:
            return tx.tokens.delete_value(token)
