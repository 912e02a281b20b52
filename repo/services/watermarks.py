"""Watermarked previews, made on first request and kept in a small in-memory cache (a cache
only: any process can make them again from the stored preview)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from repo.imaging.watermark import watermark_webp

MAX_ENTRIES = 64  # about 200 KB each


class WatermarkCache:
    def __init__(self, make: Callable[[bytes, str], bytes] = watermark_webp) -> None:
        self.make = make
        self._entries: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, sha256: str, name: str, preview: Callable[[], bytes]) -> bytes:
        """The preview of these bytes with `name` on it."""
        key = (sha256, name)
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
        marked = self.make(preview(), name)
        with self._lock:
            self._entries[key] = marked
            while len(self._entries) > MAX_ENTRIES:
                self._entries.popitem(last=False)
        return marked
