"""Comments under images: as visible as the image; plain text; the author or the image's owner
deletes one."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.deps import AccountDep, CallerDep, ServicesDep, actor_of
from api.errors import CROSS_ORIGIN, ShoeboxRoute, responses
from api.schemas_sharing import CommentIn, CommentListOut, CommentOut

router = APIRouter(route_class=ShoeboxRoute, tags=['comments'])

IMAGE_404 = "Image not found (also: someone else's private image)"


@router.get(
    '/images/{image_id}/comments',
    summary="An image's comments, oldest first",
    responses=responses(401, 404, r404=IMAGE_404),
)
def list_comments(image_id: str, caller: CallerDep, services: ServicesDep) -> CommentListOut:
    items = services.comments.list(caller.actor, image_id)
    return CommentListOut(
        items=[CommentOut.of(c) for c in items],
        comments_enabled=services.comments.enabled(caller.actor, image_id),
    )


@router.post(
    '/images/{image_id}/comments',
    status_code=201,
    summary='Comment on an image you can see',
    responses=responses(
        400,
        401,
        403,
        404,
        422,
        429,
        r403='Comments are off for this image, or ' + CROSS_ORIGIN,
        r404=IMAGE_404,
        r422='Empty, or longer than 2,000 characters',
        r429='More than 10 comments a minute',
    ),
)
def add_comment(
    image_id: str, body: CommentIn, user: AccountDep, services: ServicesDep
) -> CommentOut:
    return CommentOut.of(services.comments.add(actor_of(user), image_id, body.text))


@router.delete(
    '/comments/{comment_id}',
    status_code=204,
    summary='Delete a comment (its author, or the owner of the image)',
    responses=responses(
        401, 403, 404, 422, r403=CROSS_ORIGIN, r404='No such comment you may delete'
    ),
)
def delete_comment(comment_id: int, user: AccountDep, services: ServicesDep) -> Response:
    services.comments.delete(actor_of(user), comment_id)
    return Response(status_code=204)
