"""/albums/{id}: an album's images in its order. Its owner edits, shares, reorders (drag a
tile onto another), sets the cover, takes images out, deletes the album."""

from __future__ import annotations

from fastapi import Request
from nicegui import run, ui

from pages import markup
from pages.dialogs import confirm
from pages.layout import frame
from pages.session import acting_user, current_user, here, session_id
from pages.share_dialog import share_dialog
from repo.container import Services
from repo.core.actor import Actor
from repo.core.errors import NotFound, ShoeboxError
from repo.core.schemas import ImagePublic, UserPublic
from repo.core.schemas_sharing import AlbumDetail, AlbumUpdate
from repo.core.visibility import Visibility

MAX_SHOWN = 1000
CLICK_JS = """(e) => {
  const act = e.target.closest('[data-act]');
  if (!act) return;
  e.preventDefault();
  emit({act: act.dataset.act, id: act.closest('.sb-tile').dataset.id});
}"""
DRAG_START_JS = """(e) => {
  const t = e.target.closest('.sb-tile');
  if (t) { window.sbDrag = t.dataset.id; e.dataTransfer.effectAllowed = 'move'; }
}"""
DRAG_OVER_JS = '(e) => { if (window.sbDrag) e.preventDefault(); }'
DROP_JS = """(e) => {
  const t = e.target.closest('.sb-tile');
  if (!t || !window.sbDrag) return;
  e.preventDefault();
  const from = window.sbDrag; window.sbDrag = null;
  if (from !== t.dataset.id) emit({from: from, to: t.dataset.id});
}"""


def tile(image: ImagePublic, owner: bool) -> str:
    title = markup.text(image.title)
    bg = markup.safe_color(image.colors[0] if image.colors else None)
    tools = (
        '<span class="sb-album-tools">'
        f'<button type="button" data-act="cover" aria-label="Make {title} the cover">'
        '<i class="material-icons" aria-hidden="true">star</i></button>'
        f'<button type="button" data-act="remove" aria-label="Take {title} out of the album">'
        '<i class="material-icons" aria-hidden="true">close</i></button></span>'
        if owner
        else ''
    )
    drag = ' draggable="true"' if owner else ''
    return (
        f'<div class="sb-tile" data-id="{markup.text(image.id)}"{drag} style="background:{bg}">'
        f'<a class="sb-link" href="/images/{markup.text(image.id)}" draggable="false">'
        f'<img src="{markup.image_url(image.id)}" loading="lazy" alt="{title}" '
        f'draggable="false" width="{image.width}" height="{image.height}">'
        f'<span class="sb-caption">{title}</span></a>{tools}</div>'
    )


def load_album(services: Services, actor: Actor, album_id: str) -> AlbumDetail:
    album = services.albums.get(actor, album_id, limit=200)
    while len(album.items) < min(album.total, MAX_SHOWN):
        more = services.albums.get(actor, album_id, limit=200, offset=len(album.items))
        if not more.items:
            break
        album.items.extend(more.items)
    return album


class AlbumView:
    def __init__(self, services: Services, viewer: UserPublic | None, album: AlbumDetail) -> None:
        self.services = services
        self.viewer = viewer
        self.session = session_id()
        self.album = album
        self.owner = viewer is not None and viewer.username == album.owner
        self.body = ui.column().classes('w-full gap-3')
        self.render()

    def render(self) -> None:
        album = self.album
        self.body.clear()
        with self.body:
            with ui.row().classes('w-full items-center gap-2'):
                with ui.column().classes('grow gap-0 min-w-0'):
                    ui.label(album.title).classes('text-2xl font-medium').mark('album-title')
                    bits = [markup.plural(album.count, 'image'), f'@{album.owner}']
                    bits.append('public' if album.visibility == Visibility.public else 'private')
                    ui.label(' · '.join(bits)).classes('text-sm opacity-70')
                if self.owner:
                    ui.button('Share', icon='share', on_click=self.share).props(
                        'outline no-caps'
                    ).mark('album-share')
                    ui.button(icon='edit', on_click=self.edit).props(
                        'flat round aria-label="Edit the album"'
                    ).mark('album-edit')
                    ui.button(icon='delete', on_click=self.delete).props(
                        'flat round color=negative aria-label="Delete the album"'
                    ).mark('album-delete')
            if album.description:
                ui.label(album.description).classes('sb-description')
            if not album.items:
                ui.label(
                    'No images yet: add them from an image page or the gallery selection.'
                    if self.owner
                    else 'No images you can see.'
                ).classes('opacity-70').mark('album-empty')
                return
            if self.owner:
                ui.label('Drag a picture onto another to move it there.').classes(
                    'text-sm opacity-70'
                )
            html = ''.join(tile(i, self.owner) for i in album.items)
            grid = ui.html(f'<div class="sb-tiles sb-album-tiles">{html}</div>', sanitize=False)
            grid.classes('w-full').mark('album-grid')
            if self.owner:
                grid.on('click', self.on_tool, js_handler=CLICK_JS)
                grid.on('dragstart', lambda: None, js_handler=DRAG_START_JS)
                grid.on('dragover', lambda: None, js_handler=DRAG_OVER_JS)
                grid.on('drop', self.on_drop, js_handler=DROP_JS)

    def _actor(self) -> Actor | None:
        user = acting_user(self.services, self.session)
        return Actor.of(user) if user is not None else None

    async def reload(self) -> None:
        actor = self._actor()
        if actor is None:
            return
        album = await run.io_bound(load_album, self.services, actor, self.album.id)
        if album is not None:
            self.album = album
            self.render()

    async def _update(self, changes: AlbumUpdate, done: str) -> None:
        actor = self._actor()
        if actor is None:
            return
        try:
            await run.io_bound(self.services.albums.update, actor, self.album.id, changes)
        except ShoeboxError as exc:
            ui.notify(exc.message, type='negative')
        else:
            ui.notify(done, type='positive')
        await self.reload()

    async def on_drop(self, e) -> None:  # type: ignore[no-untyped-def]
        ids = [i.id for i in self.album.items]
        moving, target = e.args.get('from'), e.args.get('to')
        if moving not in ids or target not in ids:
            return
        ids.remove(moving)
        ids.insert(ids.index(target) + (1 if self._after(moving, target) else 0), moving)
        await self._update(AlbumUpdate(order=ids), 'Moved')

    def _after(self, moving: str, target: str) -> bool:
        order = [i.id for i in self.album.items]
        return order.index(moving) < order.index(target)

    async def on_tool(self, e) -> None:  # type: ignore[no-untyped-def]
        act, image_id = e.args.get('act'), e.args.get('id')
        if act == 'cover':
            await self._update(AlbumUpdate(cover_image_id=image_id), 'Cover set')
        elif act == 'remove':
            actor = self._actor()
            if actor is None:
                return
            try:
                await run.io_bound(
                    self.services.albums.remove_image, actor, self.album.id, image_id
                )
            except ShoeboxError as exc:
                ui.notify(exc.message, type='negative')
            else:
                ui.notify('Taken out of the album (the image stays)', type='positive')
            await self.reload()

    async def share(self) -> None:
        await share_dialog(self.services, self.session, album_id=self.album.id, what='this album')

    async def edit(self) -> None:
        album = self.album
        with ui.dialog() as dialog, ui.card().classes('w-full max-w-md gap-3'):
            ui.label('Edit album').classes('text-lg font-medium')
            title = ui.input('Title', value=album.title).props('outlined maxlength=200')
            title.classes('w-full').mark('album-edit-title')
            description = ui.textarea('Description', value=album.description)
            description.props('outlined autogrow').classes('w-full')
            public = ui.switch('Public', value=album.visibility == Visibility.public)
            with ui.row().classes('w-full justify-end gap-2'):
                ui.button('Cancel', on_click=lambda: dialog.submit(False)).props('flat no-caps')
                ui.button('Save', on_click=lambda: dialog.submit(True)).props(
                    'unelevated no-caps'
                ).mark('album-save')
        ok = await dialog
        dialog.delete()
        if ok is True:
            vis = Visibility.public if public.value else Visibility.private
            changes = AlbumUpdate(
                title=title.value or '', description=description.value or '', visibility=vis
            )
            await self._update(changes, 'Saved')

    async def delete(self) -> None:
        if not await confirm(
            'Delete this album?', 'Its images stay where they are; its share links stop.',
            'Delete album', danger=True,
        ):  # fmt: skip
            return
        actor = self._actor()
        if actor is None:
            return
        try:
            await run.io_bound(self.services.albums.delete, actor, self.album.id)
        except ShoeboxError as exc:
            ui.notify(exc.message, type='negative')
            return
        ui.navigate.to('/albums')


def create(services: Services) -> None:
    @ui.page('/albums/{album_id}')
    async def album_page(request: Request, album_id: str) -> None:
        viewer = current_user(services)
        try:
            album = await run.io_bound(load_album, services, Actor.of(viewer), album_id)
        except NotFound:
            album = None
        with frame(
            services, viewer, title=album.title if album else 'Not found',
            next_path=here(request),
        ):  # fmt: skip
            if album is None:
                with ui.column().classes('w-full items-center gap-3 py-20').mark('not-found'):
                    ui.icon('photo_album', size='64px').classes('opacity-50')
                    ui.label('Album not found').classes('text-2xl font-medium')
                return
            AlbumView(services, viewer, album)
