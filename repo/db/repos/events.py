"""The event table read by consumers, and their cursors."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from repo.db import dialect
from repo.db.tables import ConsumerCursor, Event


class EventRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def after(self, position: int, limit: int) -> list[Event]:
        return list(
            self.session.exec(
                select(Event).where(col(Event.id) > position).order_by(col(Event.id)).limit(limit)
            )
        )

    def last_id(self) -> int:
        return self.session.exec(select(func.coalesce(func.max(Event.id), 0))).one()

    def count_after(self, position: int) -> int:
        query = select(func.count()).select_from(Event).where(col(Event.id) > position)
        return self.session.exec(query).one()

    def cursor(self, name: str) -> int:
        row = self.session.get(ConsumerCursor, name)
        return row.position if row is not None else 0

    def move_cursor(self, name: str, position: int) -> None:
        conn = self.session.connection()
        dialect.upsert(conn, ConsumerCursor, ['name'], {'name': name, 'position': position})

    def prune(self, upto: int, older_than: datetime) -> int:
        """Drop events every durable consumer has applied, once they are old enough that the
        caches of other processes (which poll) have seen them too."""
        result = self.session.exec(
            delete(Event).where(col(Event.id) <= upto, col(Event.created_at) < older_than)
        )
        return result.rowcount or 0
