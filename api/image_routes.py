"""Images: upload, list and search, read, the bytes (renditions, original), edit, delete.

Every route that takes an id answers a missing, malformed or someone else's private image with
the same 404 `{"detail": "Image not found"}`: the Library raises ImageNotFound for all three.
"""

from __future__ import annotations

from typing import Annotated, Literal

from anyio import to_thread
from fastapi import APIRouter, Query, Request, Response

from api import schema_rules as rules
from api.browser_uploads import browser_upload
from api.deps import AccountDep, CallerDep, ServicesDep, actor_of, caller_of, context
from api.errors import CROSS_ORIGIN, ShoeboxRoute, error_response, responses
from api.files import file_response
from api.head_routes import answer_head_too
from api.multipart import read_upload, run_image_job
from api.offload import offload
from api.schemas import (
    ImageListOut,
    ImageOut,
    ImagePatch,
    TimelineOut,
    VisibilityName,
    YearOut,
)
from repo.core import policy
from repo.core.errors import Invalid, ShoeboxError
from repo.core.money import MAX_PRICE_CENTS
from repo.core.page_cursor import MAX_CURSOR
from repo.core.palette import PALETTE
from repo.core.schemas import ImageUpdate
from repo.core.timeline import FIRST_YEAR, LAST_YEAR, SORT_HELP, SORTS
from repo.core.validation import parse_tag_list

router = APIRouter(route_class=ShoeboxRoute, tags=['images'])
SortName = Literal['newest', 'oldest', 'relevance', 'uploaded_newest', 'uploaded_oldest']

MAX_QUERY = 256  # search_index.query.MAX_QUERY_CHARS: the index refuses longer search text
MAX_PRICE = MAX_PRICE_CENTS  # minor units: no listing costs more
MAX_OFFSET = 1_000_000_000  # beyond any library; the database's integers end not much later
# Renditions up to this size are sent from memory (a thumbnail is ~20 KB, a preview ~200 KB).
INLINE_RENDITION_BYTES = 2 * 1024 * 1024

NOT_FOUND = responses(404, r404="Image not found (also: someone else's private image)")
COLOR_HELP = 'Images with a dominant colour close to this one: ' + ', '.join(PALETTE)
IMAGE_BYTES = {
    200: {'content': {'image/webp': {}}, 'description': 'The bytes, with an ETag'},
    304: {'description': 'Not modified (If-None-Match matched the ETag)'},
}
UPLOAD_BODY = {
    'requestBody': {
        'required': True,
        'content': {
            'multipart/form-data': {
                'schema': {
                    'type': 'object',
                    'required': ['file'],
                    'properties': {
                        'file': rules.IMAGE_FILE,
                        'title': {
                            'type': 'string',
                            'description': 'Default (or empty): from the file name. At most 200 '
                            'characters, not only invisible ones (else 422)',
                        },
                        'description': {
                            'type': 'string',
                            'description': 'At most 5000 characters (else 422)',
                        },
                        'tags': {
                            'type': 'string',
                            'description': 'Comma-separated: a,b. At most 50 characters each '
                            'and 30 in all (else 422)',
                        },
                        'visibility': rules.FORM_VISIBILITY,
                    },
                },
                'encoding': {'file': {'contentType': rules.IMAGE_TYPES}},
            }
        },
    }
}


@router.post(
    '/images',
    status_code=201,
    summary='Upload one image',
    description=(
        'Multipart form with the image in `file`. The body is streamed and refused with 413 as '
        'soon as it crosses the size limit. JPEG, PNG, WebP, GIF, AVIF and HEIC are accepted.'
    ),
    openapi_extra=UPLOAD_BODY,
    responses=responses(
        401,
        403,
        409,
        413,
        415,
        422,
        507,
        duplicate=True,
        r403=CROSS_ORIGIN + '; or the token may not upload (its scopes lack `images:write`)',
        r409='You already have this image: `existing_id` names it',
        r413='The file is larger than the limit',
        r415='Not a supported image type (e.g. SVG, PDF, TIFF, text), or not a multipart form',
        r422=(
            'Corrupt, truncated, too many pixels or a decompression bomb, or an invalid field; '
            'the detail says which'
        ),
    ),
)
async def upload_image(
    request: Request, caller: CallerDep, user: AccountDep, services: ServicesDep
) -> ImageOut:
    policy.require_upload(actor_of(user))  # before receiving the body
    labelled = browser_upload(request, caller)  # the web app's uploader: report the outcome
    try:
        form = await read_upload(
            request.headers.get('content-type'), request.stream(), services.ingest.stage
        )
        fields = form.fields
        image = await run_image_job(
            form,
            lambda: services.ingest.add(
                actor_of(user),
                form.file,  # type: ignore[arg-type]  # the StagedFile made by ingest.stage()
                form.filename,
                title=fields.get('title') or None,
                description=fields.get('description', ''),
                tags=parse_tag_list(fields.get('tags')),
                visibility=fields.get('visibility') or 'private',
            ),
        )
    except ShoeboxError as exc:
        if labelled is not None:
            await labelled.done(None, exc)
        raise
    if labelled is not None:
        await labelled.done(image, None)
    return ImageOut.of(image)


@router.get(
    '/images',
    summary='List or search the images you may see',
    description=(
        'Without `q`: newest first by default. With `q`: full-text search over title, '
        'description and tags, by relevance by default. Anonymous callers see public images '
        'only.\n\n`sort`: '
        + '; '.join(f'`{k}`: {v}' for k, v in SORT_HELP.items())
        + '. `newest` and `oldest` walk the timeline (date taken, falling back to the upload '
        'time, as `sort_at`); before the timeline existed they meant the upload order, which '
        'is now `uploaded_newest` and `uploaded_oldest`.'
    ),
    responses=responses(401, 422),
)
def list_images(
    caller: CallerDep,
    services: ServicesDep,
    q: Annotated[str, Query(max_length=MAX_QUERY, description='Search text')] = '',
    tags: Annotated[str, Query(description='Comma-separated; images with all of them')] = '',
    owner: Annotated[str, Query(description='Username')] = '',
    visibility: VisibilityName | None = None,
    color: Annotated[
        str,
        Query(
            max_length=20,
            description=COLOR_HELP,
            json_schema_extra={'pattern': rules.COLOR['pattern']},
        ),
    ] = '',
    for_sale: Annotated[
        bool | None, Query(description='true: only what can be bought; false: only what not')
    ] = None,
    min_price: Annotated[
        int | None,
        Query(ge=0, le=MAX_PRICE, description='On sale at this price or more (minor units)'),
    ] = None,
    max_price: Annotated[
        int | None,
        Query(ge=0, le=MAX_PRICE, description='On sale at this price or less (minor units)'),
    ] = None,
    sort: SortName | None = None,
    year: Annotated[
        int | None,
        Query(
            ge=FIRST_YEAR,
            le=LAST_YEAR,
            description='Jump to a year of the timeline (without `q`; `sort` newest or oldest): '
            'newest first, the list starts with the photos of that year and goes on to older '
            'ones; oldest first, it starts with that year and goes on to newer ones',
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    cursor: Annotated[
        str | None,
        Query(
            max_length=MAX_CURSOR,
            description='The `next_cursor` of the previous page (without `q`, and instead of '
            '`offset`): the page right after its last image, in the same `sort`',
        ),
    ] = None,
) -> ImageListOut:
    viewer = caller.actor
    filters = {
        'owner': owner.strip() or None,
        'visibility': visibility,
        'tags': parse_tag_list(tags),
        'color': color.strip() or None,
        'for_sale': for_sale,
        'min_price': min_price,
        'max_price': max_price,
        'limit': limit,
        'offset': offset,
    }
    if q.strip():
        if cursor is not None:
            raise Invalid('cursor pages a list, not a search: use offset with q')
        page = services.finding.search(viewer, q, sort=sort or 'relevance', **filters)
    else:  # no query, no relevance: newest first
        order = sort if sort in SORTS else 'newest'
        page = services.images.list(viewer, sort=order, year=year, cursor=cursor, **filters)
    return ImageListOut.of(page)


@router.get(
    '/timeline',
    summary='The years of the timeline',
    description=(
        'The years that hold images you may see (by date taken, falling back to the upload '
        'time), with how many, for jumping to one with `GET /images?year=`. Takes the same '
        'filters as the list. Anonymous callers count public images only.'
    ),
    responses=responses(401, 422),
)
def timeline_years(
    caller: CallerDep,
    services: ServicesDep,
    tags: Annotated[str, Query(description='Comma-separated; images with all of them')] = '',
    owner: Annotated[str, Query(description='Username')] = '',
    visibility: VisibilityName | None = None,
    color: Annotated[
        str,
        Query(
            max_length=20,
            description=COLOR_HELP,
            json_schema_extra={'pattern': rules.COLOR['pattern']},
        ),
    ] = '',
) -> TimelineOut:
    years = services.images.years(
        caller.actor,
        owner=owner.strip() or None,
        visibility=visibility,
        tags=parse_tag_list(tags),
        color=color.strip() or None,
    )
    return TimelineOut(years=[YearOut(year=y.year, count=y.count) for y in years])


@router.get('/images/{image_id}', summary='One image', responses=NOT_FOUND)
def get_image(image_id: str, caller: CallerDep, services: ServicesDep) -> ImageOut:
    return ImageOut.of(services.images.get(caller.actor, image_id))


RENDITION_KINDS = {'thumbnail': 'thumb', 'preview': 'preview'}  # URL segment -> file kind


def _rendition_route(kind: str, path: str, summary: str) -> None:
    @router.get(
        f'/images/{{image_id}}/{path}',
        summary=summary,
        response_class=Response,
        responses={**IMAGE_BYTES, **NOT_FOUND},
        name=f'image_{path}',
    )
    async def rendition(image_id: str, request: Request) -> Response:
        # On a served app, api/fast_path.py's RenditionShortcut answers these before routing;
        # this route documents them and serves apps built without that stack.
        return await serve_rendition(request, image_id, kind)


async def serve_rendition(request: Request, image_id: str, kind: str) -> Response:
    """A rendition for whoever is asking: the caller, the access check (on every request) and
    the bytes, all in one trip to a worker thread. Errors come back in the API's shape.

    Thumbnails take the quick `offload` threads; a preview may first have to be made (in the
    process pool, on first view), so it waits in anyio's bigger pool instead, never in front of
    the thumbnails of a gallery.
    """
    try:
        if kind == 'thumb':
            return await offload.run(_rendition_response, request, image_id, kind)
        return await to_thread.run_sync(_rendition_response, request, image_id, kind)
    except ShoeboxError as exc:
        return error_response(exc)


def _rendition_response(request: Request, image_id: str, kind: str) -> Response:
    caller = caller_of(request)
    blob = context(request).services.images.open_file(caller.actor, image_id, kind)
    return file_response(request, blob, inline_max=INLINE_RENDITION_BYTES)


_rendition_route(
    RENDITION_KINDS['thumbnail'],
    'thumbnail',
    'The thumbnail (WebP, within 400 px; wider than 2:1 pictures keep a short side of 200 px)',
)
_rendition_route(RENDITION_KINDS['preview'], 'preview', 'The preview (WebP, about 1600 px)')


@router.get(
    '/images/{image_id}/original',
    summary='The original file',
    description=(
        'As uploaded, with its detected content type and `Content-Disposition: attachment`. '
        'For the owner always; for others only where the owner allowed downloads (else 404).'
    ),
    response_class=Response,
    responses={
        200: {'content': {'image/*': {}}, 'description': 'The original bytes'},
        304: IMAGE_BYTES[304],
        **NOT_FOUND,
    },
)
def get_original(
    image_id: str, request: Request, caller: CallerDep, services: ServicesDep
) -> Response:
    blob = services.images.open_file(caller.actor, image_id, 'original')
    return file_response(request, blob, attachment=True)


@router.patch(
    '/images/{image_id}',
    summary='Change the text, visibility, downloads, location sharing, price or stock',
    description=(
        'Fields left out are not changed. `price_cents` (minor units) puts a public image on '
        'sale and `null` takes it off; `stock` null is unlimited. Making an image private '
        'takes it off sale and out of every cart.'
    ),
    responses=responses(
        400,
        401,
        403,
        404,
        413,
        422,
        r403='A public image that is not yours, or ' + CROSS_ORIGIN,
        r422='An invalid field, or a price on a private image (only public images are sold)',
    ),
)
def update_image(
    image_id: str, body: ImagePatch, user: AccountDep, services: ServicesDep
) -> ImageOut:
    # Only the fields given: a null price means "off sale", a missing one "unchanged".
    given = body.model_dump(exclude_unset=True, exclude={'comments_enabled'})
    updated = services.images.update(actor_of(user), image_id, ImageUpdate.model_validate(given))
    if body.comments_enabled is not None:
        services.comments.set_enabled(actor_of(user), image_id, body.comments_enabled)
    return ImageOut.of(updated)


@router.delete(
    '/images/{image_id}',
    status_code=204,
    summary='Delete an image: into your trash (or for good when the trash is off)',
    responses=responses(401, 403, 404, r403='A public image that is not yours, or ' + CROSS_ORIGIN),
)
def delete_image(image_id: str, user: AccountDep, services: ServicesDep) -> Response:
    services.images.delete(actor_of(user), image_id)
    return Response(status_code=204)


answer_head_too(router)
