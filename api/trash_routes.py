"""The trash: what you deleted, until it is restored, emptied or purged after `trash_days`."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from api.deps import AccountDep, ServicesDep, actor_of
from api.errors import CROSS_ORIGIN, ShoeboxRoute, responses
from api.files import file_response
from api.image_routes import IMAGE_BYTES, INLINE_RENDITION_BYTES
from api.schemas import ImageOut
from api.schemas_sharing import (
    CountOut,
    RestoredOut,
    TrashedOut,
    TrashEmptyIn,
    TrashIdsIn,
    TrashOut,
)
from repo.core.errors import Invalid

router = APIRouter(route_class=ShoeboxRoute, tags=['trash'])

IDS_404 = 'An id that is not an image in your trash: nothing was done'
WRITE = responses(
    400, 401, 403, 404, 409, 422, r403='The token may not delete images, or ' + CROSS_ORIGIN,
    r404=IDS_404, r409='You have uploaded these bytes again meanwhile',
)  # fmt: skip


@router.get(
    '/trash',
    summary='Your deleted images',
    description='Most recently deleted first, each with `deleted_at` and `purge_at`.',
    responses=responses(401),
)
def list_trash(user: AccountDep, services: ServicesDep) -> TrashOut:
    items = services.trash.list(actor_of(user))
    return TrashOut(
        items=[TrashedOut.of_trashed(i) for i in items], trash_days=services.trash.days()
    )


@router.post(
    '/trash/restore',
    summary='Restore images: back as before (tags, albums, links, visibility, searchable)',
    responses=WRITE,
)
def restore(body: TrashIdsIn, user: AccountDep, services: ServicesDep) -> RestoredOut:
    images = services.trash.restore(actor_of(user), body.image_ids)
    return RestoredOut(items=[ImageOut.of(i) for i in images])


@router.delete(
    '/trash',
    summary='Delete images in the trash for good (`image_ids`, or `all: true`)',
    description='The bytes go when no other image uses them.',
    responses=WRITE,
)
def empty(body: TrashEmptyIn, user: AccountDep, services: ServicesDep) -> CountOut:
    if not body.all and not body.image_ids:
        raise Invalid('Give "image_ids", or "all": true')
    count = services.trash.empty(actor_of(user), body.image_ids, everything=body.all)
    return CountOut(count=count)


@router.get(
    '/trash/{image_id}/thumbnail',
    summary='The thumbnail of an image in your trash',
    response_class=Response,
    responses={**IMAGE_BYTES, **responses(401, 404, r404='Not an image in your trash')},
)
def trash_thumbnail(
    image_id: str, request: Request, user: AccountDep, services: ServicesDep
) -> Response:
    blob = services.trash.open_thumbnail(actor_of(user), image_id)
    return file_response(request, blob, inline_max=INLINE_RENDITION_BYTES)
