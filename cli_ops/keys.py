"""`shoebox keygen` and `shoebox encrypt-existing`: encryption at rest."""

from __future__ import annotations

import sys

from cli_ops.commands import _progress
from cli_ops.context import DataDir, fail, out, services_for


def keygen() -> None:
    """Print a new random 256-bit key: `shoebox keygen > key`, then chmod 600 key and set
    SHOEBOX_ENCRYPTION_KEY_FILE=key. Keep a copy apart from the data: without it, the
    encrypted images cannot be read by anyone, you included."""
    from repo.services.encryption import new_key_text

    sys.stdout.write(new_key_text() + '\n')


def encrypt_existing(data_dir: DataDir = None) -> None:
    """Encrypt the blobs stored before encryption was on (resumable: run it again after a
    crash or a stop)."""
    from repo.core.actor import SYSTEM
    from repo.core.errors import ShoeboxError

    with services_for(data_dir) as services:
        try:
            with _progress('Encrypting') as progress:
                task = progress.add_task('encrypt', total=None)
                converted = services.encryption.encrypt_existing(
                    SYSTEM,
                    lambda done, total, _: progress.update(task, completed=done, total=total),
                )
        except ShoeboxError as exc:
            raise fail(exc) from None
    out.print(f'encrypted {converted} blobs')
