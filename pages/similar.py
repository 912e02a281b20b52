"""Images ranked by look: the tiles with a friendly closeness label, and "More like this".

Shared by the image page and the search-by-image page. The Services decides what the viewer may
see (public images and their own, never someone else's private ones).
"""

from __future__ import annotations

from nicegui import run, ui

from pages import markup
from repo.container import Services
from repo.core.actor import Actor
from repo.core.errors import ShoeboxError
from repo.core.schemas import ImagePublic, SimilarImage, UserPublic
from repo.services.finding import NEAR_DUPLICATE_DISTANCE

MORE_LIKE_THIS = 12

# The services only return images within repo.similarity.SIMILAR_DISTANCE (20): copies and
# edits of the picture (resized, recompressed, cropped, brightened, captioned, greyscale,
# turned or mirrored). Within the near-duplicate threshold (16) they are the same picture;
# beyond it, a stronger edit or a picture that looks very much like it.
LABELS = {
    'same': ('Same picture', 'sb-look-same'),
    'alike': ('Very similar', 'sb-look-alike'),
}


def closeness(distance: float) -> str:
    """'same' within the near-duplicate threshold, else 'alike'."""
    return 'same' if distance <= NEAR_DUPLICATE_DISTANCE else 'alike'


def look_label(distance: float) -> str:
    return LABELS[closeness(distance)][0]


def similar_tile(item: SimilarImage) -> str:
    """One result tile: a link with a lazy thumbnail, the title and the closeness label."""
    image: ImagePublic = item.image
    html = markup.tile(image, f'/images/{image.id}', 0, [], selectable=False)
    if not html:
        return ''
    label, css = LABELS[closeness(item.distance)]
    badge = (
        f'<span class="sb-look {css}" title="Distance {item.distance:g} (0 = identical)">'
        f'{markup.text(label)}</span>'
    )
    # The label goes inside the tile, after the link (it is not part of the link's name).
    return html[: -len('</div>')] + badge + '</div>'


def similar_tiles(items: list[SimilarImage]) -> ui.html:
    """All results as one HTML block (every user string escaped by markup.tile)."""
    tiles = ''.join(similar_tile(item) for item in items)
    return ui.html(f'<div class="sb-tiles">{tiles}</div>', sanitize=False).classes('w-full')


async def more_like_this(services: Services, viewer: UserPublic | None, image: ImagePublic) -> None:
    """A section of the images the viewer may see that look like this one, closest first, or a
    line saying there are none."""
    try:
        page = await run.io_bound(
            services.finding.similar, Actor.of(viewer), image.id, MORE_LIKE_THIS
        )
    except ShoeboxError:
        return  # deleted or hidden meanwhile: the page itself already says what it can
    if page is None:
        return  # shutting down
    with ui.column().classes('w-full gap-2 mt-4').mark('more-like-this'):
        with ui.row().classes('w-full items-baseline gap-2'):
            ui.label('More like this').classes('text-lg font-medium')
            if page.items:
                ui.label('closest first').classes('text-sm opacity-70')
        if page.items:
            similar_tiles(page.items).mark('similar-tiles')
        else:
            ui.label(
                'No other image you can see looks like this one: no copies, edits, crops or '
                'turned versions of it.'
            ).classes('opacity-70').mark('no-similar')
