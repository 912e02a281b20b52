"""The `shoebox` command: serve, import, reindex, check, users (server side), and the HTTP
client commands login, logout, upload, list, search, get, edit, delete (cli_client)."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

import cli_client
import cli_ops
from cli_ops import account_switches
from cli_ops.context import (
    BlobUrl,
    DatabaseUrl,
    DataDir,
    err,
    fail,
    out,
    services_for,
    settings_for,
)

app = typer.Typer(help='Shoebox: a self-hosted image repository.', no_args_is_help=True)
users_app = typer.Typer(help='Manage user accounts.', no_args_is_help=True)
app.add_typer(users_app, name='users')
cli_client.register(app)
cli_ops.register(app)
_settings = settings_for
_services = services_for
_fail = fail


@app.command()
def serve(
    data_dir: DataDir = None,
    host: Annotated[str | None, typer.Option(help='Address [env SHOEBOX_HOST; 127.0.0.1]')] = None,
    port: Annotated[int | None, typer.Option(help='Port [env SHOEBOX_PORT; 8080]')] = None,
    max_file_bytes: Annotated[int | None, typer.Option(help='Bytes per file [50000000]')] = None,
    max_pixels: Annotated[int | None, typer.Option(help='Pixels per image [100000000]')] = None,
    thumb_size: Annotated[int | None, typer.Option(help='Thumbnail box, px [400]')] = None,
    preview_size: Annotated[int | None, typer.Option(help='Preview box, px [1600]')] = None,
    storage_secret: Annotated[str | None, typer.Option(help='Cookie signing secret')] = None,
    open_signup: Annotated[
        bool | None, typer.Option('--open-signup/--no-open-signup', help='Anyone may sign up')
    ] = None,
    workers: Annotated[int | None, typer.Option(help='Image worker processes [cores]')] = None,
    default_quota_bytes: Annotated[
        int | None, typer.Option(help='Storage quota per account, bytes [unlimited]')
    ] = None,
    default_quota_images: Annotated[
        int | None, typer.Option(help='Images per account [unlimited]')
    ] = None,
    ssl_certfile: Annotated[Path | None, typer.Option(help='TLS certificate (PEM)')] = None,
    ssl_keyfile: Annotated[Path | None, typer.Option(help='TLS private key (PEM)')] = None,
    public_url: Annotated[
        str | None,
        typer.Option(help='Address(es) people use, behind a proxy, comma-separated [none]'),
    ] = None,
    currency: Annotated[
        str | None, typer.Option(help="The shop's currency, ISO 4217 [env SHOEBOX_CURRENCY; EUR]")
    ] = None,
    watermark: Annotated[
        bool | None,
        typer.Option('--watermark/--no-watermark', help='Watermark previews of images on sale'),
    ] = None,
    metrics_public: Annotated[
        bool | None,
        typer.Option('--metrics-public/--metrics-private', help='/metrics for anyone [private]'),
    ] = None,
    log_format: Annotated[str | None, typer.Option(help='Log lines: text or json [text]')] = None,
    encryption_key_file: Annotated[
        Path | None, typer.Option(help='Encrypt blobs at rest with this key (`shoebox keygen`)')
    ] = None,
    database_url: DatabaseUrl = None,
    blob_url: BlobUrl = None,
    s3_endpoint_url: Annotated[
        str | None, typer.Option(help='S3-compatible endpoint [env SHOEBOX_S3_ENDPOINT_URL; AWS]')
    ] = None,
    s3_presign: Annotated[
        bool | None,
        typer.Option('--s3-presign/--no-s3-presign', help='Originals by presigned redirect'),
    ] = None,
) -> None:
    """Start the web app and API (the same as `uv run main.py`)."""
    from main import run_server

    settings = _settings(
        data_dir,
        host=host,
        port=port,
        max_file_bytes=max_file_bytes,
        max_pixels=max_pixels,
        thumb_size=thumb_size,
        preview_size=preview_size,
        storage_secret=storage_secret,
        open_signup=open_signup,
        workers=workers,
        default_quota_bytes=default_quota_bytes,
        default_quota_images=default_quota_images,
        ssl_certfile=ssl_certfile,
        ssl_keyfile=ssl_keyfile,
        public_url=public_url,
        currency=currency,
        watermark=watermark,
        metrics_public=metrics_public,
        log_format=log_format,
        encryption_key_file=encryption_key_file,
        database_url=database_url,
        blob_url=blob_url,
        s3_endpoint_url=s3_endpoint_url,
        s3_presign=s3_presign,
    )
    run_server(settings)


IMAGE_SUFFIXES = {'.jpg', '.jpeg', '.png', '.webp', '.gif', '.avif'}


def collect_files(paths: list[Path], recursive: bool = True) -> Iterator[Path]:
    """Files named directly, and files inside folders (hidden files and folders skipped)."""
    for path in paths:
        if path.is_dir():
            pattern = '**/*' if recursive else '*'
            for child in sorted(path.glob(pattern)):
                hidden = any(part.startswith('.') for part in child.relative_to(path).parts)
                if child.is_file() and not hidden:
                    yield child
        else:
            yield path


@app.command('import')
def import_(
    paths: Annotated[list[Path], typer.Argument(help='Files and folders (folders recursively)')],
    user: Annotated[str, typer.Option('--user', help='Owner of the imported images')],
    public: Annotated[bool, typer.Option('--public/--private', help='Visibility')] = False,
    tags: Annotated[str | None, typer.Option(help='Comma-separated tags for every file')] = None,
    description: Annotated[str, typer.Option(help='Description for every file')] = '',
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    blob_url: BlobUrl = None,
) -> None:
    """Import images from this machine straight into the library."""
    from repo.core.actor import SYSTEM, Actor
    from repo.core.errors import ShoeboxError
    from repo.core.uploads import UploadItem
    from repo.core.validation import parse_tag_list

    missing = [p for p in paths if not p.exists()]
    if missing:
        err.print(f'[red]Not found:[/red] {escape(", ".join(map(str, missing)))}')
        raise typer.Exit(2)
    files = list(collect_files(paths))
    with _services(data_dir, database_url, blob_url) as services:
        try:
            owner = services.accounts.find_user(SYSTEM, user)
        except ShoeboxError as exc:
            raise _fail(exc) from None
        counts = {'added': 0, 'duplicate': 0, 'refused': 0}
        refused: list[tuple[str, str]] = []
        items = (
            UploadItem(
                filename=f.name,
                path=f,
                description=description,
                tags=parse_tag_list(tags),
                visibility='public' if public else 'private',
            )
            for f in files
        )
        with Progress(
            TextColumn('[bold]Importing'),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            TextColumn('{task.fields[last]}'),
            console=err,
            transient=False,
        ) as progress:
            task = progress.add_task('import', total=len(files), last='')

            def on_result(result) -> None:  # type: ignore[no-untyped-def]
                counts[result.status] += 1
                if result.status == 'refused':
                    refused.append((result.filename, result.message))
                progress.update(task, advance=1, last=escape(result.filename[:40]))

            try:
                services.ingest.add_many(Actor.of(owner), items, on_result=on_result)
            except ShoeboxError as exc:
                raise _fail(exc) from None
        services.maintenance.wait_for_index(SYSTEM, timeout=30)
    out.print(
        f'added {counts["added"]}, duplicate {counts["duplicate"]}, refused {counts["refused"]}'
    )
    for name, reason in refused:
        out.print(f'  refused {name}: {reason}', markup=False, highlight=False)
    if refused:
        raise typer.Exit(1)


@app.command()
def reindex(
    data_dir: DataDir = None, database_url: DatabaseUrl = None, blob_url: BlobUrl = None
) -> None:
    """Rebuild the search index from the database."""
    from repo.core.actor import SYSTEM

    with _services(data_dir, database_url, blob_url) as services:
        count = services.maintenance.reindex(SYSTEM)
    out.print(f'indexed {count} images')


@app.command()
def check(
    repair: Annotated[bool, typer.Option(help='Sweep orphans and replay the index outbox')] = False,
    grace_seconds: Annotated[
        float, typer.Option(help='Only sweep files older than this (uploads in flight)')
    ] = 3600.0,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    blob_url: BlobUrl = None,
) -> None:
    """Report (and with --repair, fix) what a crash may have left behind."""
    from repo.core.actor import SYSTEM

    with _services(data_dir, database_url, blob_url) as services:
        report = services.maintenance.check(SYSTEM, repair=repair, grace_s=grace_seconds)
    for line in report.lines():
        out.print(line, markup=False)
    out.print('consistent' if report.ok else ('repaired' if repair else 'problems found'))
    if not report.ok and not repair:
        raise typer.Exit(1)


@users_app.command('create')
def users_create(
    username: str,
    display_name: Annotated[str | None, typer.Option(help='Shown name')] = None,
    email: Annotated[str | None, typer.Option(help='Optional e-mail')] = None,
    admin: Annotated[bool, typer.Option('--admin', help='Make an administrator')] = False,
    password_stdin: Annotated[
        bool, typer.Option('--password-stdin', help='Read the password from standard input')
    ] = False,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    blob_url: BlobUrl = None,
) -> None:
    """Create an account (asks for the password)."""
    from repo.core.actor import SYSTEM
    from repo.core.errors import ShoeboxError

    if password_stdin:
        password = sys.stdin.readline().rstrip('\n')
    else:
        password = getpass.getpass('Password: ')
        if getpass.getpass('Repeat password: ') != password:
            err.print('[red]Error:[/red] the passwords differ')
            raise typer.Exit(1)
    with _services(data_dir, database_url, blob_url) as services:
        try:
            user = services.accounts.create_user(
                SYSTEM,
                username,
                password,
                display_name=display_name,
                email=email,
                is_admin=admin or None,
            )
        except ShoeboxError as exc:
            raise _fail(exc) from None
    out.print(f'created {user.username}' + (' (admin)' if user.is_admin else ''))


@users_app.command('list')
def users_list(
    data_dir: DataDir = None, database_url: DatabaseUrl = None, blob_url: BlobUrl = None
) -> None:
    """List accounts."""
    from repo.core.actor import SYSTEM

    with _services(data_dir, database_url, blob_url) as services:
        users = services.accounts.list_users(SYSTEM)
    table = Table('username', 'display name', 'email', 'admin', 'created', 'disabled')
    for u in users:
        table.add_row(
            u.username,
            u.display_name,
            u.email or '',
            'yes' if u.is_admin else '',
            u.created_at.strftime('%Y-%m-%d %H:%M'),
            'disabled' if u.disabled else '',
        )
    out.print(table if users else 'no users yet')


@users_app.command('delete')
def users_delete(
    username: str,
    yes: Annotated[bool, typer.Option('--yes', help='Do not ask for confirmation')] = False,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    blob_url: BlobUrl = None,
) -> None:
    """Delete an account and all of its images."""
    from repo.core.actor import SYSTEM
    from repo.core.errors import ShoeboxError

    with _services(data_dir, database_url, blob_url) as services:
        try:
            user = services.accounts.find_user(SYSTEM, username)
        except ShoeboxError as exc:
            raise _fail(exc) from None
        if not yes and not typer.confirm(f'Delete {user.username} and all their images?'):
            raise typer.Exit(1)
        count = services.accounts.delete_user(SYSTEM, user.id)
        left = [u for u in services.accounts.list_users(SYSTEM) if u.is_admin and not u.disabled]
    out.print(f'deleted {user.username} and {count} images')
    if not left:
        err.print('No administrator is left: make one with `shoebox users promote NAME`')


# ---- for when nobody can sign in: administration on the data folder ----------------------------


@users_app.command('reset-password')
def users_reset_password(
    username: str,
    base_url: Annotated[
        str | None, typer.Option(help='How users reach Shoebox [http://HOST:PORT]')
    ] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    blob_url: BlobUrl = None,
) -> None:
    """Print a one-time link (valid for an hour) that sets a new password for the account."""
    from repo.core.actor import SYSTEM
    from repo.core.errors import ShoeboxError

    settings = _settings(data_dir)
    scheme = 'https' if settings.ssl_certfile else 'http'
    base = (base_url or f'{scheme}://{settings.host}:{settings.port}').rstrip('/')
    with _services(data_dir, database_url, blob_url) as services:
        try:
            link = services.resets.create_link(SYSTEM, username)
        except ShoeboxError as exc:
            raise _fail(exc) from None
    out.print(base + link.path, markup=False, highlight=False, soft_wrap=True)
    err.print(f'valid once, until {link.expires_at:%Y-%m-%d %H:%M} UTC')


account_switches.register(users_app)  # after create, list, delete, reset-password

if __name__ == '__main__':
    app()
