"""`shoebox upload`: files and folders to the server, a few at a time, with a progress bar."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.text import Text

from cli_client import render
from cli_client.connection import api_session, signed_in
from cli_client.options import Visibility
from cli_client.upload import FileSet, Outcome, Uploader, UploadOptions, collect


def upload(
    paths: Annotated[list[Path], typer.Argument(help='Files and folders')],
    public: Visibility = None,
    title: Annotated[str | None, typer.Option(help='Title for every file')] = None,
    description: Annotated[str | None, typer.Option(help='Description for every file')] = None,
    tags: Annotated[str | None, typer.Option(help='Comma-separated tags for every file')] = None,
    concurrency: Annotated[int, typer.Option(min=1, max=64, help='Parallel uploads')] = 8,
    recursive: Annotated[
        bool, typer.Option('--recursive', '-r', help='Go into sub-folders too')
    ] = False,
) -> None:
    """Upload images: files, and image files in folders. Exit code 1 if any was refused."""
    config = signed_in()
    with api_session(config) as api:
        api.json('GET', '/me')  # fail fast on a bad token or an unreachable server
    found = collect(paths, recursive)
    if found.missing:
        render.error('Not found: ' + ', '.join(map(str, found.missing)))
        raise typer.Exit(2)
    if not found.files:
        _nothing_to_upload(found)
    options = UploadOptions(
        title=title,
        description=description,
        tags=tags,
        visibility='public' if public else 'private',
        concurrency=concurrency,
    )
    with Progress(
        TextColumn('[bold]Uploading'),
        BarColumn(),
        TextColumn('{task.fields[files]}'),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=render.err,
    ) as progress:
        total_files = len(found.files)
        task = progress.add_task('upload', total=found.total_bytes or None, files='')
        done = 0

        def on_done(_: Outcome) -> None:
            nonlocal done
            done += 1
            progress.update(task, files=f'{done}/{total_files} files')

        progress.update(task, files=f'0/{total_files} files')
        uploader = Uploader(
            config,
            options,
            on_bytes=lambda n: progress.advance(task, n),
            on_done=on_done,
        )
        tally = uploader.run(found.files)
    summary = f'added {tally.added}, duplicate {tally.duplicate}, refused {len(tally.refused)}'
    if found.skipped:
        summary += f', skipped {render.plural(len(found.skipped), "file")} (not images)'
    render.out.print(summary)
    for outcome in sorted(tally.refused, key=lambda o: str(o.path)):
        render.out.print(Text(f'  refused {outcome.path}: {outcome.detail}'), soft_wrap=True)
    render.print_skipped(found.skipped)
    if found.folders_left_out:
        render.err.print(Text(_left_out(found.folders_left_out)))
    if tally.quota is not None:
        render.error(
            f'Stopped: your quota is full ({tally.quota.detail}). '
            f'{tally.not_sent} files were not sent.'
        )
    if tally.refused:
        raise typer.Exit(1)


def _nothing_to_upload(found: FileSet) -> NoReturn:
    """Say why there is nothing to send, and exit: 2 when only --recursive was missing."""
    if found.folders_left_out and not found.skipped:
        render.error(f'No images to upload: {_left_out(found.folders_left_out)}')
        raise typer.Exit(2)
    render.error('No images to upload')
    render.print_skipped(found.skipped)
    if found.folders_left_out:
        render.err.print(Text(_left_out(found.folders_left_out)))
    raise typer.Exit(1)


def _left_out(folders: list[Path]) -> str:
    shown = ', '.join(str(f) for f in folders[:3]) + (', ...' if len(folders) > 3 else '')
    return (
        f'left out {render.plural(len(folders), "sub-folder")} ({shown}); '
        'add --recursive (-r) to upload the images inside them too'
    )
