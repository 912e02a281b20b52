"""Tags on the pages: chips that tell automatic tags apart, and autocomplete from existing tags.

Suggestions come from Services.tags(viewer, prefix=...), which counts only images the viewer may
see, so a private tag of someone else is never suggested.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import events, run, ui

from pages.gallery_query import GalleryQuery
from repo.container import Services
from repo.core.actor import Actor
from repo.core.errors import ShoeboxError
from repo.core.schemas import ImagePublic, TagCount

SUGGESTIONS = 8
AUTO_HINT = 'Added automatically by Shoebox from the image itself'


def tag_chips(
    image: ImagePublic, on_remove: Callable[[str], Awaitable[None]] | None = None
) -> None:
    """The image's tags as chips leading to the gallery filtered by that tag.

    Tags a person gave: a filled chip with a tag icon. Tags Shoebox added (colours, orientation,
    year, camera make): an outlined chip with a sparkle icon and a tooltip saying so. With
    on_remove (the owner), every chip has a remove button.
    """
    auto = set(image.auto_tags)
    ordered = [t for t in image.tags if t not in auto] + [t for t in image.tags if t in auto]
    with ui.row().classes('gap-1').mark('image-tags'):
        for tag in ordered:
            is_auto = tag in auto
            chip = ui.chip(
                tag,
                icon='auto_awesome' if is_auto else 'sell',
                color=None,
                removable=on_remove is not None,
                on_click=lambda _, t=tag: ui.navigate.to(GalleryQuery(tags=(t,)).url()),
            )
            if on_remove is not None:
                chip.on_value_change(lambda e, t=tag: on_remove(t) if not e.value else None)
            if is_auto:
                chip.props('outline clickable').classes('sb-auto-tag').mark('auto-tag')
                with chip:
                    ui.tooltip(AUTO_HINT)
            else:
                chip.props('clickable').classes('sb-tag').mark('tag')


def split_on_commas(field: ui.input_chips) -> None:
    """'Family Trip,portugal' typed into the chips field becomes two chips, as the upload page
    and the bulk dialog read comma-separated tags (blank parts go, duplicates too)."""

    def changed(e: events.ValueChangeEventArguments) -> None:
        chips = list(e.value or [])
        if not any(',' in c for c in chips):
            return
        split: list[str] = []
        for chip in chips:
            for part in chip.split(','):
                part = ' '.join(part.split())
                if part and part.lower() not in {s.lower() for s in split}:
                    split.append(part)
        field.value = split

    field.on_value_change(changed)


def suggest(services: Services, viewer: Actor, prefix: str) -> list[TagCount]:
    """Existing tags starting with prefix, most used first (blocking: use io_bound)."""
    if not prefix.strip():
        return []
    try:
        return services.finding.tags(viewer, sort='count', prefix=prefix, limit=SUGGESTIONS)
    except ShoeboxError:
        return []


def autocomplete_chips(field: ui.input_chips, services: Services, viewer: Actor) -> None:
    """Offer existing tags in the chips field's menu while typing.

    Quasar's select shows the options it is given (the filter hook only opens the menu; nothing
    is filtered in the browser), so the server sends the matches for what is typed: arrow keys
    pick one and Enter adds it; Enter on typed text adds a new tag as before.
    """
    field.props('options-dense input-debounce=150')
    field.props['options'] = []
    state = {'typed': ''}

    async def typed(e: events.GenericEventArguments) -> None:
        text = e.args if isinstance(e.args, str) else ''
        state['typed'] = text
        found = await run.io_bound(suggest, services, viewer, text)
        if found is None or state['typed'] != text:
            return  # shutting down, or more was typed meanwhile
        taken = set(field.value or [])
        field.props['options'] = [t.name for t in found if t.name not in taken]

    field.on('input-value', typed)
    # With a filter listener Quasar opens the menu while typing; the options come from `typed`.
    field.on('filter', js_handler='(value, update) => update()')


class TagSuggestions:
    """Autocomplete for a comma-separated tags input (the upload's batch settings).

    For the word being typed (after the last comma): the best match completes with Tab (the
    input's shadow text), and a few matches show as chips below that fill it in when pressed.
    """

    def __init__(self, field: ui.input, services: Services, viewer: Actor) -> None:
        self.field = field
        self.services = services
        self.viewer = viewer
        self.row = (
            ui.row()
            .classes('items-center gap-1 -mt-2')
            .props('aria-live=polite')
            .mark('tag-suggestions')
        )
        field.on_value_change(self._changed)

    @staticmethod
    def split(value: str) -> tuple[str, str]:
        """The text before the word being typed (up to and with the last comma), and the word."""
        head, _, word = value.rpartition(',')
        return (f'{head}, ' if head else ''), word.strip()

    async def _changed(self) -> None:
        value = self.field.value or ''
        head, word = self.split(value)
        found = await run.io_bound(suggest, self.services, self.viewer, word)
        if found is None or (self.field.value or '') != value:
            return
        done = {t.strip().lower() for t in value.split(',')[:-1]}
        names = [t.name for t in found if t.name not in done and t.name != word.lower()]
        self.field.set_autocomplete([head + name for name in names])
        self.row.clear()
        if not names:
            return
        with self.row:
            ui.label('Existing tags:').classes('text-sm opacity-70')
            for tag in found:
                if tag.name in names:
                    chip = ui.chip(
                        tag.name, color=None, on_click=lambda _, n=tag.name: self.pick(n)
                    )
                    chip.props('outline dense').mark('tag-suggestion')
                    chip.props['aria-label'] = f'Use the tag {tag.name}'

    def pick(self, name: str) -> None:
        head, _ = self.split(self.field.value or '')
        self.field.value = f'{head}{name}, '
        self.field.run_method('focus')
