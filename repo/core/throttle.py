"""Sign-in throttling per account and per client address.

After FREE_FAILURES failures, each key must wait a doubling delay before trying again; a quiet
hour clears the record. The records live in a `ThrottleStore`: the database in the app (shared
by every process), memory in tests of the rule itself.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Protocol

from repo.core.errors import Throttled

FREE_FAILURES = 5  # failures allowed before any delay
BASE_DELAY_S = 2.0  # first delay; doubles with each further failure
MAX_DELAY_S = 900.0  # 15 minutes at most
FORGET_AFTER_S = 3600.0  # a quiet hour clears the record


class ThrottleStore(Protocol):
    def records(self, keys: list[str]) -> dict[str, tuple[int, float]]:
        """key -> (failures, time of the last failure), for keys with a record."""

    def failed(self, keys: list[str], now: float) -> None: ...

    def forget(self, keys: list[str]) -> None: ...


class MemoryThrottleStore:
    def __init__(self) -> None:
        self._records: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def records(self, keys: list[str]) -> dict[str, tuple[int, float]]:
        with self._lock:
            return {k: self._records[k] for k in keys if k in self._records}

    def failed(self, keys: list[str], now: float) -> None:
        with self._lock:
            for key in keys:
                failures, _ = self._records.get(key, (0, 0.0))
                self._records[key] = (failures + 1, now)

    def forget(self, keys: list[str]) -> None:
        with self._lock:
            for key in keys:
                self._records.pop(key, None)


def delay_after(failures: int) -> float:
    extra = failures - FREE_FAILURES
    if extra < 0:
        return 0.0
    return min(MAX_DELAY_S, BASE_DELAY_S * 2**extra)


class LoginThrottle:
    def __init__(
        self, store: ThrottleStore | None = None, clock: Callable[[], float] = time.time
    ) -> None:
        self.store = store or MemoryThrottleStore()
        self.clock = clock

    def check(self, *keys: str) -> None:
        """Raise Throttled when any key (account, address) is still cooling down."""
        now = self.clock()
        wait = 0.0
        stale = []
        for key, (failures, last) in self.store.records(list(keys)).items():
            if now - last > FORGET_AFTER_S:
                stale.append(key)
                continue
            wait = max(wait, last + delay_after(failures) - now)
        if stale:
            self.store.forget(stale)
        if wait > 0:
            seconds = math.ceil(wait)
            raise Throttled(
                f'Too many failed sign-ins. Try again in {seconds} second'
                + ('s' if seconds != 1 else ''),
                retry_after=seconds,
            )

    def failed(self, *keys: str) -> None:
        self.store.failed(list(keys), self.clock())

    def succeeded(self, account_key: str) -> None:
        """A successful sign-in clears the account's record (not the address's)."""
        self.store.forget([account_key])
