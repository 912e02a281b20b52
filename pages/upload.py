"""Upload many images: batch settings first, then per-file progress and results.

Each file is its own POST (no on_multi_upload, so Quasar does not batch), so the API's body-size
guard can refuse an oversized request early. Bytes are streamed into Services.stage() chunk by
chunk and the Pillow work runs off the event loop; one bad file never spoils the batch.
"""

from __future__ import annotations

import asyncio
import logging

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import events, run, ui

from pages.layout import frame
from pages.markup import file_size
from pages.session import current_user, here, redirect_to_sign_in, session_id
from pages.tag_widgets import TagSuggestions
from pages.upload_results import UploadResults
from repo.container import Services
from repo.core.actor import Actor
from repo.core.errors import DiskFull, DuplicateImage, ShoeboxError, is_disk_full
from repo.core.schemas import ImagePublic, UserPublic
from repo.core.validation import check_description, check_tags, parse_tag_list
from repo.services.ingest import StagedFile

log = logging.getLogger(__name__)

CHUNK = 1024 * 1024
CONCURRENT = 3  # files processed at once per page; the rest wait their turn
MAX_FILES = 500
ACCEPT = 'image/jpeg,image/png,image/webp,image/gif,image/avif,image/heic,image/heif,.heic,.heif'
REJECT_REASONS = {
    'max-file-size': 'larger than the {limit} limit',
    'max-files': f'more than {MAX_FILES} files at once',
    'accept': 'not an image file',
}
# Quasar's file list, compact: name, a progress bar while bytes travel, cancel.
FILE_LIST = r"""
<q-list dense class="w-full">
  <q-item v-for="file in props.files" :key="file.__key" class="q-px-none">
    <q-item-section avatar>
      <img v-if="file.__img" :src="file.__img.src" alt="" class="sb-uploader-thumb">
      <q-icon v-else name="image" size="28px" />
    </q-item-section>
    <q-item-section>
      <q-item-label class="ellipsis">{{ file.name }}</q-item-label>
      <q-linear-progress :value="file.__progress" rounded size="6px" class="q-my-xs"
        :color="file.__status === 'failed' ? 'negative' : 'primary'" />
      <q-item-label caption>
        {{ file.__status === 'failed' ? 'Failed to send' : file.__status === 'uploaded'
           ? 'Sent, processing…' : file.__sizeLabel + ' · ' + file.__progressLabel }}
      </q-item-label>
    </q-item-section>
    <q-item-section side v-if="file.__status !== 'uploaded'">
      <q-btn flat round dense icon="close" :aria-label="'Cancel ' + file.name"
        @click="props.removeFile(file)" />
    </q-item-section>
  </q-item>
</q-list>
"""
REJECTED_JS = """(entries) => emit(entries.map(e => ({
  name: (e.file && e.file.name) || 'file', reason: e.failedPropValidation
})))"""


async def stage_upload(services: Services, file: events.UploadEventArguments) -> StagedFile:
    """Stream a browser upload into a size-capped staged file (raises TooLarge while streaming)."""
    staged = await run.io_bound(services.ingest.stage)
    if staged is None:
        raise asyncio.CancelledError  # the app is shutting down
    try:
        async for chunk in file.file.iterate(chunk_size=CHUNK):
            await run.io_bound(staged.write, chunk)
    except BaseException:
        staged.discard()
        raise
    return staged


async def store(
    services: Services,
    user: UserPublic,
    file: events.UploadEventArguments,
    *,
    visibility: str,
    tags: list[str],
    description: str,
) -> ImagePublic:
    """Stream one uploaded file into a staged file, then add it (raises ShoeboxError)."""
    staged = await stage_upload(services, file)
    image = await run.io_bound(
        services.ingest.add,
        Actor.of(user),
        staged,
        file.file.name,
        description=description,
        tags=tags,
        visibility=visibility,
    )
    if image is None:
        raise asyncio.CancelledError  # the app is shutting down
    return image


def tags_problem(value: str | None) -> str | None:
    """What is wrong with the batch's tags, or None (the field's validation)."""
    try:
        check_tags(parse_tag_list(value))
    except ShoeboxError as exc:
        return exc.message
    return None


class UploadPage:
    def __init__(self, services: Services, session: str | None) -> None:
        self.services = services
        self.session = session
        self.slots = asyncio.Semaphore(CONCURRENT)
        limit = file_size(services.settings.max_file_bytes)
        self.limit = limit

        ui.label('Upload images').classes('text-2xl font-medium')
        with ui.card().classes('w-full').props('flat bordered'):
            ui.label('For this batch').classes('font-medium')
            with ui.row().classes('w-full items-start gap-4'):
                with ui.column().classes('gap-1'):
                    self.visibility = (
                        ui.toggle(
                            {'private': 'Private', 'public': 'Public'},
                            value='private',
                            on_change=self._visibility_hint,
                        )
                        .props('no-caps unelevated toggle-color=primary')
                        .mark('upload-visibility')
                    )
                    self.visibility_hint = ui.label().classes('text-sm opacity-70')
                with ui.column().classes('min-w-[220px] grow gap-1'):
                    self.tags = (
                        ui.input('Tags', placeholder='holiday, beach', validation=tags_problem)
                        .props(
                            'outlined dense clearable '
                            'hint="Separate tags with commas; Tab completes a known tag"'
                        )
                        .classes('w-full')
                        .mark('upload-tags')
                    )
                    user = services.signin.session_user(session)
                    TagSuggestions(self.tags, services, Actor.of(user))
                self.description = (
                    ui.textarea('Description', placeholder='Optional, for every image of the batch')
                    .props('outlined dense autogrow maxlength=5000')
                    .classes('min-w-[220px] grow')
                    .mark('upload-description')
                )
            self._visibility_hint()

        self.upload = (
            ui.upload(
                multiple=True,
                auto_upload=True,
                max_file_size=services.settings.max_file_bytes,
                max_files=MAX_FILES,
                on_upload=self.on_upload,
                label='Drop images here, or press + to choose',
            )
            .props('bordered flat color=primary')
            .classes('w-full')
            .mark('uploader')
        )
        self.upload.props['accept'] = ACCEPT
        self.upload.add_slot('list', FILE_LIST)
        self.upload.on('rejected', self._rejected, js_handler=REJECTED_JS)
        # A file whose bytes have arrived leaves Quasar's list: its result row takes over.
        self.upload.on(
            'uploaded',
            js_handler=f'() => getElement({self.upload.id}).$refs.qRef.removeUploadedFiles()',
        )
        with ui.row().classes('items-center gap-3'):
            folder = (
                ui.element('input')
                .props('type=file webkitdirectory multiple tabindex=-1 aria-hidden=true')
                .classes('hidden')
            )
            folder.on(
                'change',
                js_handler=f'(e) => {{ getElement({self.upload.id}).$refs.qRef'
                '.addFiles(e.target.files); e.target.value = ""; }',
            )
            ui.button('Choose a folder', icon='folder_open').props('outline no-caps').on(
                'click', js_handler=f'() => getHtmlElement({folder.id}).click()'
            )
            ui.label(
                f'JPEG, PNG, WebP, GIF or AVIF, up to {limit} each. Files upload as soon as you '
                'pick them, with the settings above.'
            ).classes('text-sm opacity-70')
        self.results = UploadResults()

    def _visibility_hint(self) -> None:
        self.visibility_hint.text = (
            'Anyone will see these images.'
            if self.visibility.value == 'public'
            else 'Only you will see these images.'
        )

    def _rejected(self, e: events.GenericEventArguments) -> None:
        entries = e.args if isinstance(e.args, list) else []
        not_images = 0
        for entry in entries[:MAX_FILES]:
            if not isinstance(entry, dict):
                continue
            reason = str(entry.get('reason', ''))
            if reason == 'accept':
                not_images += 1
                continue
            text = REJECT_REASONS.get(reason, 'refused by the browser').format(limit=self.limit)
            self.results.add(str(entry.get('name', 'file'))[:255]).refused(text)
        if not_images:
            ui.notify(f'Skipped {not_images} file(s) that are not images', type='warning')

    async def on_upload(self, e: events.UploadEventArguments) -> None:
        row = self.results.add(e.file.name)
        user = self.services.signin.session_user(self.session)
        if user is None:
            row.refused('your session has ended; please sign in again')
            return
        problem = tags_problem(self.tags.value)
        if problem:
            row.refused(f'the tags for this batch are not valid: {problem}')
            return
        try:
            description = check_description(self.description.value or '')
        except ShoeboxError as exc:
            row.refused(exc.message)
            return
        async with self.slots:
            try:
                image = await store(
                    self.services,
                    user,
                    e,
                    visibility=self.visibility.value or 'private',
                    tags=parse_tag_list(self.tags.value),
                    description=description,
                )
            except DuplicateImage as exc:
                row.duplicate(exc.existing_id)
            except ShoeboxError as exc:
                row.refused(exc.message)
            except Exception as exc:
                if is_disk_full(exc):
                    row.refused(DiskFull().message)
                    return
                log.exception('Upload of %r failed', e.file.name)
                row.refused('something went wrong while processing this file')
            else:
                row.added(image, looks_like=await self._looks_like(user, image))

    async def _looks_like(self, user: UserPublic, image: ImagePublic) -> ImagePublic | None:
        """The image of theirs this new one looks like (a near-duplicate), if any."""
        if not image.looks_like:
            return None
        try:
            return await run.io_bound(self.services.images.get, Actor.of(user), image.looks_like)
        except ShoeboxError:
            return None  # deleted meanwhile


def create(services: Services) -> None:
    @ui.page('/upload')
    def upload_page(request: Request) -> RedirectResponse | None:
        user = current_user(services)
        if user is None:
            return redirect_to_sign_in(request)
        with frame(services, user, title='Upload', next_path=here(request)):
            UploadPage(services, session_id())
        return None
