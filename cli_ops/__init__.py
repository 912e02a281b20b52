"""Server-side `shoebox` commands of operations: import an export, backup, verify, restore,
keygen, encrypt-existing."""

from __future__ import annotations

import typer

from cli_ops.commands import backup, import_export, restore
from cli_ops.keys import encrypt_existing, keygen


def register(app: typer.Typer) -> None:
    app.command('import-export')(import_export)
    app.command()(backup)
    app.command()(restore)
    app.command()(keygen)
    app.command('encrypt-existing')(encrypt_existing)
