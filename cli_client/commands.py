"""The HTTP-client commands of `shoebox`: login, logout, upload, list, search, get, edit, delete,
similar, duplicates, tags.

They talk to a running server over API v1 (SHOEBOX_SERVER, or the server saved by `login`).
"""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import typer
from rich.text import Text

from cli_client import render, sharing_commands, shop_commands
from cli_client.account_commands import login, logout
from cli_client.connection import api_session, my_name, signed_in
from cli_client.export_command import export
from cli_client.http import Api, ApiError
from cli_client.options import Color, Json, Limit, Mine, Offset, Visibility
from cli_client.upload_command import upload


class Sort(StrEnum):
    newest = 'newest'
    oldest = 'oldest'
    uploaded_newest = 'uploaded_newest'
    uploaded_oldest = 'uploaded_oldest'


def list_images(
    user: Annotated[str | None, typer.Option('--user', help="Someone's images (username)")] = None,
    tags: Annotated[str | None, typer.Option(help='Comma-separated; all must match')] = None,
    mine: Mine = False,
    color: Color = None,
    sort: Annotated[
        Sort,
        typer.Option(help='By date taken (newest, oldest) or by upload (uploaded_newest, ...)'),
    ] = Sort.newest,
    year: Annotated[
        int | None, typer.Option(help='Start at this year of the timeline (and go on past it)')
    ] = None,
    as_json: Json = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> None:
    """List images you may see, most recently taken first."""
    with api_session() as api:
        owner = my_name(api) if mine else user
        params: dict[str, Any] = {
            'owner': owner or '', 'tags': tags or '', 'limit': limit, 'offset': offset,
            'sort': sort.value,
        }  # fmt: skip
        if year is not None:
            params['year'] = year
        if color:
            params['color'] = color
        page = api.json('GET', '/images', params=params)
    if as_json:
        render.print_json(page)
    else:
        render.print_page(page)


def search(
    query: Annotated[str, typer.Argument(help='Words to look for in titles, descriptions, tags')],
    mine: Mine = False,
    color: Color = None,
    as_json: Json = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> None:
    """Full-text search, best matches first."""
    with api_session() as api:
        params: dict[str, Any] = {'q': query, 'limit': limit, 'offset': offset}
        if mine:
            params['owner'] = my_name(api)
        if color:
            params['color'] = color
        page = api.json('GET', '/images', params=params)
    if as_json:
        render.print_json(page)
    else:
        render.print_page(page)


def get(
    image_id: Annotated[str, typer.Argument(metavar='ID')],
    output: Annotated[
        Path | None,
        typer.Option('-o', '--output', help='Save the original here (a file, a folder, or -)'),
    ] = None,
    force: Annotated[
        bool, typer.Option('--force', '-f', help='Replace the file -o names if it exists')
    ] = False,
    as_json: Json = False,
) -> None:
    """Show an image, or download its original with -o (never over a file without --force)."""
    with api_session() as api:
        image = api.json('GET', f'/images/{_segment(image_id)}')
        if output is None:
            if as_json:
                render.print_json(image)
            else:
                render.print_image(image)
            return
        if str(output) == '-':
            api.download(f'/images/{_segment(image_id)}/original', sys.stdout.buffer.write)
            return
        target = output / _safe_name(image.get('filename', '')) if output.is_dir() else output
        if target.exists() and not force:
            render.error(f'{target} already exists: add --force to replace it')
            raise typer.Exit(1)
        _download_to(api, f'/images/{_segment(image_id)}/original', target)
    render.err.print(Text(f'saved {target}'))


def edit(
    image_id: Annotated[str, typer.Argument(metavar='ID')],
    title: Annotated[str | None, typer.Option(help='New title')] = None,
    description: Annotated[str | None, typer.Option(help='New description')] = None,
    tags: Annotated[str | None, typer.Option(help='New tags, comma-separated ("" clears)')] = None,
    public: Visibility = None,
    allow_download: Annotated[
        bool | None,
        typer.Option(
            '--allow-download/--no-allow-download',
            help='Let others download the original',
            show_default=False,
        ),
    ] = None,
    as_json: Json = False,
) -> None:
    """Change an image's title, description, tags or visibility."""
    changes: dict[str, Any] = {}
    if title is not None:
        changes['title'] = title
    if description is not None:
        changes['description'] = description
    if tags is not None:
        changes['tags'] = [t for t in tags.split(',') if t.strip()]
    if public is not None:
        changes['visibility'] = 'public' if public else 'private'
    if allow_download is not None:
        changes['allow_download'] = allow_download
    if not changes:
        render.error('Nothing to change: give --title, --description, --tags or --public/--private')
        raise typer.Exit(2)
    with api_session() as api:
        image = api.json('PATCH', f'/images/{_segment(image_id)}', json=changes)
    if as_json:
        render.print_json(image)
    else:
        render.print_image(image)


def delete(image_ids: Annotated[list[str], typer.Argument(metavar='ID...')]) -> None:
    """Delete images (yours only). Exit code 1 if any could not be deleted."""
    failed = 0
    with api_session() as api:
        for image_id in image_ids:
            try:
                api.request('DELETE', f'/images/{_segment(image_id)}')
            except ApiError as exc:
                failed += 1
                render.error(f'{image_id}: {exc.detail}')
                continue
            render.out.print(Text(f'deleted {image_id}'))
    if failed:
        raise typer.Exit(1)


def similar(
    target: Annotated[
        str, typer.Argument(metavar='FILE|ID', help='A picture on disk, or the id of an image')
    ],
    as_json: Json = False,
    limit: Annotated[int, typer.Option(min=1, max=200, help='How many at most')] = 20,
) -> None:
    """Images that look like a picture (not uploaded, only compared) or like an image by id."""
    path = Path(target)
    with api_session() as api:
        if path.is_file():
            with open(path, 'rb') as fh:
                page = api.json(
                    'POST',
                    '/images/search-by-image',
                    params={'limit': limit},
                    files={'file': (path.name, fh, 'application/octet-stream')},
                )
        elif path.exists():
            render.error(f'{target} is not a file')
            raise typer.Exit(2)
        else:
            page = api.json('GET', f'/images/{_segment(target)}/similar', params={'limit': limit})
    if as_json:
        render.print_json(page)
    else:
        render.print_similar(page)


def duplicates(as_json: Json = False) -> None:
    """Groups of your own images that look like the same picture, best copy first."""
    config = signed_in()
    with api_session(config) as api:
        found = api.json('GET', '/duplicates')
    if as_json:
        render.print_json(found)
    else:
        render.print_duplicates(found)


def tags(
    sort: Annotated[str, typer.Option(help='count (most used first) or name (A to Z)')] = 'count',
    prefix: Annotated[str, typer.Option(help='Only tags starting with this')] = '',
    as_json: Json = False,
    limit: Annotated[int, typer.Option(min=1, max=1000, help='How many at most')] = 200,
) -> None:
    """Tags on the images you may see, with how many carry each."""
    with api_session() as api:
        found = api.json('GET', '/tags', params={'sort': sort, 'prefix': prefix, 'limit': limit})
    if as_json:
        render.print_json(found)
    else:
        render.print_tags(found)


def _segment(image_id: str) -> str:
    """An id as one URL path segment, whatever it contains."""
    return quote(image_id, safe='')


def _safe_name(filename: str) -> str:
    """The server's display name as a plain file name in the chosen folder."""
    name = filename.replace('\\', '/').split('/')[-1].strip().lstrip('.')
    return name or 'image'


def _download_to(api: Api, path: str, target: Path) -> None:
    partial = target.with_name(target.name + '.part')
    try:
        with open(partial, 'wb') as fh:
            api.download(path, fh.write)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def register(app: typer.Typer) -> None:
    """Add the client commands to the `shoebox` typer app."""
    app.command()(login)
    app.command()(logout)
    app.command()(upload)
    app.command('list')(list_images)
    app.command()(search)
    app.command()(get)
    app.command()(edit)
    app.command()(delete)
    app.command()(similar)
    app.command()(duplicates)
    app.command()(tags)
    shop_commands.register(app)  # price, cart, checkout, orders, sales
    app.command()(export)
    sharing_commands.register(app)
