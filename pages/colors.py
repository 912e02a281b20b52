"""Named colours in the web app: the gallery's swatch filter and the image page's colour links.

The twelve names and their display colours come from repo.core.palette; matching an image against a
name (in CIELAB) is the Services's business, the pages only pass the name along (?color=blue).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from pages import markup
from pages.gallery_query import GalleryQuery
from repo.core.palette import PALETTE

# Swatches light enough that a white check mark would not show on them.
LIGHT = frozenset({'yellow', 'white', 'pink', 'orange', 'grey'})


class ColorFilter:
    """A row of swatch buttons, one per palette name; pressing the active one clears it."""

    def __init__(self, selected: str, on_pick: Callable[[str], Awaitable[None]]) -> None:
        self.on_pick = on_pick
        self.selected = ''
        self.buttons: dict[str, ui.element] = {}
        with (
            ui.row()
            .classes('w-full items-center gap-1 sb-colors')
            .props('role=group aria-label="Filter by colour"')
            .mark('color-filter')
        ):
            ui.icon('palette', size='18px').classes('opacity-60 mr-1 gt-xs')
            for name, hex_color in PALETTE.items():
                button = (
                    ui.element('button')
                    .props('type=button')
                    .classes('sb-color')
                    .mark(f'color-{name}')
                )
                if name in LIGHT:
                    button.classes('sb-color-light')
                button.style['background'] = markup.safe_color(hex_color)
                button.on('click', lambda _, n=name: self._clicked(n))
                with button:
                    ui.tooltip(name.capitalize())
                self.buttons[name] = button
        self.set(selected)

    def set(self, selected: str) -> None:
        """Show which colour is active (after any change of the query)."""
        self.selected = selected
        for name, button in self.buttons.items():
            active = name == selected
            label = f'Showing {name} images; press to show all colours' if active else name
            button.props['aria-pressed'] = 'true' if active else 'false'
            button.props['aria-label'] = label
            if active:
                button.classes(add='sb-color-active')
            else:
                button.classes(remove='sb-color-active')

    async def _clicked(self, name: str) -> None:
        await self.on_pick('' if name == self.selected else name)


def color_links(names: list[str]) -> str:
    """The image page's named colours: each a link to the gallery filtered by that colour."""
    links = []
    for name in names:
        hex_color = PALETTE.get(name)
        if hex_color is None:
            continue
        href = markup.text(GalleryQuery(color=name).url())
        links.append(
            f'<a class="sb-color-link" href="{href}" title="Show images with {name} in them">'
            f'<span class="sb-color-dot" style="background:{markup.safe_color(hex_color)}" '
            f'aria-hidden="true"></span>{markup.text(name)}</a>'
        )
    return ''.join(links)
