"""Accounts: by id or name, the list, creation (the first becomes the administrator)."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from repo.core.schemas import UserPublic
from repo.db import dialect
from repo.db.errors import ConstraintConflict
from repo.db.tables import Meta, User

FOUNDER_KEY = 'founder'


def user_public(user: User) -> UserPublic:
    return UserPublic.model_validate(user, from_attributes=True)


class UserRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, user_id: int) -> User | None:
        return self.session.get(User, user_id)

    def by_name(self, username: str) -> User | None:
        return self.session.exec(select(User).where(User.username == username)).first()

    def id_of(self, username: str) -> int | None:
        return self.session.exec(select(User.id).where(User.username == username)).first()

    def all(self) -> list[User]:
        return list(self.session.exec(select(User).order_by(User.username)))

    def add(self, user: User, *, admin_if_first: bool = True) -> User:
        """Insert the account; ConstraintConflict when the username is taken (the unique
        constraint decides, whatever the concurrency).

        The first account ever made becomes an administrator: whichever insert claims the
        'founder' row of `meta` (a primary key, so exactly one can) is the first.
        """
        self.session.add(user)
        try:
            self.session.flush()
        except IntegrityError:
            raise ConstraintConflict() from None
        if admin_if_first:
            conn = self.session.connection()
            claimed = dialect.insert_if_absent(
                conn, Meta, {'key': FOUNDER_KEY, 'value': str(user.id)}
            )
            if claimed and not user.is_admin:
                user.is_admin = True
                self.session.add(user)
                self.session.flush()
        return user

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        user = self.session.get(User, user_id)
        if user is not None:
            user.password_hash = password_hash
            self.session.add(user)
            self.session.flush()

    def delete(self, user_id: int) -> None:
        self.session.exec(delete(User).where(col(User.id) == user_id))
