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
DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        help='postgresql+psycopg://user:pw@host:port/db [env SHOEBOX_DATABASE_URL; SQLite]'
    ),
]
BlobUrl = Annotated[
    str | None, typer.Option(help='s3://bucket/prefix [env SHOEBOX_BLOB_URL; data/blobs]')
]


def settings_for(data_dir: Path | None, **overrides: object) -> Settings:
    from repo.config import Settings

    try:
        return Settings.from_env(data_dir=data_dir, **overrides)
    except ValueError as exc:
        err.print(f'[red]Bad setting:[/red] {escape(str(exc))}')
        raise typer.Exit(2) from None


def services_for(
    data_dir: Path | None,
    database_url: str | None = None,
    blob_url: str | None = None,
    **options: object,
) -> Services:
    """The services on the library (the data folder, or the database and blob store named),
    built as each command uses them (cheap ones stay so). The encryption key is checked at
    once: a wrong or missing one is a message, not a trace."""
    from repo.container import build

    settings = settings_for(data_dir, database_url=database_url, blob_url=blob_url)
    services = build(settings, **options)  # type: ignore[arg-type]
    key_checked(services)
    return services


def key_checked(services: Services) -> None:
    from repo.core.errors import EncryptionKeyError

    try:
        services.cipher  # noqa: B018
    except EncryptionKeyError as exc:
        services.close()
        err.print(f'[red]Encryption key:[/red] {escape(exc.message)}')
        raise typer.Exit(2) from None


def fail(exc: ShoeboxError) -> typer.Exit:
    err.print(f'[red]Error:[/red] {escape(exc.message)}')
    return typer.Exit(1)
