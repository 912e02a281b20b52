"""The HTTP-client commands of sharing: share, shares, unshare; albums and album create|add|
remove|show; trash (list, --restore, --empty)."""

from __future__ import annotations

import re
import sys
from typing import Annotated, Any
from urllib.parse import quote

import typer
from rich.table import Table
from rich.text import Text

from cli_client import render
from cli_client.connection import api_session, signed_in
from cli_client.options import Json

album_app = typer.Typer(help='Make and fill albums.', no_args_is_help=True)
DURATION = re.compile(r'^(\d+)\s*([smhdw]?)$')
UNITS = {'': 1, 's': 1, 'm': 60, 'h': 3600, 'd': 86400, 'w': 7 * 86400}


def seconds_of(text: str) -> int:
    """'90' or '90s', '30m', '12h', '7d', '2w' -> seconds."""
    match = DURATION.match(text.strip().lower())
    if match is None or int(match.group(1)) <= 0:
        raise typer.BadParameter('use a number with s, m, h, d or w, e.g. 7d')
    return int(match.group(1)) * UNITS[match.group(2)]


def _segment(value: str) -> str:
    return quote(value, safe='')


def share(
    image_ids: Annotated[list[str], typer.Argument(metavar='ID...', help='Your images')],
    expires: Annotated[
        str | None, typer.Option('--expires', help='Stop working after, e.g. 7d, 12h, 30m')
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option('--password-stdin', help='Read a password for the link from stdin')
    ] = False,
    download: Annotated[
        bool, typer.Option('--download', help='Visitors may download the originals')
    ] = False,
    metadata: Annotated[
        bool, typer.Option('--metadata', help='Show camera and date (never the location)')
    ] = False,
    label: Annotated[str, typer.Option('--label', help='Who the link is for')] = '',
    album: Annotated[bool, typer.Option('--album', help='ID is an album: share all of it')] = False,
    as_json: Json = False,
) -> None:
    """Make a share link; prints its URL."""
    body: dict[str, Any] = {'label': label, 'allow_download': download, 'show_metadata': metadata}
    if album:
        if len(image_ids) != 1:
            render.error('--album takes one album id')
            raise typer.Exit(2)
        body['album_id'] = image_ids[0]
    else:
        body['image_ids'] = image_ids
    body['expires_in'] = seconds_of(expires) if expires else None
    if password_stdin:
        password = sys.stdin.readline().rstrip('\r\n')
        if not password:
            render.error('No password on stdin')
            raise typer.Exit(2)
        body['password'] = password
    with api_session(signed_in()) as api:
        made = api.json('POST', '/shares', json=body)
    if as_json:
        render.print_json(made)
    else:
        render.out.print(Text(made['url']), soft_wrap=True)


def shares(as_json: Json = False) -> None:
    """Your share links: label, expiry, views, URL."""
    with api_session(signed_in()) as api:
        found = api.json('GET', '/shares')['items']
    if as_json:
        render.print_json(found)
        return
    if not found:
        render.out.print('No share links.')
        return
    table = Table()
    render.id_column(table, found)
    render.text_columns(table, 'label', 'expires', 'views', 'password', 'download', 'url')
    for item in found:
        table.add_row(
            Text(item['id']), Text(item.get('label') or ''),
            Text(render.when(item.get('expires_at')) or 'never'), Text(str(item['views'])),
            Text('yes' if item['has_password'] else ''),
            Text('yes' if item['allow_download'] else ''), Text(item['url']),
        )  # fmt: skip
    render.print_table(table)


def unshare(share_id: Annotated[str, typer.Argument(metavar='SHARE_ID')]) -> None:
    """Revoke a share link: it stops working at once."""
    with api_session(signed_in()) as api:
        api.request('DELETE', f'/shares/{_segment(share_id)}')
    render.out.print(Text(f'revoked {share_id}'))


def albums(
    user: Annotated[str | None, typer.Option('--user', help="Someone's albums")] = None,
    as_json: Json = False,
) -> None:
    """Your albums and public ones."""
    with api_session() as api:
        found = api.json('GET', '/albums', params={'owner': user or ''})['items']
    if as_json:
        render.print_json(found)
        return
    if not found:
        render.out.print('No albums.')
        return
    table = Table()
    render.id_column(table, found)
    render.text_columns(table, 'title', 'images', 'visibility', 'owner')
    for item in found:
        table.add_row(
            Text(item['id']), Text(item['title']), Text(str(item['count'])),
            Text(item['visibility']), Text(item['owner']),
        )  # fmt: skip
    render.print_table(table)


@album_app.command('create')
def album_create(
    title: Annotated[str, typer.Argument()],
    description: Annotated[str, typer.Option(help='A few words about it')] = '',
    public: Annotated[bool, typer.Option('--public', help='Anyone may see the album')] = False,
    as_json: Json = False,
) -> None:
    """Make an album; prints its id."""
    body = {'title': title, 'description': description,
            'visibility': 'public' if public else 'private'}  # fmt: skip
    with api_session(signed_in()) as api:
        made = api.json('POST', '/albums', json=body)
    if as_json:
        render.print_json(made)
    else:
        render.out.print(Text(made['id']))


@album_app.command('add')
def album_add(
    album_id: Annotated[str, typer.Argument(metavar='ALBUM_ID')],
    image_ids: Annotated[list[str], typer.Argument(metavar='ID...')],
) -> None:
    """Add your images to an album (they go first)."""
    with api_session(signed_in()) as api:
        album = api.json(
            'POST', f'/albums/{_segment(album_id)}/images', json={'image_ids': image_ids}
        )
    render.out.print(Text(f'{album["title"]}: {render.plural(album["count"], "image")}'))


@album_app.command('remove')
def album_remove(
    album_id: Annotated[str, typer.Argument(metavar='ALBUM_ID')],
    image_ids: Annotated[list[str], typer.Argument(metavar='ID...')],
) -> None:
    """Take images out of an album (the images stay)."""
    with api_session(signed_in()) as api:
        for image_id in image_ids:
            api.request('DELETE', f'/albums/{_segment(album_id)}/images/{_segment(image_id)}')
            render.out.print(Text(f'removed {image_id}'))


@album_app.command('show')
def album_show(
    album_id: Annotated[str, typer.Argument(metavar='ALBUM_ID')],
    as_json: Json = False,
) -> None:
    """An album and its images, in order."""
    with api_session() as api:
        album = api.json('GET', f'/albums/{_segment(album_id)}', params={'limit': 200})
    if as_json:
        render.print_json(album)
        return
    render.out.print(Text(f'{album["title"]} · {render.plural(album["count"], "image")}'))
    if album.get('description'):
        render.out.print(Text(album['description']))
    render.print_page(album)


def trash(
    image_ids: Annotated[list[str] | None, typer.Argument(metavar='[ID...]')] = None,
    restore: Annotated[
        bool, typer.Option('--restore', help='Restore the images ID... (as they were)')
    ] = False,
    empty: Annotated[bool, typer.Option('--empty', help='Delete all of it for good')] = False,
    as_json: Json = False,
) -> None:
    """Your trash: what you deleted, and when each goes for good."""
    with api_session(signed_in()) as api:
        if restore:
            if not image_ids:
                render.error('--restore needs the ids of the images to restore')
                raise typer.Exit(2)
            back = api.json('POST', '/trash/restore', json={'image_ids': image_ids})['items']
            for item in back:
                render.out.print(Text(f'restored {item["id"]}'))
            return
        if empty:
            gone = api.json('DELETE', '/trash', json={'all': True})['count']
            render.out.print(Text(f'deleted {render.plural(gone, "image")} for good'))
            return
        found = api.json('GET', '/trash')
    if as_json:
        render.print_json(found)
        return
    items = found['items']
    if not items:
        render.out.print('The trash is empty.')
        return
    table = Table()
    render.id_column(table, items)
    render.text_columns(table, 'title', 'deleted', 'goes')
    for item in items:
        table.add_row(
            Text(item['id']), Text(item['title']), Text(render.when(item['deleted_at'])),
            Text(render.when(item['purge_at'])),
        )  # fmt: skip
    render.print_table(table)


def register(app: typer.Typer) -> None:
    app.command()(share)
    app.command()(shares)
    app.command()(unshare)
    app.command()(albums)
    app.add_typer(album_app, name='album')
    app.command()(trash)
