"""Removing stored bytes once no image row refers to them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from repo.blobs.store import BlobStore, keys_of


def remove_if_unused(uow: Callable[[], Any], blobs: BlobStore, sha256: str) -> bool:
    """Delete the original and renditions of `sha256` unless an image row still uses them.

    In one transaction locked on the content, so an upload reusing the bytes at the same moment
    either has committed its row first (and they stay), or finds them gone inside its own lock
    and puts them back. Returns whether they were removed.
    """
    with uow() as tx:
        tx.lock_content(sha256)
        if tx.images.sha_in_use(sha256):
            return False
        for key in reversed(keys_of(sha256)):  # renditions first, the original last
            blobs.delete(key)
        return True
