"""What the uploads of one signed-in browser came to: one entry per file, kept on the server.

The server notes each outcome itself (api/browser_uploads.py tells it), so the list is complete
even when the browser never got an answer, and a reload or a reconnect shows it again. The
browser adds only what never reached the server (too large, skipped, could not be sent).

In memory per browser (the NiceGUI browser id) and login session, capped; copied into that
browser's server-side storage at most every few seconds, so it also outlives a restart of the
server or a log pushed out of memory. A new sign-in starts a new list.
"""

from __future__ import annotations

import json
import time
from collections import Counter, OrderedDict
from collections.abc import MutableMapping
from dataclasses import astuple, dataclass, fields
from typing import Any

STATUSES = ('added', 'duplicate', 'refused', 'skipped')
MAX_ENTRIES = 5000  # per browser; the oldest go first
MAX_LOGS = 64  # browsers kept in memory; the others come back from their storage
PERSIST_EVERY_S = 2.0
STORAGE_KEY = 'upload_log'
MAX_TEXT = 500

Storage = MutableMapping[str, Any]  # a browser's app.storage.user


@dataclass(frozen=True, slots=True)
class Entry:
    key: str  # the file within its batch, as the uploader named it: '<batch>-<n>'
    name: str  # the file's name as the person knows it (with its folder)
    status: str  # one of STATUSES
    detail: str = ''  # why it was refused or skipped
    image_id: str = ''  # added: the new image; duplicate: the one already there
    width: int = 0
    height: int = 0
    visibility: str = ''
    looks_like_id: str = ''  # added: an own image it looks like (a near-duplicate)
    looks_like_title: str = ''
    by_server: bool = True  # the server's word; else the browser's

    def row(self) -> list[Any]:
        return list(astuple(self))

    @classmethod
    def of_row(cls, row: object) -> Entry | None:
        """An entry from storage, or None when it is not one (storage is not trusted blindly)."""
        if not isinstance(row, list) or len(row) != len(fields(cls)):
            return None
        try:
            entry = cls(*row)
        except TypeError:
            return None
        texts = (entry.key, entry.name, entry.status, entry.detail, entry.image_id)
        if entry.status not in STATUSES or not all(isinstance(t, str) for t in texts):
            return None
        return entry


def text(value: object, limit: int = MAX_TEXT) -> str:
    """Display text from anywhere: a string, printable, capped."""
    return ''.join(ch for ch in str(value) if ch.isprintable())[:limit]


class UploadLog:
    def __init__(self, session: str) -> None:
        self.session = session  # the login session this list belongs to
        self.entries: OrderedDict[str, Entry] = OrderedDict()  # by key, in order of arrival
        self.version = 0  # changes with every change, for the page to notice
        self.changed_at = 0.0  # time.monotonic() of the last change
        self.persisted_version = 0
        self.persisted_at = 0.0

    def record(self, entry: Entry) -> bool:
        """Note an outcome. The first word on a file stands (a retry that finds the file
        already added is not a duplicate of itself), except that the server's word replaces
        the browser's. True when something changed."""
        old = self.entries.get(entry.key)
        if old is not None and (old.by_server or not entry.by_server):
            return False
        self.entries[entry.key] = entry
        while len(self.entries) > MAX_ENTRIES:
            self.entries.popitem(last=False)
        self._changed()
        return True

    def clear(self) -> None:
        self.entries.clear()
        self._changed()

    def _changed(self) -> None:
        self.version += 1
        self.changed_at = time.monotonic()

    def counts(self) -> Counter[str]:
        return Counter(e.status for e in self.entries.values())

    def by_batch(self, status: str | None = None) -> list[Entry]:
        """The newest batch first; within a batch the refused files first (what needs doing),
        then the others in the order they were done. So the first page of a running batch fills
        up and then stays still while the rest arrive."""
        batches: dict[str, list[Entry]] = {}
        for entry in self.entries.values():
            if status in (None, entry.status):
                batches.setdefault(entry.key.rpartition('-')[0], []).append(entry)
        return [
            entry
            for batch in reversed(batches.values())
            for entry in sorted(batch, key=lambda e: e.status != 'refused')
        ]

    def snapshot(self) -> str:
        """As one JSON string: storage would wrap every nested list in an observable one."""
        rows = [e.row() for e in self.entries.values()]
        return json.dumps({'session': self.session, 'entries': rows}, separators=(',', ':'))

    @classmethod
    def restore(cls, session: str, snapshot: object) -> UploadLog:
        log = cls(session)
        try:
            saved = json.loads(snapshot) if isinstance(snapshot, str) else None
        except ValueError:
            saved = None
        if isinstance(saved, dict) and saved.get('session') == session:
            for row in saved.get('entries', [])[-MAX_ENTRIES:]:
                entry = Entry.of_row(row)
                if entry is not None:
                    log.entries[entry.key] = entry
        log.persisted_version = log.version
        return log


class UploadLogs:
    """The logs of the browsers seen lately, least recently used first."""

    def __init__(self) -> None:
        self._logs: OrderedDict[str, UploadLog] = OrderedDict()

    def get(self, browser: str, session: str, storage: Storage | None) -> UploadLog:
        log = self._logs.get(browser)
        if log is None or log.session != session:
            saved = storage.get(STORAGE_KEY) if storage is not None else None
            log = UploadLog.restore(session, saved)
            self._logs[browser] = log
        self._logs.move_to_end(browser)
        while len(self._logs) > MAX_LOGS:
            self._logs.popitem(last=False)
        return log

    def record(self, browser: str, session: str, entry: Entry, storage: Storage | None) -> None:
        log = self.get(browser, session, storage)
        if log.record(entry) and storage is not None:
            persist(log, storage)


def persist(log: UploadLog, storage: Storage, *, force: bool = False) -> None:
    """Copy the log into the browser's storage, at most every PERSIST_EVERY_S unless forced
    (every write of that storage rewrites all of it)."""
    if log.persisted_version == log.version:
        return
    now = time.monotonic()
    if not force and now - log.persisted_at < PERSIST_EVERY_S:
        return
    storage[STORAGE_KEY] = log.snapshot()
    log.persisted_version = log.version
    log.persisted_at = now


LOGS = UploadLogs()  # one per server process: a cache over each browser's storage
