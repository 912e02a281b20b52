"""Accounts: sign-up, look-ups, the list, deletion, password change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from repo.core import policy
from repo.core.account_rules import check_password, check_username, normalize_username
from repo.core.actor import Actor
from repo.core.errors import Conflict, Forbidden, Invalid, InvalidCredentials, NotFound
from repo.core.events import ImageRemoved
from repo.core.schemas import UserPublic
from repo.db.errors import ConstraintConflict
from repo.db.repos.users import user_public
from repo.db.tables import User, utcnow
from repo.services.audit import audit_name
from repo.services.passwords import PasswordHashing

MAX_DISPLAY_NAME = 100
LAST_ADMIN = 'This is the last administrator: make someone else an administrator first'


class AccountService:
    def __init__(
        self, uow: Callable[[], Any], passwords: PasswordHashing, *, open_signup: Callable[[], bool]
    ) -> None:
        self.uow = uow
        self.passwords = passwords
        self.open_signup = open_signup  # asked each time: the setting may change while running

    def create_user(
        self,
        actor: Actor,
        username: str,
        password: str,
        *,
        display_name: str | None = None,
        email: str | None = None,
        is_admin: bool | None = None,
        must_change_password: bool = False,
    ) -> UserPublic:
        """Create an account. The very first account becomes an administrator; only an
        administrator (or the server) may make others one, or sign up when sign-up is closed.

        An account made by someone else (an administrator, the command line) is an
        administrative action: it goes to the audit log. `must_change_password`: its owner
        chooses a new password at the first sign-in."""
        if not policy.may_sign_up(actor, self.open_signup()):
            raise Forbidden('Sign-up is closed on this Shoebox; ask its administrator')
        if is_admin:
            policy.require_admin(actor)
        name = check_username(username)
        display = (display_name or '').strip() or name
        if len(display) > MAX_DISPLAY_NAME:
            raise Invalid(f'Display name must be at most {MAX_DISPLAY_NAME} characters long')
        address = (email or '').strip() or None
        if address is not None and ('@' not in address or len(address) > 254 or ' ' in address):
            raise Invalid('Email address does not look right (expected name@example.org)')
        check_password(password, [name, display, address or ''])
        password_hash = self.passwords.hash(password)
        row = User(
            username=name,
            display_name=display,
            email=address,
            password_hash=password_hash,
            is_admin=bool(is_admin),
            must_change_password=must_change_password,
        )
        try:
            with self.uow() as tx:
                created = tx.users.add(row)
                if not actor.is_anonymous:
                    details = {'is_admin': created.is_admin}
                    if must_change_password:
                        details['must_change_password'] = True
                    tx.audit.add(audit_name(actor), 'user.create', name, details, at=utcnow())
                return user_public(created)
        except ConstraintConflict:
            raise Conflict(f'The username "{name}" is already taken') from None

    def get_user(self, actor: Actor, user_id: int) -> UserPublic:
        policy.require_self_or_admin(actor, user_id)
        with self.uow() as tx:
            user = tx.users.get(user_id)
            if user is None:
                raise NotFound('User not found')
            return user_public(user)

    def find_user(self, actor: Actor, username: str) -> UserPublic:
        """An account by name (names are public: they label public images)."""
        with self.uow() as tx:
            user = tx.users.by_name(normalize_username(username))
            if user is None:
                raise NotFound(f'No user named "{username}"')
            return user_public(user)

    def list_users(self, actor: Actor) -> list[UserPublic]:
        policy.require_admin(actor)
        with self.uow() as tx:
            return [user_public(u) for u in tx.users.all()]

    def delete_user(self, actor: Actor, user_id: int) -> int:
        """Delete an account with all its images; returns how many images went.

        The last active administrator cannot be deleted (Conflict), except by the server
        itself. Audited."""
        policy.require_self_or_admin(actor, user_id)
        with self.uow() as tx:
            user = tx.users.get(user_id)
            if user is None:
                raise NotFound('User not found')
            images = tx.images.ids_and_shas_of_owner(user_id)
            images += list(tx.trash.ids_and_shas(user_id).items())  # its trash's bytes too
            guarded = not policy.may_skip_last_admin_rule(actor)
            # Images, tag links, sessions, tokens, reset links, the trash, albums, share links
            # and comments (its own, and those under its images) cascade.
            if not tx.account_admin.delete(user_id, guarded=guarded):
                raise Conflict(LAST_ADMIN)
            details = {'images': len(images)}
            tx.audit.add(audit_name(actor), 'user.delete', user.username, details, at=utcnow())
            for image_id, sha in images:
                tx.emit(ImageRemoved(image_id, sha256=sha))
        return len(images)

    def change_password(
        self,
        actor: Actor,
        old_password: str,
        new_password: str,
        *,
        keep_session: str | None = None,
    ) -> None:
        """Change the caller's password; every other login session of theirs ends."""
        user_id = policy.require_user(actor)
        with self.uow() as tx:
            user = tx.users.get(user_id)
            if user is None:
                raise NotFound('User not found')
        if not self.passwords.verify(user.password_hash, old_password):
            raise InvalidCredentials('The current password is not right')
        check_password(new_password, [user.username, user.display_name, user.email or ''])
        new_hash = self.passwords.hash(new_password)
        with self.uow() as tx:
            tx.users.set_password_hash(user_id, new_hash)
            tx.sessions.end_all(user_id, keep=keep_session)
