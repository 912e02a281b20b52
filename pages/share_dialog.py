"""The "Share" dialog: a link for some images or an album, with its expiry, password and flags;
then the link itself with a copy button."""

from __future__ import annotations

from nicegui import context, run, ui

from pages.session import acting_user
from repo.container import Services
from repo.core.actor import Actor
from repo.core.errors import ShoeboxError
from repo.core.schemas_sharing import ShareCreate

EXPIRIES = {
    'never': None,
    '1 day': 86400,
    '7 days': 7 * 86400,
    '30 days': 30 * 86400,
}


def base_url(services: Services) -> str:
    """The address visitors use: the configured public URL, else this request's."""
    public = [u.strip() for u in services.settings.public_url.split(',') if u.strip()]
    if public:
        return public[0].rstrip('/')
    try:
        return str(context.client.request.base_url).rstrip('/')
    except (RuntimeError, AttributeError):
        return ''


def link_url(services: Services, path: str) -> str:
    return base_url(services) + path


async def share_dialog(
    services: Services, session: str | None, *, image_ids: list[str] | None = None,
    album_id: str | None = None, what: str = '',
) -> None:  # fmt: skip
    with ui.dialog() as dialog, ui.card().classes('w-full max-w-md gap-3').mark('share-dialog'):
        ui.label(f'Share {what}'.strip()).classes('text-lg font-medium')
        ui.label('Anyone with the link sees what it shows, also without an account.').classes(
            'text-sm opacity-70'
        )
        body = ui.column().classes('w-full gap-2')
        with body:
            label = (
                ui.input('Label (who it is for)')
                .props('outlined maxlength=200')
                .classes('w-full')
                .mark('share-label')
            )
            expires = (
                ui.select(list(EXPIRIES), value='never', label='Expires')
                .props('outlined')
                .classes('w-full')
                .mark('share-expires')
            )
            password = (
                ui.input('Password (optional)', password=True)
                .props('outlined maxlength=200 autocomplete=new-password')
                .classes('w-full')
                .mark('share-password-input')
            )
            download = ui.switch('Visitors may download the originals').mark('share-download')
            metadata = ui.switch('Show camera and date (never the location)').mark('share-metadata')

        async def create() -> None:
            user = acting_user(services, session)
            if user is None:
                return
            wanted = ShareCreate(
                image_ids=image_ids, album_id=album_id, label=label.value or '',
                expires_in=EXPIRIES.get(expires.value), password=password.value or None,
                allow_download=bool(download.value), show_metadata=bool(metadata.value),
            )  # fmt: skip
            try:
                share = await run.io_bound(services.sharing.create, Actor.of(user), wanted)
            except ShoeboxError as exc:
                ui.notify(exc.message, type='negative')
                return
            if share is None:
                return
            url = link_url(services, share.path)
            body.clear()
            buttons.clear()
            with body:
                ui.label('The link:').classes('font-medium')
                ui.input(value=url).props('outlined readonly').classes('w-full').mark('share-url')
            with buttons:
                ui.button('Copy', icon='content_copy', on_click=lambda: copy(url)).props(
                    'unelevated no-caps'
                ).mark('share-copy')
                ui.button('Done', on_click=dialog.close).props('flat no-caps')

        with ui.row().classes('w-full justify-end gap-2') as buttons:
            ui.button('Cancel', on_click=dialog.close).props('flat no-caps')
            ui.button('Make link', icon='link', on_click=create).props('unelevated no-caps').mark(
                'share-create'
            )
    dialog.open()
    await dialog
    dialog.delete()


def copy(url: str) -> None:
    ui.clipboard.write(url)
    ui.notify('Link copied', type='positive')
