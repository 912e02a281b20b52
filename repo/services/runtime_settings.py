"""Settings an administrator changes while Shoebox runs: stored in the database, read over the
start-up Settings, applied without a restart in every process.

`current()` is asked wherever a limit is used (uploads, sign-up, pages). It is cached for a
couple of seconds (so another process's change arrives within that time) and refreshed at once
after a change made through this process.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from repo.core import policy
from repo.core.actor import Actor
from repo.core.errors import Invalid
from repo.db.tables import utcnow
from repo.services.audit import audit_name

log = logging.getLogger(__name__)

CACHE_SECONDS = 2.0
MAX_FILE_BYTES = 10_000_000_000  # 10 GB: a file larger than this is not a photo
MAX_PIXELS = 1_000_000_000
MAX_TRASH_DAYS = 3650


class Defaults(Protocol):
    """What the start-up settings (repo.config.Settings) offer here."""

    def with_(self, **changes: Any) -> Any: ...


@dataclass(frozen=True)
class Rule:
    label: str
    kind: type
    nullable: bool = False  # None allowed (for quotas: unlimited)
    low: int = 0
    high: int | None = None


EDITABLE: dict[str, Rule] = {
    'open_signup': Rule('Open sign-up', bool),
    'default_quota_bytes': Rule('Default storage quota', int, nullable=True),
    'default_quota_images': Rule('Default image quota', int, nullable=True),
    'trash_days': Rule('Days in the trash', int, high=MAX_TRASH_DAYS),
    'max_file_bytes': Rule('Largest file', int, low=1, high=MAX_FILE_BYTES),
    'max_pixels': Rule('Largest image', int, low=1, high=MAX_PIXELS),
}


def check_value(key: str, value: Any) -> Any:
    rule = EDITABLE.get(key)
    if rule is None:
        raise Invalid(f'"{key}" is not a setting that can be changed here')
    if value is None:
        if rule.nullable:
            return None
        raise Invalid(f'"{key}" needs a value')
    if rule.kind is bool:
        if not isinstance(value, bool):
            raise Invalid(f'"{key}" must be true or false')
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f'"{key}" must be a whole number')
    if rule.high is not None and not rule.low <= value <= rule.high:
        raise Invalid(f'"{key}" must be between {rule.low} and {rule.high}')
    if value < rule.low:
        raise Invalid(f'"{key}" must be {rule.low} or more')
    return value


class RuntimeSettings:
    def __init__(
        self,
        uow: Callable[[], Any],
        defaults: Callable[[], Defaults],
        *,
        now: Callable[[], datetime] = utcnow,
        cache_seconds: float = CACHE_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.uow = uow
        self.defaults = defaults  # the start-up settings (asked each time: tests swap them)
        self.now = now
        self.cache_seconds = cache_seconds
        self.monotonic = monotonic
        self._lock = threading.Lock()
        self._cached: tuple[float, Any, Any] | None = None  # (when, defaults, merged)

    def current(self) -> Any:
        """The start-up Settings with the stored values over them."""
        defaults = self.defaults()
        with self._lock:
            cached = self._cached
            if (
                cached is not None
                and cached[1] is defaults
                and self.monotonic() - cached[0] < self.cache_seconds
            ):
                return cached[2]
        merged = self._read(defaults)
        with self._lock:
            self._cached = (self.monotonic(), defaults, merged)
        return merged

    def invalidate(self) -> None:
        with self._lock:
            self._cached = None

    def view(self, actor: Actor) -> dict[str, Any]:
        """The values in force (administrators only)."""
        policy.require_admin(actor)
        current = self.current()
        return {key: getattr(current, key) for key in EDITABLE}

    def update(self, actor: Actor, changes: dict[str, Any]) -> dict[str, Any]:
        """Store new values (validated first, all or none); the change is audited."""
        policy.require_admin(actor)
        checked = {key: check_value(key, value) for key, value in changes.items()}
        if checked:
            now = self.now()
            with self.uow() as tx:
                for key, value in checked.items():
                    tx.runtime_settings.put(key, value, now)
                tx.audit.add(audit_name(actor), 'settings.update', '', checked, at=now)
            self.invalidate()
        return self.view(actor)

    def _read(self, defaults: Any) -> Any:
        try:
            with self.uow() as tx:
                stored = tx.runtime_settings.all()
        except Exception:  # the database is the record; without it, the start-up values
            log.exception('Reading the stored settings failed; using the start-up values')
            return defaults
        good: dict[str, Any] = {}
        for key, value in stored.items():
            try:
                good[key] = check_value(key, value)
            except Invalid:
                log.warning('Ignoring the stored setting %s=%r', key, value)
        return defaults.with_(**good) if good else defaults
