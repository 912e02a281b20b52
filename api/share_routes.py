"""Share links: the owner's routes (/shares) and the visitor's (/s/{key}, no account needed).

A visitor proves a link's password by `POST /s/{key}/unlock` (a cookie for that link, HttpOnly,
SameSite=Lax) or by sending it in `X-Share-Password` on each request. Unknown, expired and
revoked links are the same 404; an image the link does not show is the 404 of a missing image.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Request, Response
from pydantic import BaseModel

from api.deps import AccountDep, ServicesDep, actor_of
from api.errors import CROSS_ORIGIN, ShoeboxRoute, responses
from api.files import file_response
from api.image_routes import IMAGE_BYTES, INLINE_RENDITION_BYTES, RENDITION_KINDS
from api.schemas_sharing import (
    SharedOut,
    ShareIn,
    ShareOut,
    SharePatch,
    UnlockIn,
    UnlockOut,
)
from repo.container import Services
from repo.core.schemas_sharing import ShareCreate, ShareUpdate
from repo.services.sharing import cookie_name

router = APIRouter(route_class=ShoeboxRoute, tags=['shares'])

COOKIE_MAX_AGE = 30 * 24 * 3600
PASSWORD_HEADER = 'X-Share-Password'
LINK_404 = 'Unknown, expired or revoked link (the same answer for all three)'
VISITOR = responses(
    400, 401, 404, 422, 429, r401='This link needs a password (or it was wrong)', r404=LINK_404,
    r429='More than 10 wrong passwords for this link in 10 minutes: wait Retry-After seconds',
)  # fmt: skip
PasswordHeader = Annotated[
    str | None,
    Header(alias=PASSWORD_HEADER, description="The link's password, instead of the unlock cookie"),
]


class ShareListOut(BaseModel):
    items: list[ShareOut]


def base_url(request: Request, services: Services) -> str:
    public = [u.strip() for u in services.settings.public_url.split(',') if u.strip()]
    return public[0] if public else str(request.base_url)


# ---- the owner's links ------------------------------------------------------------------------


@router.post(
    '/shares',
    status_code=201,
    summary='Make a share link for some of your images or one of your albums',
    responses=responses(
        400,
        401,
        403,
        404,
        422,
        r403='The token may not share (`shares:write`), or ' + CROSS_ORIGIN,
        r404='An image or album that is not yours (or does not exist)',
    ),
)
def create_share(
    body: ShareIn, request: Request, user: AccountDep, services: ServicesDep
) -> ShareOut:
    wanted = ShareCreate.model_validate(body.model_dump())
    share = services.sharing.create(actor_of(user), wanted)
    return ShareOut.of(share, base_url(request, services))


@router.get('/shares', summary='Your share links, newest first', responses=responses(401))
def list_shares(request: Request, user: AccountDep, services: ServicesDep) -> ShareListOut:
    base = base_url(request, services)
    return ShareListOut(items=[ShareOut.of(s, base) for s in services.sharing.list(actor_of(user))])


@router.patch(
    '/shares/{share_id}',
    summary="Change a link's expiry, password, flags or label",
    responses=responses(400, 401, 403, 404, 422, r404='No such link of yours'),
)
def update_share(
    share_id: str, body: SharePatch, request: Request, user: AccountDep, services: ServicesDep
) -> ShareOut:
    given = body.model_fields_set
    changes = ShareUpdate(
        expires_in=body.expires_in, clear_expiry='expires_in' in given and body.expires_in is None,
        password=body.password, clear_password='password' in given and body.password is None,
        allow_download=body.allow_download, show_metadata=body.show_metadata, label=body.label,
    )  # fmt: skip
    share = services.sharing.update(actor_of(user), share_id, changes)
    return ShareOut.of(share, base_url(request, services))


@router.delete(
    '/shares/{share_id}',
    status_code=204,
    summary='Revoke a link: it stops working on the next request',
    responses=responses(401, 403, 404, r404='No such link of yours'),
)
def revoke_share(share_id: str, user: AccountDep, services: ServicesDep) -> Response:
    services.sharing.revoke(actor_of(user), share_id)
    return Response(status_code=204)


# ---- the visitor's side -----------------------------------------------------------------------


@router.get('/s/{key}', summary='What a share link shows (no account needed)', responses=VISITOR)
def open_share(
    key: str, request: Request, services: ServicesDep, password: PasswordHeader = None
) -> SharedOut:
    view = services.sharing.open(
        key, password=password, grant=request.cookies.get(cookie_name(key))
    )
    return SharedOut.of(view)


@router.post(
    '/s/{key}/unlock',
    summary="Give a link's password: a cookie for that link lets the browser in",
    response_model=UnlockOut,
    responses=VISITOR,
)
def unlock_share(key: str, body: UnlockIn, request: Request, services: ServicesDep) -> Response:
    _, grant = services.sharing.unlock(key, body.password)
    response = Response(
        UnlockOut().model_dump_json(), media_type='application/json', status_code=200
    )
    response.set_cookie(
        cookie_name(key), grant, max_age=COOKIE_MAX_AGE, httponly=True, samesite='lax',
        secure=request.url.scheme == 'https', path='/',
    )  # fmt: skip
    return response


@router.get(
    '/s/{key}/images/{image_id}/{kind}',
    summary="An image's bytes through a link",
    description=(
        '`thumbnail` and `preview` (WebP, no EXIF) for every image the link shows; `original` '
        'only when the link allows downloads (else 404).'
    ),
    response_class=Response,
    responses={**IMAGE_BYTES, **VISITOR},
)
def shared_file(
    key: str,
    image_id: str,
    kind: Literal['thumbnail', 'preview', 'original'],
    request: Request,
    services: ServicesDep,
    password: PasswordHeader = None,
) -> Response:
    blob = services.sharing.open_file(
        key, image_id, RENDITION_KINDS.get(kind, kind), password=password,
        grant=request.cookies.get(cookie_name(key)),
    )  # fmt: skip
    blob = dataclasses.replace(blob, private=True)  # revalidated each time: revoking works
    original = kind == 'original'
    return file_response(
        request, blob, attachment=original, inline_max=0 if original else INLINE_RENDITION_BYTES
    )
