"""The state figures of /metrics, read from the database when Prometheus scrapes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from repo.services.metrics import StateProbes

INDEX_CURSOR = 'search-index'  # repo.jobs.index_feed.CURSOR


def database_probes(uow: Callable[[], Any], worker_queue: Callable[[], int]) -> StateProbes:
    def bytes_stored() -> int:
        with uow() as tx:
            return int(tx.account_admin.totals()[2])

    def index_pending() -> int:
        with uow() as tx:
            return tx.event_log.count_after(tx.event_log.cursor(INDEX_CURSOR))

    def index_lag_seconds() -> float:
        with uow() as tx:
            oldest = tx.event_log.after(tx.event_log.cursor(INDEX_CURSOR), 1)
        if not oldest:
            return 0.0
        created = oldest[0].created_at
        if created.tzinfo is None:  # SQLite hands back naive UTC
            created = created.replace(tzinfo=UTC)
        return max(0.0, (datetime.now(UTC) - created).total_seconds())

    return StateProbes(bytes_stored, index_pending, index_lag_seconds, worker_queue)
