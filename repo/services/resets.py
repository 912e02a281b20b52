"""Password reset links: a random one-time token, stored hashed, valid for an hour.

An administrator (or the command line) makes one for an account; whoever opens
`/reset/<token>` sets a new password, and every session and token of the account ends. The
same link is refused a second time and after its hour. A new link replaces the account's
earlier ones. The token is a secret: it is never logged and never written to the audit log.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from repo.core import policy
from repo.core.account_rules import check_password, normalize_username
from repo.core.actor import Actor
from repo.core.errors import Invalid, NotFound
from repo.core.schemas import UserPublic
from repo.core.schemas_admin import ResetLink
from repo.db.repos.users import user_public
from repo.db.tables import utcnow
from repo.services.audit import audit_name
from repo.services.passwords import PasswordHashing

RESET_LIFETIME = timedelta(hours=1)
RESET_PATH = '/reset/'
MAX_TOKEN = 200
REFUSED = 'This reset link is not valid: it was used already, has expired, or was replaced'


class ResetService:
    def __init__(
        self,
        uow: Callable[[], Any],
        passwords: PasswordHashing,
        *,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.uow = uow
        self.passwords = passwords
        self.now = now

    def create_link(self, actor: Actor, username: str) -> ResetLink:
        """A new link for the account (administrators and the server); audited."""
        policy.require_admin(actor)
        name = normalize_username(username)
        with self.uow() as tx:
            user = tx.users.by_name(name)
            if user is None:
                raise NotFound(f'No user named "{username}"')
            link = self._issue(tx, user.id)
            details = {'expires_at': link.expires_at.isoformat()}
            tx.audit.add(audit_name(actor), 'user.password_reset', name, details, at=self.now())
        return link

    def link_for_self(self, actor: Actor) -> ResetLink:
        """A link for the caller's own account: after signing in with a password that must
        be changed (the account was made with `must_change_password`)."""
        user_id = policy.require_user(actor)
        with self.uow() as tx:
            return self._issue(tx, user_id)

    def account_of(self, token: str) -> UserPublic | None:
        """The account a live link is for (to greet its owner), or None."""
        if not token or len(token) > MAX_TOKEN:
            return None
        with self.uow() as tx:
            user = tx.resets.live_user(token, self.now())
            return user_public(user) if user is not None else None

    def reset(self, token: str, new_password: str) -> UserPublic:
        """Set the new password through the link (anyone holding it); ends every session and
        token of the account. Invalid when the link is unknown, used or expired."""
        user = self.account_of(token)
        if user is None:
            raise Invalid(REFUSED)
        check_password(new_password, [user.username, user.display_name, user.email or ''])
        new_hash = self.passwords.hash(new_password)
        with self.uow() as tx:
            user_id = tx.resets.use(token, self.now())  # once: a conditional update
            if user_id is None:
                raise Invalid(REFUSED)
            tx.users.set_password_hash(user_id, new_hash)
            tx.account_admin.set_fields(user_id, must_change_password=False)
            tx.sessions.end_all(user_id)
            tx.tokens.delete_all(user_id)
            public = user_public(tx.users.get(user_id))
        return public.model_copy(update={'must_change_password': False})

    def _issue(self, tx: Any, user_id: int) -> ResetLink:
        token = secrets.token_urlsafe(32)
        now = self.now()
        expires_at = now + RESET_LIFETIME
        tx.resets.replace(user_id, token, now=now, expires_at=expires_at)
        return ResetLink(token=token, path=RESET_PATH + token, expires_at=expires_at)
