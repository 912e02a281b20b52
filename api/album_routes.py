"""Albums: yours and public ones; an album never shows an image you could not see anyway."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.deps import AccountDep, CallerDep, ServicesDep, actor_of
from api.errors import CROSS_ORIGIN, ShoeboxRoute, responses
from api.schemas_sharing import (
    AlbumDetailOut,
    AlbumImagesIn,
    AlbumIn,
    AlbumListOut,
    AlbumOut,
    AlbumPatch,
)
from repo.core.schemas_sharing import AlbumCreate, AlbumUpdate

router = APIRouter(route_class=ShoeboxRoute, tags=['albums'])

ALBUM_404 = "Album not found (also: someone else's private album)"
WRITE = responses(
    400, 401, 403, 404, 422, r403='Not your album, the token may not share, or ' + CROSS_ORIGIN,
    r404=ALBUM_404 + '; or an image that is not yours',
)  # fmt: skip


@router.post(
    '/albums', status_code=201, summary='Make an album', responses=responses(400, 401, 403, 422)
)
def create_album(body: AlbumIn, user: AccountDep, services: ServicesDep) -> AlbumOut:
    wanted = AlbumCreate.model_validate(body.model_dump())
    return AlbumOut.of(services.albums.create(actor_of(user), wanted))


@router.get(
    '/albums',
    summary='Your albums and public ones',
    description='Newest first, each with the number of its images you may see and a cover.',
    responses=responses(401, 422),
)
def list_albums(
    caller: CallerDep,
    services: ServicesDep,
    owner: Annotated[str, Query(max_length=100, description='Only those of this user')] = '',
) -> AlbumListOut:
    albums = services.albums.list(caller.actor, owner.strip() or None)
    return AlbumListOut(items=[AlbumOut.of(a) for a in albums])


@router.get(
    '/albums/{album_id}',
    summary='An album with its images, paged',
    description='In the album order; only the images you may see.',
    responses=responses(401, 404, 422, r404=ALBUM_404),
)
def get_album(
    album_id: str,
    caller: CallerDep,
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
) -> AlbumDetailOut:
    album = services.albums.get(caller.actor, album_id, limit=limit, offset=offset)
    return AlbumDetailOut.of_detail(album)


@router.patch(
    '/albums/{album_id}',
    summary="Change an album's title, description, visibility, cover or order",
    responses=WRITE,
)
def update_album(
    album_id: str, body: AlbumPatch, user: AccountDep, services: ServicesDep
) -> AlbumOut:
    changes = AlbumUpdate.model_validate(body.model_dump())
    return AlbumOut.of(services.albums.update(actor_of(user), album_id, changes))


@router.delete(
    '/albums/{album_id}', status_code=204, summary='Delete an album (its images stay)',
    responses=WRITE,
)  # fmt: skip
def delete_album(album_id: str, user: AccountDep, services: ServicesDep) -> Response:
    services.albums.delete(actor_of(user), album_id)
    return Response(status_code=204)


@router.post(
    '/albums/{album_id}/images',
    summary='Add your images to an album (they go first)',
    responses=WRITE,
)
def add_album_images(
    album_id: str, body: AlbumImagesIn, user: AccountDep, services: ServicesDep
) -> AlbumOut:
    return AlbumOut.of(services.albums.add_images(actor_of(user), album_id, body.image_ids))


@router.delete(
    '/albums/{album_id}/images/{image_id}',
    status_code=204,
    summary='Take an image out of an album (the image stays)',
    responses=WRITE,
)
def remove_album_image(
    album_id: str, image_id: str, user: AccountDep, services: ServicesDep
) -> Response:
    services.albums.remove_image(actor_of(user), album_id, image_id)
    return Response(status_code=204)
