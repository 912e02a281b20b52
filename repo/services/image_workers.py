"""The image worker processes (Pillow work off the server's one Python core), started lazily.

A thin holder around the process pool so services share one and commands that never touch a
picture never start it.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Executor, Future
from typing import Any, Protocol

from repo import imaging
from repo.core.errors import DiskFull, Invalid, ShoeboxError, TooLarge, UnsupportedType
from repo.worker_pool import new_pool

log = logging.getLogger(__name__)


class Limits(Protocol):
    """What bounds an upload and its renditions (Settings has these; so will stored settings)."""

    max_file_bytes: int
    max_pixels: int
    thumb_size: int
    preview_size: int


REJECTION_ERRORS: dict[int, type[ShoeboxError]] = {
    413: TooLarge,
    415: UnsupportedType,
    507: DiskFull,  # the disk filled up while a worker wrote a rendition
}


def rejection_error(rejection: imaging.ImageRejection) -> ShoeboxError:
    return REJECTION_ERRORS.get(rejection.status, Invalid)(rejection.message)


class ImageWorkers:
    def __init__(self, size: int, executor: Executor | None = None) -> None:
        self.size = size
        self._executor = executor
        self._own = executor is None
        self._lock = threading.Lock()
        self._queued = 0  # jobs submitted here and not finished yet (the admin page shows it)

    @property
    def executor(self) -> Executor:
        with self._lock:
            if self._executor is None:
                self._executor = new_pool(self.size)
            return self._executor

    def lend(self, executor: Executor) -> None:
        """Use an executor someone else owns (tests share one pool); it is not shut down here."""
        with self._lock:
            if self._executor is None:
                self._executor = executor
                self._own = False

    def submit(self, fn: Any, *args: Any, **kwargs: Any) -> Future:
        future = self.executor.submit(fn, *args, **kwargs)
        with self._lock:
            self._queued += 1
        future.add_done_callback(self._finished)
        return future

    @property
    def queued(self) -> int:
        """Image jobs of this process waiting for a worker or running."""
        return self._queued

    def _finished(self, _future: Future) -> None:
        with self._lock:
            self._queued -= 1

    def start(self) -> list[Future[bool]]:
        """Spawn every worker now, so the first uploads do not wait while each one starts and
        imports Pillow. Returns at once; the futures finish when the workers are up."""
        # A submission spawns a new process while none is idle: one job per worker starts all.
        started = [self.submit(imaging.ready) for _ in range(self.size)]
        for future in started:
            future.add_done_callback(_log_start_failure)
        return started

    def close(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if self._own and executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)


def _log_start_failure(future: Future[bool]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.error('An image worker process failed to start', exc_info=future.exception())
