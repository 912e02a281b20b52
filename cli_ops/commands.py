"""`shoebox import-export`, `backup` (and `backup --verify`), `restore`: on the data folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from cli_ops.context import DataDir, err, fail, out, services_for


def _progress(label: str) -> Progress:
    return Progress(
        TextColumn(f'[bold]{label}'),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
    )


def import_export(
    source: Annotated[
        Path, typer.Argument(metavar='IN.zip', help='A zip made by `shoebox export`')
    ],
    user: Annotated[str, typer.Option('--user', help='The account to fill')],
    data_dir: DataDir = None,
) -> None:
    """Restore an export into an account: images, titles, tags, dates, visibility."""
    from repo.core.actor import SYSTEM, Actor
    from repo.core.errors import ShoeboxError

    if not source.is_file():
        err.print(f'[red]Not found:[/red] {escape(str(source))}')
        raise typer.Exit(2)
    counts = {'added': 0, 'duplicate': 0, 'refused': 0}
    refused: list[tuple[str, str]] = []
    with services_for(data_dir) as services, _progress('Importing') as progress:
        task = progress.add_task('import', total=None)

        def on_result(result) -> None:  # type: ignore[no-untyped-def]
            counts[result.status] += 1
            if result.status == 'refused':
                refused.append((result.filename, result.message))
            progress.advance(task)

        try:
            owner = services.accounts.find_user(SYSTEM, user)
            services.import_export.import_zip(SYSTEM, source, Actor.of(owner), on_result)
        except ShoeboxError as exc:
            raise fail(exc) from None
        services.maintenance.wait_for_index(SYSTEM, timeout=30)
    out.print(
        f'added {counts["added"]}, duplicate {counts["duplicate"]}, refused {counts["refused"]}'
    )
    for name, reason in refused:
        out.print(f'  refused {name}: {reason}', markup=False, highlight=False)
    if refused:
        raise typer.Exit(1)


def backup(
    dest: Annotated[Path, typer.Argument(metavar='DEST', help='The backup folder')],
    verify: Annotated[
        bool, typer.Option('--verify', help='Only re-hash what DEST holds against its manifest')
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Back up the database and every blob it refers to into DEST, while the server runs.

    Incremental: blobs already in DEST are not copied again."""
    from repo.core.actor import SYSTEM
    from repo.core.errors import ShoeboxError

    with services_for(data_dir) as services:
        try:
            if verify:
                with _progress('Verifying') as progress:
                    task = progress.add_task('verify', total=None)
                    checked = services.backups.verify(
                        SYSTEM,
                        dest,
                        lambda done, total, _: progress.update(task, completed=done, total=total),
                    )
                for line in checked.lines():
                    out.print(line, markup=False, highlight=False)
                out.print('backup verified' if checked.ok else 'backup DAMAGED')
                if not checked.ok:
                    raise typer.Exit(1)
                return
            with _progress('Backing up') as progress:
                task = progress.add_task('backup', total=None)
                report = services.backups.backup(
                    SYSTEM,
                    dest,
                    lambda done, total, _: progress.update(task, completed=done, total=total),
                )
        except ShoeboxError as exc:
            raise fail(exc) from None
    for line in report.lines():
        out.print(line, markup=False, highlight=False)


def restore(
    source: Annotated[Path, typer.Argument(metavar='SRC', help='A backup folder')],
    data_dir: Annotated[
        Path, typer.Option('--data-dir', help='The new, empty data folder to restore into')
    ],
) -> None:
    """Restore a backup into a new, empty data folder; the search index is rebuilt."""
    from repo.core.actor import SYSTEM
    from repo.core.errors import ShoeboxError

    if data_dir.exists() and any(data_dir.iterdir()):
        where = escape(str(data_dir))
        err.print(f'[red]Error:[/red] {where} is not empty: restore only into a new, empty folder')
        raise typer.Exit(1)
    with services_for(data_dir, background=False) as services:
        try:
            with _progress('Restoring') as progress:
                task = progress.add_task('restore', total=None)
                count = services.backups.restore(
                    SYSTEM,
                    source,
                    lambda done, total, _: progress.update(task, completed=done, total=total),
                )
        except ShoeboxError as exc:
            raise fail(exc) from None
    # Opened again: the restored folder may name an encryption key that must now be set.
    with services_for(data_dir, background=False) as services:
        indexed = services.maintenance.reindex(SYSTEM)
        report = services.maintenance.check(SYSTEM, grace_s=0)
    out.print(f'restored {count} blobs; indexed {indexed} images')
    for line in report.lines():
        out.print(line, markup=False)
    out.print('consistent' if report.ok else 'problems found')
    if not report.ok:
        raise typer.Exit(1)
