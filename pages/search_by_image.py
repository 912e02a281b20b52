"""Search by image: drop or pick one picture, see the images that look like it, closest first.

The picture gets the same checks as an upload (type, size, pixel limit) and the same clear
errors, but it is never stored: the Services reads it from a staged temporary file and drops it.
"""

from __future__ import annotations

import asyncio
import logging

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import events, run, ui

from pages.layout import frame
from pages.markup import file_size, plural
from pages.session import acting_user, current_user, here, redirect_to_sign_in, session_id
from pages.similar import similar_tiles
from pages.upload import ACCEPT, stage_upload
from repo.container import Services
from repo.core.actor import Actor
from repo.core.errors import ShoeboxError
from repo.core.schemas import SimilarPage

log = logging.getLogger(__name__)

LIMIT = 40
PREVIEW_ID = 'sb-query-preview'
SHOW_PREVIEW_JS = f"""(files) => {{
  const img = document.getElementById('{PREVIEW_ID}'), file = files && files[0];
  if (!img) return;
  if (img.src) URL.revokeObjectURL(img.src);
  img.hidden = !(file && /^image[/]/.test(file.type));
  if (!img.hidden) img.src = URL.createObjectURL(file);
}}"""
HIDE_PREVIEW_JS = f"document.getElementById('{PREVIEW_ID}').hidden = true"
# Quasar's list area: a hint while empty, then the file with its progress while it travels.
FILE_LIST = r"""
<div v-if="props.files.length === 0" class="column items-center q-pa-md text-center">
  <q-icon name="image_search" size="40px" class="q-mb-xs" style="opacity:.5" />
  <div class="text-caption" style="opacity:.75">
    JPEG, PNG, WebP, GIF, AVIF or HEIC, up to LIMIT
  </div>
</div>
<q-item v-for="file in props.files" :key="file.__key" dense class="q-px-none">
  <q-item-section>
    <q-item-label class="ellipsis">{{ file.name }}</q-item-label>
    <q-linear-progress :value="file.__progress" rounded size="6px" class="q-my-xs" />
  </q-item-section>
</q-item>
"""


async def search(
    services: Services, viewer: Actor, file: events.UploadEventArguments
) -> SimilarPage:
    """Stream the upload into a staged file and search with it (raises ShoeboxError)."""
    staged = await stage_upload(services, file)
    page = await run.io_bound(services.finding.search_by_image, viewer, staged, LIMIT)
    if page is None:
        raise asyncio.CancelledError
    return page


class SearchByImagePage:
    def __init__(self, services: Services, session: str | None) -> None:
        self.services = services
        self.session = session
        limit = file_size(services.limits().max_file_bytes)
        ui.label('Search by image').classes('text-2xl font-medium')
        ui.label(
            'Drop a picture or pick one to find the images that look like it: copies at another '
            'size or quality, crops, edits, turned or mirrored versions. It is compared with '
            'your images and public ones, and it is not stored.'
        ).classes('opacity-80 max-w-3xl')
        self.upload = (
            ui.upload(
                multiple=False,
                auto_upload=True,
                max_file_size=services.limits().max_file_bytes,
                max_files=1,
                on_upload=self.on_upload,
                on_rejected=lambda: ui.notify(
                    f'Choose one image file (JPEG, PNG, WebP, GIF, AVIF or HEIC) up to {limit}',
                    type='warning',
                ),
                label='Drop a picture here, or press + to choose',
            )
            .props('bordered flat color=primary')
            .classes('w-full max-w-xl sb-search-uploader')
            .mark('search-uploader')
        )
        self.upload.props['accept'] = ACCEPT
        self.upload.add_slot('list', FILE_LIST.replace('LIMIT', limit))
        with ui.row().classes('w-full items-center gap-3 no-wrap min-h-[36px]'):
            # The picture itself, shown from the browser's copy (the server keeps none).
            self.preview = ui.html(
                f'<img id="{PREVIEW_ID}" class="sb-query-preview" alt="Your picture" hidden>',
                sanitize=False,
            )
            self.status = ui.row().classes('items-center gap-2 no-wrap min-w-0')
        self.upload.on('added', js_handler=SHOW_PREVIEW_JS)
        # The picture leaves Quasar's list once sent: the results below take over.
        self.upload.on(
            'uploaded',
            js_handler=f'() => getElement({self.upload.id}).$refs.qRef.reset()',
        )
        self.results = ui.column().classes('w-full gap-2').mark('search-results')

    def _status(self, text: str, *, icon: str | None = None, busy: bool = False) -> None:
        self.status.clear()
        with self.status:
            if busy:
                ui.spinner(size='sm')
            elif icon:
                ui.icon(icon, size='22px').classes('opacity-70 shrink-0')
            ui.label(text).classes('font-medium').mark('search-status')

    async def on_upload(self, e: events.UploadEventArguments) -> None:
        name = e.file.name
        user = acting_user(self.services, self.session)
        if user is None:
            return
        self.results.clear()
        self._status(f'Looking for images like “{name}”…', busy=True)
        try:
            page = await search(self.services, Actor.of(user), e)
        except ShoeboxError as exc:
            ui.run_javascript(HIDE_PREVIEW_JS)
            ui.notify(exc.message, type='negative', multi_line=True)
            self._status(f'“{name}” could not be used: {exc.message}', icon='block')
            return
        except Exception:
            log.exception('Search by image failed for %r', name)
            ui.notify('Something went wrong while reading this picture', type='negative')
            self._status(f'“{name}” could not be used', icon='block')
            return
        if not page.items:
            self._status(f'Nothing looks like “{name}” yet', icon='image_search')
            with self.results, ui.column().classes('gap-1').mark('empty-state'):
                ui.label(
                    'None of the images you can see is a copy or an edit of it (only close '
                    'matches are shown). Upload it to keep it, or try another picture.'
                ).classes('opacity-70')
                ui.button(
                    'Upload images', icon='cloud_upload', on_click=lambda: ui.navigate.to('/upload')
                ).props('outline no-caps')
            return
        self._status(f'{plural(len(page.items), "image")} like “{name}”, closest first')
        with self.results:
            similar_tiles(page.items).mark('similar-tiles')


def create(services: Services) -> None:
    @ui.page('/search-by-image')
    def search_by_image_page(request: Request) -> RedirectResponse | None:
        user = current_user(services)
        if user is None:
            return redirect_to_sign_in(request)
        with frame(services, user, title='Search by image', next_path=here(request)):
            SearchByImagePage(services, session_id())
        return None
