"""What the server-side commands share: the settings and services on a data folder, the
consoles, and how a refusal ends a command."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:  # the server side is imported where used, so the HTTP client starts fast
    from repo.config import Settings
    from repo.container import Services
    from repo.core.errors import ShoeboxError

err = Console(stderr=True)
out = Console()

DataDir = Annotated[
    Path | None, typer.Option('--data-dir', help='Data folder [env SHOEBOX_DATA_DIR; ./data]')
]


def settings_for(data_dir: Path | None, **overrides: object) -> Settings:
    from repo.config import Settings

    try:
        return Settings.from_env(data_dir=data_dir, **overrides)
    except ValueError as exc:
        err.print(f'[red]Bad setting:[/red] {escape(str(exc))}')
        raise typer.Exit(2) from None


def services_for(data_dir: Path | None) -> Services:
    """The services on the data folder, built as each command uses them (cheap ones stay so)."""
    from repo.container import build

    return build(settings_for(data_dir))


def fail(exc: ShoeboxError) -> typer.Exit:
    err.print(f'[red]Error:[/red] {escape(exc.message)}')
    return typer.Exit(1)
