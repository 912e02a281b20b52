"""LooksCache: the similarity index of this process, a cache of the images' signatures.

Loaded from the database on first use (so commands that never compare pictures never pay for
it), then kept fresh by the events of this process's transactions as they commit. Loading and
applying an event take the same lock, so an event that commits while the rows are being read
is applied after the load (applying is idempotent).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

from repo.core.events import ImageAdded, ImageChanged, ImageRemoved
from repo.core.visibility import Visibility
from repo.similarity import Entry, SimilarityIndex

LookRows = Callable[[], Iterable[tuple[str, int, str, int, bytes]]]


class LooksCache:
    def __init__(self, rows: LookRows) -> None:
        self._rows = rows
        self._index: SimilarityIndex | None = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._index is not None

    @property
    def index(self) -> SimilarityIndex:
        index = self._index
        if index is not None:
            return index
        with self._lock:
            if self._index is None:
                fresh = SimilarityIndex()
                fresh.load(
                    Entry(key, owner, visibility == Visibility.public.value, dhash, sig or b'')
                    for key, owner, visibility, dhash, sig in self._rows()
                )
                self._index = fresh
            return self._index

    def on_added(self, event: ImageAdded) -> None:
        with self._lock:
            if self._index is not None:
                self._index.add(
                    event.image_id, event.owner_id, event.public, event.dhash, event.signature
                )

    def on_changed(self, event: ImageChanged) -> None:
        with self._lock:
            if self._index is not None:
                self._index.set_visibility(event.image_id, event.public)

    def on_removed(self, event: ImageRemoved) -> None:
        with self._lock:
            if self._index is not None:
                self._index.remove(event.image_id)
