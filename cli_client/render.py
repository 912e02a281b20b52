"""Output for people (rich tables) and for scripts (JSON). User text is never read as markup."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

out = Console(highlight=False)
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


def _dimensions(item: dict[str, Any]) -> str:
    return f'{item.get("width")}x{item.get("height")}, {human_size(item.get("size_bytes") or 0)}'


def image_table(items: list[dict[str, Any]]) -> Table:
    table = Table('id', 'title', 'tags', 'visibility', 'owner', 'size', 'created')
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
    if not items:
        out.print('no images')
        return
    out.print(image_table(items))
    first = page.get('offset', 0) + 1
    out.print(f'{first}-{first + len(items) - 1} of {page.get("total", len(items))}')


def print_similar(page: dict[str, Any]) -> None:
    items = page.get('items') or []
    if not items:
        out.print('no similar images')
        return
    table = Table('distance', 'id', 'title', 'owner', 'visibility', 'size', 'created')
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
    out.print(table)
    out.print(f'{len(items)} closest first (0 = the same picture; up to about 16 = a copy)')


def print_duplicates(found: dict[str, Any]) -> None:
    groups = found.get('images') or []
    if not groups:
        out.print('no near-duplicates')
        return
    for number, group in enumerate(groups, 1):
        table = Table('', 'id', 'title', 'format', 'size', 'created', title=f'group {number}')
        for position, item in enumerate(group):
            table.add_row(
                Text('best' if position == 0 else ''),
                Text(str(item.get('id', ''))),
                Text(str(item.get('title', ''))),
                Text(str(item.get('format', ''))),
                Text(_dimensions(item)),
                Text(_when(item.get('created_at'))),
            )
        out.print(table)
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
