"""Upload many images: batch settings first, then the uploader, then what came of each file.

The browser sends the files itself, a few at a time, to `POST /api/v1/images`
(pages/bulk_uploader.js); this page never carries file bytes over its websocket. The server
notes each outcome in this browser's upload log (pages/upload_log.py) and the page shows that
log, so the list survives a reconnect or a reload and names every file, whatever its fate.
"""

from __future__ import annotations

import asyncio
import time

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import events, run, ui

from pages.bulk_uploader import BulkUploader
from pages.layout import frame
from pages.markup import file_size
from pages.quota_notice import QuotaNotice, sizes_of
from pages.session import current_user, here, redirect_to_sign_in, session_id
from pages.tag_widgets import TagSuggestions
from pages.upload_log import LOGS, Entry, Storage, UploadLog, persist
from pages.upload_outcomes import browser_storage
from pages.upload_results import UploadResults
from repo.container import Services
from repo.core.actor import Actor
from repo.core.errors import ShoeboxError
from repo.core.schemas import UserPublic
from repo.core.validation import check_tags, parse_tag_list
from repo.services.ingest import ACCEPTED_LABEL, StagedFile

CHUNK = 1024 * 1024
ACCEPT = (
    'image/jpeg,image/png,image/webp,image/gif,image/avif,image/heic,image/heif,'
    '.jpg,.jpeg,.png,.webp,.gif,.avif,.heic,.heif'
)
# The result list catches up with the log REFRESH_S after things settle, and at most every
# BUSY_REFRESH_S while results keep coming: each refresh costs the browser a re-render.
REFRESH_S = 0.5
BUSY_REFRESH_S = 2.0
# The server keeps this page's state this long for a browser that lost its connection, so a
# batch resumes where it was instead of the page reloading (and the queue being lost).
RECONNECT_TIMEOUT_S = 300.0


async def stage_upload(services: Services, file: events.UploadEventArguments) -> StagedFile:
    """Stream a browser upload into a size-capped staged file (raises TooLarge while streaming).

    For the pages that still take a file over NiceGUI's upload route (search by image)."""
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


def tags_problem(value: str | None) -> str | None:
    """What is wrong with the batch's tags, or None (the field's validation)."""
    try:
        check_tags(parse_tag_list(value))
    except ShoeboxError as exc:
        return exc.message
    return None


class UploadPage:
    def __init__(
        self, services: Services, user: UserPublic, where: tuple[str, str, Storage] | None
    ) -> None:
        self.services = services
        self.where = where
        self._fallback = UploadLog('')  # no browser storage (never for a signed-in browser)
        limit = file_size(services.limits().max_file_bytes)

        ui.label('Upload images').classes('text-2xl font-medium')
        with ui.card().classes('w-full').props('flat bordered'):
            ui.label('For this batch').classes('font-medium')
            with ui.row().classes('w-full items-start gap-4'):
                with ui.column().classes('gap-1'):
                    self.visibility = (
                        ui.toggle(
                            {'private': 'Private', 'public': 'Public'},
                            value='private',
                            on_change=self._settings_changed,
                        )
                        .props('no-caps unelevated toggle-color=primary')
                        .mark('upload-visibility')
                    )
                    self.visibility_hint = ui.label().classes('text-sm opacity-70')
                with ui.column().classes('min-w-[220px] grow gap-1'):
                    self.tags = (
                        ui.input(
                            'Tags',
                            placeholder='holiday, beach',
                            validation=tags_problem,
                            on_change=self._settings_changed,
                        )
                        .props(
                            'outlined dense clearable '
                            'hint="Separate tags with commas; Tab completes a known tag"'
                        )
                        .classes('w-full')
                        .mark('upload-tags')
                    )
                    TagSuggestions(self.tags, services, Actor.of(user))
                self.description = (
                    ui.textarea(
                        'Description',
                        placeholder='Optional, for every image of the batch',
                        on_change=self._settings_changed,
                    )
                    .props('outlined dense autogrow maxlength=5000')
                    .classes('min-w-[220px] grow')
                    .mark('upload-description')
                )

        self.uploader = BulkUploader(
            max_bytes=services.limits().max_file_bytes,
            limit=limit,
            hint=(
                f'{ACCEPTED_LABEL}, up to {limit} each. Files upload as soon as you pick them, '
                'with the settings above; inside a folder, files without an image name are '
                'skipped.'
            ),
            accept=ACCEPT,
            on_report=self._reported,
            on_idle=self._save,
        ).mark('uploader')
        self.quota = QuotaNotice(services, session_id())  # warns before a batch that won't fit
        self.uploader.on('picked', lambda e: self.quota.check(sizes_of(e.args)))
        self._settings_changed()
        self.results = UploadResults(self.log, on_clear=self._clear)
        self.refreshed_at = 0.0
        ui.timer(REFRESH_S, self._tick)

    def log(self) -> UploadLog:
        if self.where is None:
            return self._fallback
        browser, session, storage = self.where
        return LOGS.get(browser, session, storage)

    def _settings_changed(self) -> None:
        public = self.visibility.value == 'public'
        self.visibility_hint.text = (
            'Anyone will see these images.' if public else 'Only you will see these images.'
        )
        self.uploader.set_settings(
            self.visibility.value or 'private',
            self.tags.value or '',
            self.description.value or '',
        )

    def _reported(self, entries: list[Entry]) -> None:
        log = self.log()
        for entry in entries:
            log.record(entry)
        self._save(force=False)
        self.results.refresh()

    def _save(self, force: bool = True) -> None:
        if self.where is not None:
            persist(self.log(), self.where[2], force=force)

    def _tick(self) -> None:
        log, now = self.log(), time.monotonic()
        settled = now - log.changed_at >= REFRESH_S
        if settled or now - self.refreshed_at >= BUSY_REFRESH_S:
            self.refreshed_at = now
            self.results.refresh()
        self._save(force=False)

    def _clear(self) -> None:
        self.log().clear()
        self._save()
        self.results.refresh(force=True)


def create(services: Services) -> None:
    @ui.page('/upload', reconnect_timeout=RECONNECT_TIMEOUT_S)
    def upload_page(request: Request) -> RedirectResponse | None:
        user = current_user(services)
        if user is None:
            return redirect_to_sign_in(request)
        with frame(services, user, title='Upload', next_path=here(request)):
            UploadPage(services, user, browser_storage())
        return None
