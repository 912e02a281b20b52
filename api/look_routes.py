"""Finding by look: search by image, similar images, near-duplicates, and tag counts.

Every answer holds only what the caller may see: public images and their own. /similar answers
a missing, malformed or someone else's private image with the same 404 as every other route
that takes an id.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from api import schema_rules as rules
from api.deps import AccountDep, CallerDep, ServicesDep, actor_of
from api.errors import CROSS_ORIGIN, ShoeboxRoute, responses
from api.head_routes import answer_head_too
from api.multipart import read_upload, run_image_job
from api.schemas import DuplicatesOut, SimilarListOut, TagCountOut
from repo.core.errors import Invalid

router = APIRouter(route_class=ShoeboxRoute, tags=['images'])

SEARCH_BY_IMAGE_PATH = '/images/search-by-image'
MAX_SIMILAR = 200
DEFAULT_SIMILAR = 20
SimilarLimit = Annotated[
    int, Query(ge=1, le=MAX_SIMILAR, description='How many results at most (1-200)')
]
QUERY_IMAGE_BODY = {
    'requestBody': {
        'required': True,
        'content': {
            'multipart/form-data': {
                'schema': {
                    'type': 'object',
                    'required': ['file'],
                    'properties': {
                        'file': rules.IMAGE_FILE,
                        'limit': {
                            'type': 'integer',
                            'minimum': 1,
                            'maximum': MAX_SIMILAR,
                            'default': DEFAULT_SIMILAR,
                            'description': 'How many results at most (or `?limit=`)',
                        },
                    },
                },
                'encoding': {'file': {'contentType': rules.IMAGE_TYPES}},
            }
        },
    }
}


@router.post(
    SEARCH_BY_IMAGE_PATH,
    summary='Find images that look like a picture',
    description=(
        'Multipart form with the picture in `file`; it is checked as an upload is (type, size, '
        'pixels) and not kept. The images you may see that look like it (copies and edits, also '
        'turned or mirrored; distance at most 20), closest first, or none. '
        'The body is streamed and refused with 413 as soon as it crosses the size limit. '
        'No account needed: anonymous callers search the public images.'
    ),
    openapi_extra=QUERY_IMAGE_BODY,
    responses=responses(
        401,
        403,
        413,
        415,
        422,
        507,
        r401='A token was sent but is invalid or revoked',
        r403=CROSS_ORIGIN,
        r413='The file is larger than the upload limit',
        r415='Not a supported image type (e.g. SVG, PDF, TIFF, text), or not a multipart form',
        r422='Corrupt, truncated, too many pixels or a decompression bomb, or an invalid field',
    ),
)
async def search_by_image(
    request: Request,
    caller: CallerDep,
    services: ServicesDep,
    limit: SimilarLimit = DEFAULT_SIMILAR,
) -> SimilarListOut:
    form = await read_upload(
        request.headers.get('content-type'),
        request.stream(),
        services.ingest.stage,
        text_fields=frozenset({'limit'}),
    )
    try:
        if 'limit' in form.fields:
            limit = _form_limit(form.fields['limit'])
    except Invalid:
        form.file.discard()  # type: ignore[union-attr]  # no job will take it
        raise
    page = await run_image_job(
        form,
        lambda: services.finding.search_by_image(
            caller.actor,
            form.file,  # type: ignore[arg-type]  # the StagedFile made by ingest.stage()
            limit=limit,
        ),
    )
    return SimilarListOut.of(page)


def _form_limit(value: str) -> int:
    try:
        limit = int(value.strip())
    except ValueError:
        limit = 0
    if not 1 <= limit <= MAX_SIMILAR:
        raise Invalid(f'Field "limit": must be a whole number from 1 to {MAX_SIMILAR}')
    return limit


@router.get(
    '/images/{image_id}/similar',
    summary='Images that look like this one',
    description=(
        'The images you may see that look like it (itself left out): copies and edits, also '
        'turned or mirrored, up to distance 20, closest first; an empty list when none does.'
    ),
    responses=responses(401, 404, 422, r404="Image not found (also: someone else's private image)"),
)
def similar_images(
    image_id: str,
    caller: CallerDep,
    services: ServicesDep,
    limit: SimilarLimit = DEFAULT_SIMILAR,
) -> SimilarListOut:
    return SimilarListOut.of(services.finding.similar(caller.actor, image_id, limit=limit))


@router.get(
    '/duplicates',
    summary='Your near-duplicates',
    description=(
        'Groups of your own images that look like the same picture (resized, recompressed, '
        'converted, brightened or slightly cropped copies), biggest groups first. In each group '
        'the best copy comes first: most pixels, then most bytes, then oldest.'
    ),
    responses=responses(401, r401='Not signed in, or the token is invalid or revoked'),
)
def duplicates(user: AccountDep, services: ServicesDep) -> DuplicatesOut:
    return DuplicatesOut.of(services.finding.duplicates(actor_of(user)))


@router.get(
    '/tags',
    summary='Tags with how many images carry them',
    description=(
        'Tags on the images you may see (public ones and your own), counting only those '
        'images; anonymous callers see the tags of public images.'
    ),
    responses=responses(401, 422, r401='A token was sent but is invalid or revoked'),
)
def list_tags(
    caller: CallerDep,
    services: ServicesDep,
    sort: Annotated[
        Literal['count', 'name'], Query(description='Most used first, or A to Z')
    ] = 'count',
    prefix: Annotated[
        str, Query(max_length=100, description='Only tags that start with this')
    ] = '',
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[TagCountOut]:
    found = services.finding.tags(caller.actor, sort=sort, prefix=prefix or None, limit=limit)
    return [TagCountOut.of(t) for t in found]


answer_head_too(router)
