"""Failed sign-in counts per throttle key, shared by every process through the database."""

from __future__ import annotations

from sqlalchemy import delete
from sqlmodel import Session, col, select

from repo.db.tables import LoginFailure


class ThrottleRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def records(self, keys: list[str]) -> dict[str, tuple[int, float]]:
        """key -> (failures, time of the last failure) for the keys that have a record."""
        rows = self.session.exec(select(LoginFailure).where(col(LoginFailure.key).in_(keys)))
        return {r.key: (r.failures, r.last_failure) for r in rows}

    def failed(self, keys: list[str], now: float) -> None:
        for key in keys:
            row = self.session.get(LoginFailure, key)
            if row is None:
                row = LoginFailure(key=key, failures=0)
            row.failures += 1
            row.last_failure = now
            self.session.add(row)
        self.session.flush()

    def forget(self, keys: list[str]) -> None:
        self.session.exec(delete(LoginFailure).where(col(LoginFailure.key).in_(keys)))

    def forget_older_than(self, before: float) -> None:
        self.session.exec(delete(LoginFailure).where(col(LoginFailure.last_failure) < before))
