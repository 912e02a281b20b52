"""Bulk actions on the grid's selection: delete, set visibility, add tags; then a summary."""

from __future__ import annotations

from dataclasses import dataclass, field

from nicegui import run, ui

from pages.album_picker import add_to_album
from pages.dialogs import ask_tags, confirm
from pages.grid import ThumbnailGrid
from pages.markup import plural
from pages.session import acting_user
from pages.share_dialog import share_dialog
from pages.undo import deletion_note, undo_toast
from repo.container import Services
from repo.core.actor import Actor
from repo.core.errors import ShoeboxError
from repo.core.schemas import ImageUpdate
from repo.core.visibility import Visibility


@dataclass
class Outcome:
    done: int = 0
    problems: list[str] = field(default_factory=list)

    def summary(self, did: str) -> str:
        text = f'{did} {plural(self.done, "image")}.'
        if self.problems:
            text += f' {plural(len(self.problems), "image")} not changed: {self.problems[0]}'
        return text


def set_visibility(services: Services, actor: Actor, ids: list[str], vis: Visibility) -> Outcome:
    outcome = Outcome()
    for image_id in ids:
        try:
            services.images.update(actor, image_id, ImageUpdate(visibility=vis))
            outcome.done += 1
        except ShoeboxError as exc:
            outcome.problems.append(exc.message)
    return outcome


def add_tags(services: Services, actor: Actor, ids: list[str], tags: list[str]) -> Outcome:
    outcome = Outcome()
    for image_id in ids:
        try:
            current = services.images.get(actor, image_id).tags
            services.images.update(actor, image_id, ImageUpdate(tags=[*current, *tags]))
            outcome.done += 1
        except ShoeboxError as exc:
            outcome.problems.append(exc.message)
    return outcome


def delete(services: Services, actor: Actor, ids: list[str]) -> Outcome:
    done = services.images.delete_many(actor, ids)
    skipped = len(ids) - done
    return Outcome(done, ['not found or not yours'] * skipped)


class BulkBar:
    """A floating bar that appears while images are selected."""

    def __init__(self, services: Services, grid: ThumbnailGrid, session: str | None) -> None:
        self.services = services
        self.session = session
        self.grid = grid
        with ui.page_sticky('bottom', y_offset=16).classes('z-10'):
            self.card = ui.card().classes('q-pa-sm shadow-6').mark('bulk-bar')
            with self.card, ui.row().classes('items-center gap-1 no-wrap overflow-x-auto'):
                ui.button(icon='close', on_click=grid.clear_selection).props(
                    'flat round dense aria-label="Clear selection"'
                ).mark('clear-selection')
                self.count = ui.label().classes('font-medium px-1 whitespace-nowrap')
                self.all_button = ui.button('Select all', on_click=grid.select_all_loaded).props(
                    'flat dense no-caps'
                )
                ui.separator().props('vertical')
                # "Make ...": actions on the selection, never to be taken for the gallery's
                # "Public" filter above.
                ui.button(
                    'Make public', icon='public', on_click=lambda: self.visibility('public')
                ).props('flat dense no-caps').mark('bulk-public')
                ui.button(
                    'Make private', icon='lock', on_click=lambda: self.visibility('private')
                ).props('flat dense no-caps').mark('bulk-private')
                ui.button('Add tags', icon='sell', on_click=self.tags).props(
                    'flat dense no-caps'
                ).mark('bulk-tags')
                ui.button('Album', icon='photo_album', on_click=self.album).props(
                    'flat dense no-caps'
                ).mark('bulk-album')
                ui.button('Share', icon='share', on_click=self.share).props(
                    'flat dense no-caps'
                ).mark('bulk-share')
                ui.button('Delete', icon='delete', on_click=self.delete).props(
                    'flat dense no-caps color=negative'
                ).mark('bulk-delete')
        grid.on_selection.append(self.refresh)
        grid.on_loaded.append(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        n = len(self.grid.selected)
        self.card.visible = n > 0
        self.count.text = f'{n:,} selected'
        own = len(self.grid.own_ids())
        self.all_button.text = f'Select all {own:,} loaded'
        self.all_button.visible = own > n

    def _actor(self) -> Actor | None:
        user = acting_user(self.services, self.session)
        return Actor.of(user) if user is not None else None

    async def _finish(self, outcome: Outcome | None, did: str) -> None:
        if outcome is None:
            return  # the app is shutting down
        kind = 'positive' if not outcome.problems else 'warning'
        ui.notify(outcome.summary(did), type=kind, multi_line=True)
        await self.grid.reload()

    async def visibility(self, value: str) -> None:
        ids = list(self.grid.selected)
        vis = Visibility(value)
        if not await confirm(
            f'Make {plural(len(ids), "image")} {value}?',
            'Public images can be seen by anyone, also without an account.'
            if vis == Visibility.public
            else 'Private images can be seen only by you.',
            f'Make {value}',
        ):
            return
        actor = self._actor()
        if actor is None:
            return
        outcome = await run.io_bound(set_visibility, self.services, actor, ids, vis)
        await self._finish(outcome, f'Made {value}:')

    async def tags(self) -> None:
        ids = list(self.grid.selected)
        tags = await ask_tags(f'Add tags to {plural(len(ids), "image")}', 'Add tags')
        if not tags:
            return
        actor = self._actor()
        if actor is None:
            return
        outcome = await run.io_bound(add_tags, self.services, actor, ids, tags)
        await self._finish(outcome, 'Tagged')

    async def delete(self) -> None:
        ids = list(self.grid.selected)
        if not await confirm(
            f'Delete {plural(len(ids), "image")}?',
            deletion_note(self.services),
            'Delete',
            danger=True,
        ):
            return
        actor = self._actor()
        if actor is None:
            return
        outcome = await run.io_bound(delete, self.services, actor, ids)
        await self._finish(outcome, 'Deleted')
        if outcome is not None and outcome.done:
            undo_toast(
                self.services, self.session, ids, f'{plural(outcome.done, "image")} deleted',
                after_undo=self.grid.reload,
            )  # fmt: skip

    async def album(self) -> None:
        own = set(self.grid.own_ids())
        await add_to_album(self.services, self.session, [i for i in self.grid.selected if i in own])

    async def share(self) -> None:
        own = set(self.grid.own_ids())
        ids = [i for i in self.grid.selected if i in own]
        if ids:
            await share_dialog(
                self.services, self.session, image_ids=ids,
                what=plural(len(ids), 'image'),
            )  # fmt: skip
