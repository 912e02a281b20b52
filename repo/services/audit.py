"""The audit log: every administrative action, who did it to whom and when (read side)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from repo.core import policy
from repo.core.actor import Actor
from repo.core.errors import Invalid
from repo.core.schemas_admin import AuditRecord

MAX_PAGE = 500


def audit_name(actor: Actor) -> str:
    """How the log names who acted: the username, or 'system' for the command line."""
    if actor.is_system:
        return 'system'
    return actor.username or (f'user #{actor.user_id}' if actor.user_id else 'anonymous')


class AuditLog:
    def __init__(self, uow: Callable[[], Any]) -> None:
        self.uow = uow

    def page(self, actor: Actor, *, limit: int = 100, offset: int = 0) -> list[AuditRecord]:
        """Newest first."""
        policy.require_admin(actor)
        if not 1 <= limit <= MAX_PAGE or offset < 0:
            raise Invalid(f'limit must be between 1 and {MAX_PAGE}, offset 0 or more')
        with self.uow() as tx:
            rows = tx.audit.page(limit, offset)
        return [
            AuditRecord(
                id=r.id or 0,
                who=r.actor,
                what=r.action,
                whom=r.target,
                when=r.at,
                details=json.loads(r.details) if r.details else {},
            )
            for r in rows
        ]
