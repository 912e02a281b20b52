"""One image: the preview, arrows through the current results, facts, and the owner's controls."""

from __future__ import annotations

from fastapi import Request
from nicegui import run, ui

from pages import local_time, markup
from pages.colors import color_links
from pages.comments_view import CommentsView
from pages.gallery_query import GalleryQuery, fetch
from pages.image_owner import OwnerControls
from pages.layout import frame
from pages.session import current_user, here, session_id, sign_in_url
from pages.shop_widgets import SalePanel, buy_panel
from pages.similar import more_like_this
from pages.tag_widgets import tag_chips
from repo.container import Services
from repo.core.actor import Actor
from repo.core.errors import ImageNotFound
from repo.core.schemas import ImagePublic, UserPublic

Neighbour = tuple[str, int] | None


def find_neighbours(
    services: Services, viewer: UserPublic | None, query: GalleryQuery, image_id: str, index: int
) -> tuple[Neighbour, Neighbour]:
    """The previous and next image in the results the viewer came from (blocking)."""
    for before in (1, 10):
        start = max(index - before, 0)
        items = fetch(services, viewer, query, start, before * 2 + 1).items
        ids = [i.id for i in items]
        if image_id in ids:
            pos = ids.index(image_id)
            prev = (ids[pos - 1], start + pos - 1) if pos > 0 else None
            nxt = (ids[pos + 1], start + pos + 1) if pos + 1 < len(ids) else None
            return prev, nxt
    return None, None


def not_found(viewer: UserPublic | None, back: str) -> None:
    with ui.column().classes('w-full items-center text-center gap-3 py-20').mark('not-found'):
        ui.icon('image_not_supported', size='64px').classes('opacity-50')
        ui.label('Image not found').classes('text-2xl font-medium')
        ui.label('It may have been deleted, or it is not shared with you.').classes('opacity-70')
        with ui.row().classes('gap-2'):
            ui.button('Back to the gallery', on_click=lambda: ui.navigate.to(back)).props(
                'unelevated no-caps'
            )
            if viewer is None:
                ui.button('Sign in', on_click=lambda: ui.navigate.to(sign_in_url(back))).props(
                    'outline no-caps'
                )


def facts(image: ImagePublic, is_owner: bool) -> None:
    rows: list[tuple[str, str]] = [
        ('Dimensions', f'{image.width:,} \u00d7 {image.height:,} px'),
        ('Format', image.format),
        ('File size', markup.file_size(image.size_bytes)),
    ]
    if image.taken_at:
        rows.append(('Taken', local_time.when(image.taken_at)))
    if image.camera:
        rows.append(('Camera', image.camera))
    rows.extend(markup.camera_settings(image))
    rows.append(('Owner', f'@{image.owner}'))
    rows.append(('Uploaded', local_time.when(image.created_at)))
    if is_owner:
        rows.append(('File name', image.filename))
    body = ''.join(f'<tr><td>{markup.text(k)}</td><td>{markup.text(v)}</td></tr>' for k, v in rows)
    if is_owner and image.location is not None:  # where it was taken: the owner's to know
        lat, lon = image.location.latitude, image.location.longitude
        body += (
            '<tr class="sb-location"><td>Location</td><td>'
            f'<span>{markup.text(markup.place(lat, lon))}</span> · '
            f'<a href="{markup.text(markup.map_url(lat, lon))}" target="_blank" '
            'rel="noopener noreferrer">Map</a><div class="text-xs opacity-70">Only you see '
            'this.</div></td></tr>'
        )
    if image.colors:
        swatches = ''.join(
            f'<span class="sb-swatch" style="background:{markup.safe_color(c)}" '
            f'title="{markup.text(c)}"></span>'
            for c in image.colors[:6]
        )
        body += f'<tr><td>Palette</td><td><div class="flex gap-1">{swatches}</div></td></tr>'
    links = color_links(image.color_names)
    if links:
        body += f'<tr><td>Colours</td><td><div class="flex flex-wrap gap-1">{links}</div></td></tr>'
    ui.html(f'<table class="sb-facts">{body}</table>', sanitize=False).mark('facts')


def preview(image: ImagePublic, back: str, prev: Neighbour, nxt: Neighbour, query: GalleryQuery):  # type: ignore[no-untyped-def]
    def href(n: Neighbour) -> str:
        assert n is not None
        return query.url(f'/images/{n[0]}', i=n[1])

    with ui.column().classes('w-full gap-2 lg:w-2/3'):
        with ui.row().classes('w-full items-center gap-1'):
            ui.button('Results', icon='arrow_back', on_click=lambda: ui.navigate.to(back)).props(
                'flat no-caps dense'
            ).mark('back')
            ui.space()
            if prev or nxt:
                ui.button(icon='chevron_left', on_click=lambda: ui.navigate.to(href(prev))).props(
                    'flat round aria-label="Previous image (left arrow)"'
                ).mark('prev').set_enabled(prev is not None)
                ui.button(icon='chevron_right', on_click=lambda: ui.navigate.to(href(nxt))).props(
                    'flat round aria-label="Next image (right arrow)"'
                ).mark('next').set_enabled(nxt is not None)
        bg = markup.safe_color(image.colors[0] if image.colors else None, 'transparent')
        ui.html(
            f'<img class="sb-preview" src="{markup.image_url(image.id, "preview")}" '
            f'alt="{markup.text(image.title)}" width="{image.width}" height="{image.height}" '
            f'style="background:{bg}">',
            sanitize=False,
        ).classes('w-full').mark('preview')

    def on_key(e) -> None:  # type: ignore[no-untyped-def]
        if not e.action.keydown or e.action.repeat:
            return
        if e.key.arrow_left and prev:
            ui.navigate.to(href(prev))
        elif e.key.arrow_right and nxt:
            ui.navigate.to(href(nxt))

    ui.keyboard(on_key)


def details(services: Services, viewer: UserPublic | None, image: ImagePublic) -> None:
    is_owner = viewer is not None and viewer.id == image.owner_id
    with ui.card().classes('w-full lg:w-1/3 gap-3').props('flat bordered'):
        if is_owner:
            OwnerControls(services, image, session_id())
            ui.separator()
            SalePanel(services, image, session_id())
        else:
            ui.label(image.title).classes('text-2xl font-medium sb-title').mark('title')
            if image.description:
                ui.label(image.description).classes('sb-description').mark('description')
            if image.tags:
                tag_chips(image)
            if image.allow_download:
                download = ui.button('Download original', icon='download')
                download.props('download unelevated no-caps').mark('download')
                download.props['href'] = markup.image_url(image.id, 'original')
            buy_panel(services, viewer, image, session_id())
        ui.separator()
        facts(image, is_owner)


def create(services: Services) -> None:
    @ui.page('/images/{image_id}')
    async def image_page(
        request: Request,
        image_id: str,
        q: str = '',
        scope: str = '',
        tags: str = '',
        sort: str = '',
        color: str = '',
        year: str = '',
        i: int = -1,
    ) -> None:
        viewer = current_user(services)
        query = GalleryQuery.from_params(q, scope, tags, sort, color, year)
        back = query.url('/')
        try:
            image = await run.io_bound(services.images.get, Actor.of(viewer), image_id)
        except ImageNotFound:
            image = None
        with frame(
            services,
            viewer,
            title=image.title if image else 'Not found',
            search_text=query.text,
            next_path=here(request),
        ):
            if image is None:
                not_found(viewer, back)
                return
            prev: Neighbour = None
            nxt: Neighbour = None
            if i >= 0:
                found = await run.io_bound(find_neighbours, services, viewer, query, image.id, i)
                prev, nxt = found or (None, None)
            with ui.row().classes('w-full gap-4 items-start lg:flex-nowrap'):
                preview(image, back, prev, nxt, query)
                details(services, viewer, image)
            comments = CommentsView(services, viewer, image)
            await comments.refresh(force=True)
            await more_like_this(services, viewer, image)
