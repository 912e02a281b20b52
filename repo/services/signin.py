"""Signing in: the password check, throttled per account and address across processes, and the
identity resolvers that turn a session id or an API token into the caller."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from repo.core import policy
from repo.core.account_rules import normalize_username
from repo.core.actor import Actor
from repo.core.errors import Forbidden, Invalid, InvalidCredentials, NotFound
from repo.core.schemas import TokenPublic, TokenUser, UserPublic
from repo.core.scopes import parse_scopes, scopes_text
from repo.core.throttle import FORGET_AFTER_S, LoginThrottle
from repo.db.repos.users import user_public
from repo.db.tables import utcnow
from repo.services.passwords import PasswordHashing

SESSION_LIFETIME = timedelta(days=14)
TOKEN_PREFIX = 'sbx_'
MAX_TOKEN_NAME = 100
MAX_SECRET = 200
MAX_PASSWORD_INPUT = 1024
MAX_TOKEN_LIFETIME_S = 10 * 365 * 24 * 3600


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
    def __init__(
        self,
        uow: Callable[[], Any],
        passwords: PasswordHashing,
        *,
        now: Callable[[], datetime] = utcnow,
        on_failure: Callable[[], None] = lambda: None,
    ) -> None:
        self.uow = uow
        self.passwords = passwords
        self.throttle = LoginThrottle(DatabaseThrottleStore(uow))
        self.now = now
        self.on_failure = on_failure  # metrics: a failed sign-in

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
            or user.disabled  # after the password check: the same answer, the same time
        ):
            self.throttle.failed(*keys)
            self.on_failure()
            raise InvalidCredentials()
        self.throttle.succeeded(keys[0])
        stale = self.passwords.needs_rehash(user.password_hash)
        new_hash = self.passwords.hash(password) if stale else None
        with self.uow() as tx:
            if new_hash is not None:
                tx.users.set_password_hash(user.id, new_hash)
            tx.account_admin.touch_seen(user, self.now())
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
            if user is None or user.disabled:
                return None
            tx.account_admin.touch_seen(user, self.now())
            return user_public(user)

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

    def create_token(
        self,
        actor: Actor,
        name: str = '',
        *,
        scopes: Sequence[str] | None = None,
        expires_in: int | None = None,
    ) -> tuple[str, TokenPublic]:
        """A new token, shown once (the caller gets the value; only its hash is stored).

        `scopes`: what it may do (repo.core.scopes; default: all the account may do, and never
        more than the actor making it may). `expires_in`: seconds until it stops working."""
        user_id = policy.require_user(actor)
        label = (name or '').strip() or 'token'
        if len(label) > MAX_TOKEN_NAME:
            raise Invalid(f'Token name must be at most {MAX_TOKEN_NAME} characters long')
        if expires_in is not None and not 60 <= expires_in <= MAX_TOKEN_LIFETIME_S:
            raise Invalid(
                f'expires_in must be between 60 and {MAX_TOKEN_LIFETIME_S} seconds (10 years)'
            )
        now = self.now()
        expires_at = now + timedelta(seconds=expires_in) if expires_in is not None else None
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self.uow() as tx:
            user = tx.users.get(user_id)
            if user is None:
                raise NotFound('User not found')
            if user.must_change_password:
                raise Forbidden('Set a new password first: sign in on the web app')
            wanted = tuple(scopes) if scopes is not None else None
            granted = policy.token_scopes_allowed(actor, user.is_admin, wanted)
            row = tx.tokens.add(
                user_id, label, token, scopes=scopes_text(granted), expires_at=expires_at
            )
            return token, TokenPublic.model_validate(row, from_attributes=True)

    def token_user(self, token: str | None) -> TokenUser | None:
        """Identity resolver: the owner of a live token with its scopes, or None (unknown,
        revoked, expired, or the account is disabled)."""
        if not token or len(token) > MAX_SECRET:
            return None
        now = self.now()
        with self.uow() as tx:
            found = tx.tokens.holder(token, now)
            if found is None or found[0].disabled:
                return None
            user, scopes = found
            tx.account_admin.touch_seen(user, now)
            return TokenUser(**user_public(user).model_dump(), token_scopes=parse_scopes(scopes))

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
