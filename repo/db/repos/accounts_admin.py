"""Queries of account administration: usage, summaries, and the changes guarded by the rule
that one administrator always remains (conditional statements, checked by their row count)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, exists, false, func, not_, or_, true, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from repo.db import dialect
from repo.db.repos.trash import TrashRepository
from repo.db.tables import Image, User

ADMINS_LOCK = 'accounts:admins'
SEEN_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often


class AccountAdminRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # ---- usage ----------------------------------------------------------------------------

    def usage(self, user_id: int) -> tuple[int, int]:
        """(bytes, images) of every image row the account owns (trash included): read from the
        (owner_id, size_bytes) index alone."""
        row = self.session.exec(
            select(func.coalesce(func.sum(Image.size_bytes), 0), func.count()).where(
                col(Image.owner_id) == user_id
            )
        ).one()
        trashed = TrashRepository(self.session).usage(user_id).get(user_id, (0, 0))
        return int(row[0]) + trashed[0], int(row[1]) + trashed[1]

    def usage_by_owner(self) -> dict[int, tuple[int, int]]:
        rows = self.session.exec(
            select(Image.owner_id, func.sum(Image.size_bytes), func.count()).group_by(
                col(Image.owner_id)
            )
        )
        usage = {owner: (int(total or 0), int(count)) for owner, total, count in rows}
        for owner, (size, count) in TrashRepository(self.session).usage().items():
            had = usage.get(owner, (0, 0))
            usage[owner] = (had[0] + size, had[1] + count)
        return usage

    def totals(self) -> tuple[int, int, int]:
        """(accounts, images, bytes) of the whole instance."""
        users = self.session.exec(select(func.count()).select_from(User)).one()
        images, total = self.session.exec(
            select(func.count(), func.coalesce(func.sum(Image.size_bytes), 0)).select_from(Image)
        ).one()
        return int(users), int(images), int(total)

    def lock_owner(self, user_id: int) -> None:
        dialect.lock_owner(self.session.connection(), user_id)

    # ---- look-ups -------------------------------------------------------------------------

    def search(self, text: str = '', limit: int = 200) -> list[User]:
        query = select(User).order_by(col(User.username)).limit(limit)
        wanted = text.strip().lower()
        if wanted:
            like = f'%{_escape_like(wanted)}%'
            query = query.where(
                or_(
                    func.lower(col(User.username)).like(like, escape='\\'),
                    func.lower(col(User.display_name)).like(like, escape='\\'),
                    func.lower(func.coalesce(col(User.email), '')).like(like, escape='\\'),
                )
            )
        return list(self.session.exec(query))

    def touch_seen(self, user: User, now: datetime) -> None:
        """Record that the account was seen (at most once a minute: this runs per request)."""
        if user.last_seen_at is not None and now - user.last_seen_at < SEEN_EVERY:
            return
        self.session.exec(update(User).where(col(User.id) == user.id).values(last_seen_at=now))

    # ---- changes --------------------------------------------------------------------------

    def set_fields(self, user_id: int, **values: Any) -> bool:
        result = self.session.exec(update(User).where(col(User.id) == user_id).values(**values))
        return bool(result.rowcount)

    def lock_admins(self) -> None:
        """Serialise the changes that could remove the last administrator (two of them racing
        would each see the other admin still there)."""
        dialect.lock_content(self.session.connection(), ADMINS_LOCK)

    def demote(self, user_id: int, *, guarded: bool) -> bool:
        """is_admin = false, unless (when guarded) it would leave no active administrator.
        False when nothing changed: no such account, or it is the last administrator."""
        return self._guarded_update(user_id, guarded, is_admin=False)

    def disable(self, user_id: int, *, guarded: bool) -> bool:
        return self._guarded_update(user_id, guarded, disabled=True)

    def delete(self, user_id: int, *, guarded: bool) -> bool:
        """Delete the account (its images, sessions and tokens cascade)."""
        if guarded:
            self.lock_admins()
        query = delete(User).where(col(User.id) == user_id)
        if guarded:
            query = query.where(self._not_last_admin(user_id))
        return bool(self.session.exec(query).rowcount)

    def _guarded_update(self, user_id: int, guarded: bool, **values: Any) -> bool:
        if guarded:
            self.lock_admins()
        query = update(User).where(col(User.id) == user_id)
        if guarded:
            query = query.where(self._not_last_admin(user_id))
        return bool(self.session.exec(query.values(**values)).rowcount)

    @staticmethod
    def _not_last_admin(user_id: int) -> Any:
        """This account is no active administrator, or another active one exists."""
        other = aliased(User)
        another_admin = exists().where(
            and_(
                col(other.is_admin) == true(),
                col(other.disabled) == false(),
                col(other.id) != user_id,
            )
        )
        return or_(not_(col(User.is_admin)), col(User.disabled) == true(), another_admin)

    def active_admins(self) -> int:
        query = (
            select(func.count())
            .select_from(User)
            .where(col(User.is_admin) == true(), col(User.disabled) == false())
        )
        return int(self.session.exec(query).one())


def _escape_like(text: str) -> str:
    return text.replace('\\', '\\\\').replace('%', '\\%').replace('_', '\\_')
