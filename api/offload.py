"""A few threads for short blocking calls made from the event loop, with little overhead.

Image bytes are asked for by the hundred per second, and each request needs a database lookup
(who is asking, may they see it), which must not run on the event loop. anyio's thread pool, and
asyncio's default executor, spend more Python per call on bookkeeping (capacity limiter, cancel
scopes, `threading.Condition`s) than that lookup takes. Here a call is one C-level queue put
and one `call_soon_threadsafe` back; the context (NiceGUI's request context included) is
copied, as anyio does.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar('T')
THREADS = 8


def _set_result(future: asyncio.Future, value: Any) -> None:
    if not future.done():  # the awaiting request may have been cancelled (client gone)
        future.set_result(value)


def _set_exception(future: asyncio.Future, exc: BaseException) -> None:
    if not future.done():
        future.set_exception(exc)


class Offload:
    """`await offload.run(fn, *args)`: fn(*args) in one of `threads` daemon threads."""

    def __init__(self, threads: int = THREADS, name: str = 'shoebox-offload') -> None:
        self._queue: queue.SimpleQueue[tuple | None] = queue.SimpleQueue()
        self._size = threads
        self._name = name
        self._started = 0
        self._lock = threading.Lock()

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        if self._started < self._size:
            self._start_thread()
        self._queue.put((loop, future, contextvars.copy_context(), fn, args))
        return await future

    def _start_thread(self) -> None:
        with self._lock:
            if self._started >= self._size:
                return
            self._started += 1
            name = f'{self._name}-{self._started}'
        threading.Thread(target=self._work, name=name, daemon=True).start()

    def _work(self) -> None:
        while (item := self._queue.get()) is not None:
            loop, future, ctx, fn, args = item
            try:
                result = ctx.run(fn, *args)
            except BaseException as exc:
                callback, value = _set_exception, exc
            else:
                callback, value = _set_result, result
            with contextlib.suppress(RuntimeError):  # the loop was closed meanwhile (shutdown)
                loop.call_soon_threadsafe(callback, future, value)
            del item, future, value


offload = Offload()  # one per process: the threads serve every app and event loop
# Calls that wait on the image worker processes (an upload, a search by image): threads of their
# own, so that a burst of uploads never holds up the quick lookups on `offload`. The thread
# count bounds how many such calls run at once; the rest wait in the queue.
image_jobs = Offload(threads=16, name='shoebox-image-jobs')
