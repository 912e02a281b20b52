"""Encryption at rest for a library that already has plaintext blobs: `encrypt-existing`.

Each blob is converted under its content lock (so blob clean-up and uploads that reuse the
bytes wait for it): the encrypted copy is written and linked into place first, the plaintext
removed after. Killed at any moment, every blob still has a whole copy; run again, it carries
on with what is left.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from repo.blobs.cipher import new_key_text
from repo.blobs.encrypted_store import KEY_SETTING, EncryptedBlobStore
from repo.blobs.store import BlobStore
from repo.core import policy
from repo.core.actor import Actor
from repo.core.errors import Invalid

Progress = Callable[[int, int, str], None]
jobs = logging.getLogger('shoebox.jobs')
__all__ = ['EncryptionService', 'new_key_text']  # new_key_text: for `shoebox keygen`


class EncryptionService:
    def __init__(self, uow: Callable[[], Any], blobs: Callable[[], BlobStore]) -> None:
        self.uow = uow
        self.blobs = blobs

    def enabled(self) -> bool:
        return isinstance(self.blobs(), EncryptedBlobStore)

    def plaintext_keys(self) -> list[str] | None:
        """Blobs not yet encrypted; None when encryption is off (then nothing is expected)."""
        store = self.blobs()
        if not isinstance(store, EncryptedBlobStore):
            return None
        return list(store.plaintext())

    def encrypt_existing(self, actor: Actor, on_progress: Progress | None = None) -> int:
        """Encrypt every plaintext blob; returns how many were converted."""
        policy.require_admin(actor)
        store = self.blobs()
        if not isinstance(store, EncryptedBlobStore):
            raise Invalid(f'Encryption is off: set {KEY_SETTING} to a key file first')
        keys = list(store.plaintext())
        converted = 0
        for done, key in enumerate(keys, 1):
            with self.uow() as tx:
                tx.lock_content(key.split('.', 1)[0])
                converted += store.encrypt_one(key)
            if on_progress is not None:
                on_progress(done, len(keys), key)
        jobs.info('encrypt-existing: %d blobs', converted, extra={'job': 'encrypt'})
        return converted
