"""Small modal dialogs shared by the pages: confirm an action, ask for tags."""

from __future__ import annotations

from nicegui import ui

from repo.core.validation import parse_tag_list


async def confirm(title: str, message: str, ok: str, *, danger: bool = False) -> bool:
    """Ask before doing something; True only when the user pressed the OK button."""
    with ui.dialog() as dialog, ui.card().classes('min-w-[280px] max-w-md').mark('confirm'):
        ui.label(title).classes('text-lg font-medium')
        ui.label(message).classes('opacity-80')
        with ui.row().classes('w-full justify-end gap-2'):
            ui.button('Cancel', on_click=lambda: dialog.submit(False)).props('flat no-caps')
            button = ui.button(ok, on_click=lambda: dialog.submit(True)).props('no-caps unelevated')
            button.props['color'] = 'negative' if danger else 'primary'
            button.mark('confirm-ok')
    result = await dialog
    dialog.delete()
    return result is True


async def ask_tags(title: str, ok: str) -> list[str]:
    """A comma-separated list of tags, or [] when cancelled or left blank."""
    with ui.dialog() as dialog, ui.card().classes('min-w-[300px] max-w-md').mark('ask-tags'):
        ui.label(title).classes('text-lg font-medium')
        field = (
            ui.input('Tags', placeholder='beach, family, 2024')
            .props('autofocus outlined')
            .classes('w-full')
            .mark('tags-input')
        )
        ui.label('Separate tags with commas.').classes('text-sm opacity-70')
        field.on('keydown.enter', lambda: dialog.submit(field.value))
        with ui.row().classes('w-full justify-end gap-2'):
            ui.button('Cancel', on_click=lambda: dialog.submit(None)).props('flat no-caps')
            ui.button(ok, on_click=lambda: dialog.submit(field.value)).props(
                'no-caps unelevated'
            ).mark('tags-ok')
    result = await dialog
    dialog.delete()
    return parse_tag_list(result) if isinstance(result, str) else []
