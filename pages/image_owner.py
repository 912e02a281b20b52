"""The owner's side of the image page: edit in place, visibility, download, delete.

Every action re-checks the session first (it may have ended since the page was built) and the
Services checks ownership again, so no one else can act through these handlers.
"""

from __future__ import annotations

from nicegui import run, ui

from pages import markup
from pages.album_picker import add_to_album
from pages.dialogs import confirm
from pages.session import acting_user
from pages.share_dialog import share_dialog
from pages.tag_widgets import autocomplete_chips, split_on_commas, tag_chips
from pages.undo import deletion_note
from repo.container import Services
from repo.core.actor import Actor
from repo.core.errors import ShoeboxError
from repo.core.schemas import ImagePublic, ImageUpdate
from repo.core.validation import check_description, check_tags, check_title
from repo.core.visibility import Visibility


class OwnerControls:
    def __init__(self, services: Services, image: ImagePublic, session: str | None) -> None:
        self.services = services
        self.image = image
        self.session = session
        self.editing = False
        # Two parts, redrawn apart: toggling Public (the controls) never rebuilds an open edit
        # form, so what is being typed there stays.
        self.body = ui.column().classes('w-full gap-3')
        self.controls = ui.column().classes('w-full gap-3')
        self.render()

    def render(self) -> None:
        self.body.clear()
        with self.body:
            if self.editing:
                self._edit_form()
            else:
                self._view()
        self.render_controls()

    def render_controls(self) -> None:
        self.controls.clear()
        with self.controls:
            self._controls()

    # ---- view and edit ----------------------------------------------------------------------

    def _view(self) -> None:
        image = self.image
        with ui.row().classes('w-full items-start no-wrap gap-1'):
            ui.label(image.title).classes('text-2xl font-medium sb-title grow').mark('title')
            ui.button(icon='edit', on_click=self._start_edit).props(
                'flat round dense aria-label="Edit title, description and tags"'
            ).mark('edit').tooltip('Edit')
        if image.description:
            ui.label(image.description).classes('sb-description').mark('description')
        else:
            ui.label('No description').classes('opacity-60 italic')
        tag_chips(image, on_remove=self._remove_tag)

    def _start_edit(self) -> None:
        self.editing = True
        self.render()

    def _cancel_edit(self) -> None:
        self.editing = False
        self.render()

    def _edit_form(self) -> None:
        image = self.image
        title = (
            ui.input('Title', value=image.title)
            .props('outlined autofocus maxlength=200 counter')
            .classes('w-full')
            .mark('edit-title')
        )
        description = (
            ui.textarea('Description', value=image.description)
            .props('outlined autogrow maxlength=5000')
            .classes('w-full')
            .mark('edit-description')
        )
        tags = (
            ui.input_chips('Tags', value=list(image.tags), new_value_mode='add-unique')
            .props('outlined hint="Enter (or a comma) after each tag; ↓ picks an existing one"')
            .classes('w-full')
            .mark('edit-tags')
        )
        autocomplete_chips(tags, self.services, Actor.user(image.owner_id))
        split_on_commas(tags)

        async def save() -> None:
            ok = True
            for field, check in (
                (title, lambda: check_title(title.value or '')),
                (description, lambda: check_description(description.value or '')),
                (tags, lambda: check_tags(tags.value or [])),
            ):
                try:
                    check()
                    field.error = None
                except ShoeboxError as exc:
                    field.error = exc.message
                    ok = False
            if not ok:
                return
            changes = ImageUpdate(
                title=title.value, description=description.value or '', tags=tags.value or []
            )
            if await self._update(changes, 'Saved'):
                self.editing = False
                self.render()

        title.on('keydown.enter', save)
        with ui.row().classes('gap-2'):
            ui.button('Save', icon='check', on_click=save).props('unelevated no-caps').mark('save')
            ui.button('Cancel', on_click=self._cancel_edit).props('flat no-caps')

    async def _remove_tag(self, tag: str) -> None:
        remaining = [t for t in self.image.tags if t != tag]
        if not await self._update(ImageUpdate(tags=remaining), f'Removed the tag “{tag}”'):
            self.render()  # puts the chip back
            return
        self.render()

    # ---- visibility, download, delete -------------------------------------------------------

    def _controls(self) -> None:
        image = self.image
        public = image.visibility == Visibility.public
        ui.separator()
        visibility = ui.switch('Public', value=public).mark('visibility')
        ui.label(
            'Anyone can see this image, also without an account.'
            if public
            else 'Private: only you can see this image.'
        ).classes('text-sm opacity-70 -mt-2')
        visibility.on_value_change(lambda e: self._set_visibility(bool(e.value)))
        if public:
            ui.switch(
                'Others may download the original',
                value=image.allow_download,
                on_change=lambda e: self._change_controls(
                    ImageUpdate(allow_download=bool(e.value)),
                    'Downloads allowed' if e.value else 'Downloads not allowed',
                ),
            ).mark('allow-download')
            if image.allow_download and image.location is not None:
                ui.switch(
                    'Include the location in downloads',
                    value=image.share_location,
                    on_change=lambda e: self._change_controls(
                        ImageUpdate(share_location=bool(e.value)),
                        'Downloads include the location'
                        if e.value
                        else 'Downloads leave the location out',
                    ),
                ).mark('share-location')
                ui.label(
                    'Others get the original with its GPS position.'
                    if image.share_location
                    else 'Others get the original without its GPS position.'
                ).classes('text-sm opacity-70 -mt-2')
        with ui.row().classes('gap-2'):
            download = ui.button('Download original', icon='download')
            download.props('download outline no-caps').mark('download')
            download.props['href'] = markup.image_url(image.id, 'original')
            ui.button('Delete', icon='delete', on_click=self._delete).props(
                'outline no-caps color=negative'
            ).mark('delete')
        with ui.row().classes('gap-2'):
            ui.button('Share', icon='share', on_click=self._share).props('outline no-caps').mark(
                'share'
            )
            ui.button(
                'Add to album', icon='photo_album',
                on_click=lambda: add_to_album(self.services, self.session, [image.id]),
            ).props('outline no-caps').mark('add-to-album')  # fmt: skip

    async def _share(self) -> None:
        await share_dialog(
            self.services, self.session, image_ids=[self.image.id], what='this image'
        )

    async def _change_controls(self, changes: ImageUpdate, done: str) -> None:
        await self._update(changes, done)
        self.render_controls()  # what the change shows or hides (and the switch put back)

    async def _set_visibility(self, public: bool) -> None:
        vis = Visibility.public if public else Visibility.private
        await self._update(ImageUpdate(visibility=vis), f'Now {vis.value}')
        if self.editing:
            self.render_controls()  # also puts the switch back when the change failed
        else:
            self.render()

    async def _update(self, changes: ImageUpdate, done: str) -> bool:
        user = acting_user(self.services, self.session)
        if user is None:
            return False
        try:
            updated = await run.io_bound(
                self.services.images.update, Actor.of(user), self.image.id, changes
            )
        except ShoeboxError as exc:
            ui.notify(exc.message, type='negative')
            return False
        if updated is None:
            return False  # the app is shutting down
        self.image = updated
        ui.notify(done, type='positive')
        return True

    async def _delete(self) -> None:
        if not await confirm(
            'Delete this image?',
            f'“{self.image.title}”: {deletion_note(self.services)}',
            'Delete',
            danger=True,
        ):
            return
        user = acting_user(self.services, self.session)
        if user is None:
            return
        try:
            await run.io_bound(self.services.images.delete, Actor.of(user), self.image.id)
        except ShoeboxError as exc:
            ui.notify(exc.message, type='negative')
            return
        ui.notify('Image deleted', type='positive')
        gone = self.services.trash.days() <= 0
        ui.navigate.to('/?scope=mine' + ('' if gone else f'&undo={self.image.id}'))
