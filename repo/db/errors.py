"""Database errors the services may meet, in the domain's terms."""

from __future__ import annotations

from repo.core.errors import Conflict


class ConstraintConflict(Conflict):
    """A uniqueness or foreign-key constraint refused a write (the transaction is rolled back)."""

    def __init__(self, message: str = 'The change conflicts with data stored meanwhile') -> None:
        super().__init__(message)
