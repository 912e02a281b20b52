"""Health: is each part of the instance usable right now (database, blob store, search index).

Cheap enough to poll every second: one query and one fresh open of the database file, a
folder check for the blobs, one small file read for the index. A failing part is logged with
its reason (the answer itself only says which part fails).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from repo.blobs.store import BlobStore

log = logging.getLogger(__name__)

OK = 'ok'
FAILING = 'error'


@dataclass(frozen=True)
class HealthReport:
    database: str
    blobs: str
    index: str

    @property
    def ok(self) -> bool:
        return self.database == self.blobs == self.index == OK

    @property
    def status(self) -> str:
        return OK if self.ok else FAILING


class HealthService:
    def __init__(
        self,
        database_problem: Callable[[], str | None],
        blobs: BlobStore,
        index_healthy: Callable[[], bool],
    ) -> None:
        self.database_problem = database_problem
        self.blobs = blobs
        self.index_healthy = index_healthy

    def report(self) -> HealthReport:
        """Anyone may ask (load balancers, monitors): it tells no data, only ok or not."""
        return HealthReport(
            database=self._part('database', self._database),
            blobs=self._part('blobs', self.blobs.healthy),
            index=self._part('index', self.index_healthy),
        )

    def _database(self) -> bool:
        problem = self.database_problem()
        if problem:
            log.warning('health: database failing (%s)', problem)
        return problem is None

    @staticmethod
    def _part(name: str, probe: Callable[[], bool]) -> str:
        try:
            healthy = probe()
        except Exception as exc:
            log.warning('health: %s check raised %s', name, type(exc).__name__)
            healthy = False
        if not healthy:
            log.warning('health: %s failing', name)
        return OK if healthy else FAILING
