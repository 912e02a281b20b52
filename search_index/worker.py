"""IndexWorker: the one background thread that writes to the index.

It drains the database's index outbox in batches: fetch pending rows, keep the last change per
image, apply them in one commit, mark the rows done. Rows are only marked done after the
commit, so a crash in between replays them (applying is idempotent). A failing batch is logged
and retried with a growing pause; the thread itself never dies of it (a batch that can never
be applied keeps being retried and logged, and holds up the rows behind it).

Commits are spaced at least MIN_COMMIT_INTERVAL apart. The first change after a quiet spell is
committed at once; a stream of changes (an upload of many images, one transaction each) is
gathered into one commit per interval instead of one commit and one new searcher per image.
A change is still searchable well within a second, and wait_idle() skips the pause.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from search_index.index import SearchIndex
from search_index.schema import IndexDoc

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0
# Spacing between commits while changes keep coming. A commit plus a fresh searcher costs about
# 10-50 ms of the server's one Python core; at upload rates (tens of images per second) one per
# image was a third of it, and 0.25 s apart the index still took a quarter of the server's
# Python time during a bulk upload. Commits start at most every 0.5 s, so a change waits for
# the commit under way or the rest of the pause, whichever is longer, then for its own commit:
# about 0.55 s with typical commits (10-50 ms), within the 1 s "searchable after add" unless
# two commits in a row take more than half a second (Whoosh merging large segments).
MIN_COMMIT_INTERVAL = 0.5
RETRY_MIN_SECONDS = 0.5
RETRY_MAX_SECONDS = 30.0


@dataclass(frozen=True)
class OutboxItem:
    outbox_id: int
    image_id: str
    doc: IndexDoc | None  # None means: delete image_id from the index


def coalesce(items: Sequence[OutboxItem]) -> tuple[list[IndexDoc], list[str]]:
    """(upserts, deletes) with only the last change per image, in outbox order."""
    last: dict[str, IndexDoc | None] = {}
    for item in sorted(items, key=lambda i: i.outbox_id):
        last.pop(item.image_id, None)  # re-insert so the dict keeps the latest order
        last[item.image_id] = item.doc
    upserts = [doc for doc in last.values() if doc is not None]
    deletes = [image_id for image_id, doc in last.items() if doc is None]
    return upserts, deletes


class IndexWorker:
    def __init__(
        self,
        index: SearchIndex,
        fetch_pending: Callable[[int], list[OutboxItem]],
        mark_done: Callable[[list[int]], None],
        batch_size: int = 500,
        poll_seconds: float = POLL_SECONDS,
        min_commit_interval: float = MIN_COMMIT_INTERVAL,
    ) -> None:
        if batch_size < 1:
            raise ValueError('batch_size must be at least 1')
        self._index = index
        self._fetch_pending = fetch_pending
        self._mark_done = mark_done
        self._batch_size = batch_size
        self._poll_seconds = poll_seconds
        self._min_commit_interval = min_commit_interval
        self._wake = threading.Event()
        self._hurry = threading.Event()  # set by wait_idle() and stop(): skip the spacing pause
        self._last_commit = float('-inf')  # time.monotonic() of the last applied batch
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        # wait_idle() bookkeeping: each call takes a ticket; a drain pass that started after
        # the ticket was taken and emptied the outbox completes it.
        self._cond = threading.Condition()
        self._issued = 0
        self._completed = 0

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name='shoebox-index-worker', daemon=True)
        self._thread.start()

    def notify(self) -> None:
        """New outbox rows exist (call after their transaction committed)."""
        self._wake.set()

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """True once everything pending at call time is applied; False on timeout or when the
        worker is not running."""
        thread = self._thread
        if thread is None or not thread.is_alive():
            return False
        with self._cond:
            self._issued += 1
            ticket = self._issued
            self._hurry.set()
            self._wake.set()
            self._cond.wait_for(lambda: self._completed >= ticket or not thread.is_alive(), timeout)
            return self._completed >= ticket

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the batch in progress; pending rows stay pending for the next start."""
        self._stopping.set()
        self._hurry.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        with self._cond:
            self._cond.notify_all()

    # -- the thread ----------------------------------------------------------------------------

    def _run(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            self._wake.wait(self._poll_seconds)
            self._space_out_commits()
            # Cleared only now: changes notified during the pause are in the coming drain, and
            # any notified after this line wake the next round.
            self._wake.clear()
            self._hurry.clear()
            if self._stopping.is_set():
                break
            with self._cond:
                ticket = self._issued
            try:
                emptied = self._drain()
            except Exception:
                failures += 1
                pause = min(RETRY_MIN_SECONDS * 2 ** (failures - 1), RETRY_MAX_SECONDS)
                log.exception('search index batch failed; retrying in %.1f s', pause)
                self._stopping.wait(pause)
                self._wake.set()  # retry straight after the pause
                continue
            failures = 0
            if not emptied:
                continue
            with self._cond:
                self._completed = max(self._completed, ticket)
                self._cond.notify_all()

    def _space_out_commits(self) -> None:
        """Wait until MIN_COMMIT_INTERVAL has passed since the last commit began (at once after a
        quiet spell), unless someone waits for the index or the worker is stopping."""
        pause = self._last_commit + self._min_commit_interval - time.monotonic()
        if pause > 0:
            self._hurry.wait(pause)

    def _drain(self) -> bool:
        """Apply batches until the outbox is empty (True) or we are asked to stop (False)."""
        while not self._stopping.is_set():
            items = self._fetch_pending(self._batch_size)
            if items:
                upserts, deletes = coalesce(items)
                started = time.monotonic()
                self._index.apply(upserts, deletes)
                log.info(
                    'index batch: %d changes applied in %.1f ms',
                    len(items),
                    (time.monotonic() - started) * 1000,
                    extra={'job': 'index', 'ms': (time.monotonic() - started) * 1000},
                )
                # Spacing counts from the start of a commit, so that a slow commit (a segment
                # merge) is not followed by the whole pause as well.
                self._last_commit = started
                self._mark_done([item.outbox_id for item in items])
            if len(items) < self._batch_size:
                return True
        return False
