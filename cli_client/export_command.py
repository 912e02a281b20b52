"""`shoebox export OUT.zip`: everything of yours from the server, as one zip, with progress."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TransferSpeedColumn,
)
from rich.text import Text

from cli_client import render
from cli_client.connection import api_session, signed_in


def export(
    output: Annotated[Path, typer.Argument(metavar='OUT.zip', help='Where to save the zip')],
    force: Annotated[
        bool, typer.Option('--force', '-f', help='Replace OUT.zip if it exists')
    ] = False,
) -> None:
    """Download all your images and their metadata (images.json) as one zip."""
    if output.exists() and not force:
        render.error(f'{output} already exists: add --force to replace it')
        raise typer.Exit(1)
    config = signed_in()
    partial = output.with_name(output.name + '.part')
    images = 0
    try:
        with (
            api_session(config) as api,
            Progress(
                TextColumn('[bold]Exporting'),
                BarColumn(),
                DownloadColumn(),
                TransferSpeedColumn(),
                console=render.err,
            ) as progress,
            open(partial, 'wb') as fh,
        ):
            task = progress.add_task('export', total=None)

            def started(headers: Any) -> None:
                nonlocal images
                images = int(headers.get('x-shoebox-export-images', 0) or 0)
                total = int(headers.get('x-shoebox-export-bytes', 0) or 0)
                progress.update(task, total=total or None)

            def write(chunk: bytes) -> None:
                fh.write(chunk)
                progress.advance(task, len(chunk))

            api.download('/export', write, on_headers=started)
            done = progress.tasks[0].completed
            progress.update(task, total=done)
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)
    render.err.print(Text(f'saved {images} images to {output} ({output.stat().st_size} bytes)'))
