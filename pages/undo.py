"""After a delete: say where the images went (the trash) and offer to undo it for a while."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import context, run, ui

from pages.markup import plural
from pages.session import acting_user
from repo.container import Services
from repo.core.actor import Actor
from repo.core.errors import ShoeboxError

UNDO_SECONDS = 12


def deletion_note(services: Services) -> str:
    """What deleting does, for the confirmation dialogs."""
    days = services.trash.days()
    if days <= 0:
        return 'They are removed for good, with their files. This cannot be undone.'
    return f'They go to the trash, where you can restore them for {plural(days, "day")}.'


def undo_toast(
    services: Services, session: str | None, image_ids: list[str], message: str,
    after_undo: Callable[[], Awaitable[None] | None] | None = None,
) -> None:  # fmt: skip
    """A toast at the bottom with an Undo button (when the images went to the trash)."""
    if not image_ids:
        return
    in_trash = services.trash.days() > 0
    # In the page itself, not in the (maybe hidden) bar whose button deleted the images.
    sticky = ui.page_sticky('bottom', y_offset=80).classes('z-20')
    sticky.move(context.client.content)
    card = ui.card().classes('q-pa-sm shadow-8 bg-grey-9 text-white').mark('undo-toast')
    card.move(sticky)
    with card, ui.row().classes('items-center gap-2 no-wrap'):
        ui.label(message)
        if in_trash:
            ui.button('Undo', on_click=lambda: undo()).props(
                'flat dense no-caps color=yellow'
            ).mark('undo')
        ui.button(icon='close', on_click=lambda: sticky.delete()).props(
            'flat round dense color=white aria-label=Dismiss'
        )

    async def undo() -> None:
        user = acting_user(services, session)
        if user is None:
            return
        try:
            restored = await run.io_bound(services.trash.restore, Actor.of(user), image_ids)
        except ShoeboxError as exc:
            ui.notify(exc.message, type='negative')
            return
        ui.notify(f'Restored {plural(len(restored or []), "image")}', type='positive')
        if after_undo is not None:
            result = after_undo()
            if result is not None:
                await result
        sticky.delete()  # last: the handler runs in its slot

    with sticky:
        ui.timer(
            UNDO_SECONDS, lambda: sticky.delete() if not sticky.is_deleted else None, once=True
        )
