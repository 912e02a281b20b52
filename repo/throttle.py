"""Sign-in throttling per account and per client address (in memory, per process)."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from repo.errors import Throttled

FREE_FAILURES = 5  # failures allowed before any delay
BASE_DELAY_S = 2.0  # first delay; doubles with each further failure
MAX_DELAY_S = 900.0  # 15 minutes at most
FORGET_AFTER_S = 3600.0  # a quiet hour clears the record


@dataclass
class _Record:
    failures: int = 0
    last_failure: float = 0.0


class LoginThrottle:
    """After FREE_FAILURES failures, each key must wait a doubling delay before trying again."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._records: dict[str, _Record] = {}
        self._lock = threading.Lock()

    def _delay(self, record: _Record) -> float:
        extra = record.failures - FREE_FAILURES
        if extra < 0:
            return 0.0
        return min(MAX_DELAY_S, BASE_DELAY_S * 2**extra)

    def check(self, *keys: str) -> None:
        """Raise Throttled when any key (account, address) is still cooling down."""
        now = self._clock()
        wait = 0.0
        with self._lock:
            for key in keys:
                record = self._records.get(key)
                if record is None:
                    continue
                if now - record.last_failure > FORGET_AFTER_S:
                    del self._records[key]
                    continue
                wait = max(wait, record.last_failure + self._delay(record) - now)
        if wait > 0:
            seconds = math.ceil(wait)
            raise Throttled(
                f'Too many failed sign-ins. Try again in {seconds} second'
                + ('s' if seconds != 1 else ''),
                retry_after=seconds,
            )

    def failed(self, *keys: str) -> None:
        now = self._clock()
        with self._lock:
            for key in keys:
                record = self._records.setdefault(key, _Record())
                record.failures += 1
                record.last_failure = now

    def succeeded(self, account_key: str) -> None:
        """A successful sign-in clears the account's record (not the address's)."""
        with self._lock:
            self._records.pop(account_key, None)
