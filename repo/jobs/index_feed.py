"""The search index's consumer of the event table.

The index worker (search_index.IndexWorker, one writer thread) asks for pending work and says
when it is applied; here that means: the events after this consumer's cursor, each with the
current document of its image (none when the image is gone: delete it), and moving the cursor
past them once they are committed to the index. A crash in between replays them (applying a
document is idempotent).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

from repo.db.repos.search_docs import SearchSource
from repo.db.tables import utcnow
from search_index import IndexDoc, IndexWorker, OutboxItem, SearchIndex

log = logging.getLogger(__name__)

CURSOR = 'search-index'
REBUILD_BATCH = 2000
PRUNE_EVERY_S = 600.0
KEEP_EVENTS = timedelta(days=1)  # other processes' caches poll; a day is plenty


def index_doc(source: SearchSource) -> IndexDoc:
    return IndexDoc(
        image_id=source.image_id,
        owner_id=source.owner_id,
        public=source.public,
        title=source.title,
        description=source.description,
        tags=source.tags,
        created_at=source.created_at,
        colors=source.colors,
        sort_at=source.sort_at,
    )


class IndexFeed:
    """Opens (or rebuilds) the index and runs its worker over the event table."""

    def __init__(self, uow: Callable[[], Any], index: SearchIndex) -> None:
        self.uow = uow
        self.index = index
        self._cursor: int | None = None
        self._lock = threading.Lock()
        self._last_prune = time.monotonic()
        self.worker = IndexWorker(index, self.fetch_pending, self.mark_done)

    def open(self, *, start: bool) -> None:
        """Open the index, rebuilding it from the database when it is missing or unreadable."""
        existed = self.index.index_dir.exists()
        if not self.index.open():
            if existed:
                log.warning('Search index unreadable: rebuilding it from the database')
            else:
                log.info('Creating the search index')
            self.rebuild()
        if start:
            self.worker.start()

    # ---- what the worker calls ------------------------------------------------------------

    def fetch_pending(self, limit: int) -> list[OutboxItem]:
        with self.uow() as tx:
            position = self._position(tx)
            events = tx.event_log.after(position, limit)
            if not events:
                return []
            ids = list({e.image_id for e in events})
            docs = {s.image_id: index_doc(s) for s in tx.search_docs.sources(ids)}
        return [
            OutboxItem(outbox_id=e.id, image_id=e.image_id, doc=docs.get(e.image_id))
            for e in events
            if e.id is not None
        ]

    def mark_done(self, event_ids: list[int]) -> None:
        if not event_ids:
            return
        last = max(event_ids)
        with self.uow() as tx:
            tx.event_log.move_cursor(CURSOR, last)
            if time.monotonic() - self._last_prune > PRUNE_EVERY_S:
                tx.event_log.prune(last, utcnow() - KEEP_EVENTS)
                self._last_prune = time.monotonic()
        with self._lock:
            self._cursor = last

    def _position(self, tx: Any) -> int:
        with self._lock:
            if self._cursor is None:
                self._cursor = tx.event_log.cursor(CURSOR)
            return self._cursor

    # ---- rebuild and state ------------------------------------------------------------------

    def rebuild(self) -> int:
        """Recreate the index from the database; the cursor moves to the newest event."""
        with self.uow() as tx:
            last = tx.event_log.last_id()
        count = self.index.rebuild(self._all_docs())
        with self.uow() as tx:
            if tx.event_log.cursor(CURSOR) < last:
                tx.event_log.move_cursor(CURSOR, last)
        with self._lock:
            self._cursor = None
        return count

    def _all_docs(self) -> Iterator[IndexDoc]:
        after = ''
        while True:
            with self.uow() as tx:
                ids = tx.search_docs.ids_after(after, REBUILD_BATCH)
                if not ids:
                    return
                sources = tx.search_docs.sources(ids)
            yield from (index_doc(s) for s in sources)
            after = ids[-1]

    def pending(self) -> int:
        with self.uow() as tx:
            return tx.event_log.count_after(tx.event_log.cursor(CURSOR))

    def notify(self, _event: object = None) -> None:
        self.worker.notify()
