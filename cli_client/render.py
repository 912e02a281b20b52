"""Output for people (rich tables) and for scripts (JSON). User text is never read as markup."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Column, Table
from rich.text import Text

out = Console(highlight=False)
MIN_COLUMN = 6  # narrowest a column other than the id gets before the table grows past the screen
err = Console(stderr=True, highlight=False)


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def human_size(n: float) -> str:
    for unit in ('B', 'KB', 'MB', 'GB'):
        if n < 1000 or unit == 'GB':
            return f'{n:.0f} {unit}' if unit == 'B' else f'{n:.1f} {unit}'
        n /= 1000
    return f'{n} B'  # pragma: no cover


def _when(value: str | None) -> str:
    return (value or '')[:16].replace('T', ' ')


when = _when  # for the other command modules


def _dimensions(item: dict[str, Any]) -> str:
    return f'{item.get("width")}x{item.get("height")}, {human_size(item.get("size_bytes") or 0)}'


def plural(n: int, word: str, many: str | None = None) -> str:
    return f'{n} {word if n == 1 else many or word + "s"}'


def id_column(table: Table, items: list[dict[str, Any]]) -> None:
    """The id column: never wrapped or cut, since get, edit and delete need it whole."""
    longest = max((len(str(item.get('id', ''))) for item in items), default=2)
    table.add_column('id', no_wrap=True, min_width=longest, overflow='fold')


def text_columns(table: Table, *names: str) -> None:
    for name in names:
        table.add_column(name, min_width=MIN_COLUMN)


def print_table(table: Table) -> None:
    """A table at the console's width, or wider when its columns would not fit (a narrow
    terminal, or a pipe, which rich takes as 80 columns): then the terminal wraps the lines,
    but no id is ever cut short."""
    needed = sum(c.min_width or 1 for c in table.columns) + 3 * len(table.columns) + 1
    out.print(table, width=max(out.width, needed), crop=False)


def print_skipped(skipped: list[tuple[Path, str]]) -> None:
    """Files left out of an upload because they are not images, each by name."""
    for path, what in sorted(skipped):
        reason = 'not an image' if what == 'not an image' else f'looks like {what}'
        out.print(Text(f'  skipped {path}: {reason}'), soft_wrap=True)


def image_table(items: list[dict[str, Any]]) -> Table:
    table = Table()
    id_column(table, items)
    text_columns(table, 'title', 'tags', 'visibility', 'owner', 'size', 'created')
    for item in items:
        table.add_row(
            Text(str(item.get('id', ''))),
            Text(str(item.get('title', ''))),
            Text(', '.join(item.get('tags') or [])),
            Text(str(item.get('visibility', ''))),
            Text(str(item.get('owner', ''))),
            Text(_dimensions(item)),
            Text(_when(item.get('created_at'))),
        )
    return table


def print_page(page: dict[str, Any]) -> None:
    items = page.get('items') or []
    suggestion = page.get('suggestion')
    if not items:
        out.print('no images')
        if suggestion:
            out.print(Text(f'did you mean “{suggestion}”?'))
        return
    print_table(image_table(items))
    first = page.get('offset', 0) + 1
    out.print(f'{first}-{first + len(items) - 1} of {page.get("total", len(items))}')
    if suggestion:
        out.print(Text(f'did you mean “{suggestion}”?'))


def print_similar(page: dict[str, Any]) -> None:
    items = page.get('items') or []
    if not items:
        out.print('no similar images')
        return
    table = Table(Column('distance', min_width=MIN_COLUMN))
    id_column(table, items)
    text_columns(table, 'title', 'owner', 'visibility', 'size', 'created')
    for item in items:
        table.add_row(
            Text(f'{item.get("distance", 0):.1f}'),
            Text(str(item.get('id', ''))),
            Text(str(item.get('title', ''))),
            Text(str(item.get('owner', ''))),
            Text(str(item.get('visibility', ''))),
            Text(_dimensions(item)),
            Text(_when(item.get('created_at'))),
        )
    print_table(table)
    out.print(f'{len(items)} closest first (0 = the same picture; up to about 16 = a copy)')


def print_duplicates(found: dict[str, Any]) -> None:
    groups = found.get('images') or []
    if not groups:
        out.print('no near-duplicates')
        return
    for number, group in enumerate(groups, 1):
        table = Table(Column('', min_width=4), title=f'group {number}')
        id_column(table, group)
        text_columns(table, 'title', 'format', 'size', 'created')
        for position, item in enumerate(group):
            table.add_row(
                Text('best' if position == 0 else ''),
                Text(str(item.get('id', ''))),
                Text(str(item.get('title', ''))),
                Text(str(item.get('format', ''))),
                Text(_dimensions(item)),
                Text(_when(item.get('created_at'))),
            )
        print_table(table)
    extra = sum(len(g) - 1 for g in groups)
    out.print(f'{len(groups)} groups; {extra} copies besides the best of each')


def print_tags(tags: list[dict[str, Any]]) -> None:
    if not tags:
        out.print('no tags')
        return
    table = Table('tag', 'images')
    for tag in tags:
        table.add_row(Text(str(tag.get('name', ''))), Text(str(tag.get('count', 0))))
    out.print(table)


IMAGE_FIELDS = (
    'id',
    'title',
    'description',
    'tags',
    'visibility',
    'allow_download',
    'owner',
    'filename',
    'format',
    'width',
    'height',
    'size_bytes',
    'sha256',
    'colors',
    'color_names',
    'auto_tags',
    'camera',
    'taken_at',
    'created_at',
    'updated_at',
)


def print_image(image: dict[str, Any]) -> None:
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style='bold')
    table.add_column()
    for name in IMAGE_FIELDS:
        value = image.get(name)
        if isinstance(value, list):
            value = ', '.join(map(str, value))
        table.add_row(name, Text('' if value is None else str(value)))
    out.print(table)


def error(message: str) -> None:
    err.print(Text.assemble(('Error: ', 'red'), message))
