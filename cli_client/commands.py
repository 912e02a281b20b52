"""The HTTP-client commands of `shoebox`: login, logout, upload, list, search, get, edit, delete,
similar, duplicates, tags.

They talk to a running server over API v1 (SHOEBOX_SERVER, or the server saved by `login`).
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn
from urllib.parse import quote

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
from cli_client.config import ClientConfig, load_stored, normalize_server, resolve, save_stored
from cli_client.http import Api, ApiError, Unreachable
from cli_client.upload import FileSet, Outcome, Uploader, UploadOptions, collect

Json = Annotated[bool, typer.Option('--json', help='Print JSON (for scripts)')]
Mine = Annotated[bool, typer.Option('--mine', help='Only your own images')]
Limit = Annotated[int, typer.Option(min=1, max=200, help='How many at most')]
Offset = Annotated[int, typer.Option(min=0, help='Skip this many first')]
Visibility = Annotated[
    bool | None, typer.Option('--public/--private', help='Visibility', show_default=False)
]
COLORS = 'red, orange, yellow, green, teal, blue, purple, pink, brown, black, grey, white'
Color = Annotated[str | None, typer.Option(help=f'Only images with this dominant colour: {COLORS}')]


@contextmanager
def _api(config: ClientConfig | None = None, *, token: str | None = None) -> Iterator[Api]:
    """An API session; server errors become a message and exit code 1."""
    try:
        with Api(config or resolve(), token=token) as api:
            yield api
    except ApiError as exc:
        hint = ' (run `shoebox login`)' if exc.status == 401 else ''
        render.error(f'{exc.detail}{hint}')
        raise typer.Exit(1) from None
    except Unreachable as exc:
        render.error(str(exc))
        raise typer.Exit(1) from None


def _signed_in() -> ClientConfig:
    config = resolve()
    if not config.token:
        render.error(f'Not signed in to {config.server}: run `shoebox login` or set SHOEBOX_TOKEN')
        raise typer.Exit(1)
    return config


def _my_name(api: Api) -> str:
    if not api.config.token:
        render.error('--mine needs you signed in: run `shoebox login`')
        raise typer.Exit(1)
    return api.json('GET', '/me')['username']


def login(
    server: Annotated[
        str | None, typer.Option(help='Server URL [env SHOEBOX_SERVER; http://127.0.0.1:8080]')
    ] = None,
    username: Annotated[str | None, typer.Option(help='Asked for when not given')] = None,
    password_stdin: Annotated[
        bool, typer.Option('--password-stdin', help='Read the password from standard input')
    ] = False,
) -> None:
    """Sign in and keep a personal API token in your config dir (mode 0600)."""
    config = ClientConfig(resolve(server).server)
    name = username or typer.prompt('Username')
    if password_stdin:
        password = sys.stdin.readline().rstrip('\n')
    else:
        password = typer.prompt('Password', hide_input=True)
    label = f'shoebox cli on {socket.gethostname()}'[:100]
    with _api(config, token='') as api:
        token = api.json(
            'POST', '/auth/token', json={'username': name, 'password': password, 'name': label}
        )['access_token']
    with _api(ClientConfig(config.server, token)) as api:
        me = api.json('GET', '/me')
    path = save_stored({'server': config.server, 'token': token})
    render.out.print(Text(f'Signed in to {config.server} as {me["username"]} (token in {path})'))
    if os.environ.get('SHOEBOX_TOKEN'):
        render.err.print('Note: SHOEBOX_TOKEN is set and takes precedence over the saved token.')


def logout() -> None:
    """Revoke the token in use and forget the saved one."""
    config = resolve()
    stored = load_stored()
    if config.token:
        try:
            with Api(config) as api:
                api.request('DELETE', '/auth/token')
        except ApiError as exc:
            if exc.status != 401:  # already revoked is fine
                render.error(exc.detail)
                raise typer.Exit(1) from None
        except Unreachable as exc:
            render.error(f'{exc}; the token was not revoked')
            raise typer.Exit(1) from None
    saved_here = normalize_server(stored.get('server') or '') == config.server
    if stored.get('token') and saved_here:
        save_stored({'server': stored['server']})
    if not config.token:
        render.out.print('Not signed in')
        return
    render.out.print(Text(f'Signed out of {config.server}'))
    if os.environ.get('SHOEBOX_TOKEN'):
        render.err.print('The token in SHOEBOX_TOKEN is revoked now; unset it.')


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
    config = _signed_in()
    with _api(config) as api:
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


def list_images(
    user: Annotated[str | None, typer.Option('--user', help="Someone's images (username)")] = None,
    tags: Annotated[str | None, typer.Option(help='Comma-separated; all must match')] = None,
    mine: Mine = False,
    color: Color = None,
    as_json: Json = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> None:
    """List images you may see, newest first."""
    with _api() as api:
        owner = _my_name(api) if mine else user
        params = {'owner': owner or '', 'tags': tags or '', 'limit': limit, 'offset': offset}
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
    with _api() as api:
        params: dict[str, Any] = {'q': query, 'limit': limit, 'offset': offset}
        if mine:
            params['owner'] = _my_name(api)
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
    with _api() as api:
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
    with _api() as api:
        image = api.json('PATCH', f'/images/{_segment(image_id)}', json=changes)
    if as_json:
        render.print_json(image)
    else:
        render.print_image(image)


def delete(image_ids: Annotated[list[str], typer.Argument(metavar='ID...')]) -> None:
    """Delete images (yours only). Exit code 1 if any could not be deleted."""
    failed = 0
    with _api() as api:
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
    with _api() as api:
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
    config = _signed_in()
    with _api(config) as api:
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
    with _api() as api:
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
