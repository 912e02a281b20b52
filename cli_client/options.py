"""The options several `shoebox` client commands share."""

from __future__ import annotations

from typing import Annotated

import typer

Json = Annotated[bool, typer.Option('--json', help='Print JSON (for scripts)')]
Mine = Annotated[bool, typer.Option('--mine', help='Only your own images')]
Limit = Annotated[int, typer.Option(min=1, max=200, help='How many at most')]
Offset = Annotated[int, typer.Option(min=0, help='Skip this many first')]
Visibility = Annotated[
    bool | None, typer.Option('--public/--private', help='Visibility', show_default=False)
]
COLORS = 'red, orange, yellow, green, teal, blue, purple, pink, brown, black, grey, white'
Color = Annotated[str | None, typer.Option(help=f'Only images with this dominant colour: {COLORS}')]
