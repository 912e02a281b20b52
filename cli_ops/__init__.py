"""Server-side `shoebox` commands of operations: import an export, backup, verify, restore."""

from __future__ import annotations

import typer

from cli_ops.commands import backup, import_export, restore


def register(app: typer.Typer) -> None:
    app.command('import-export')(import_export)
    app.command()(backup)
    app.command()(restore)
