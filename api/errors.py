"""Error responses of the API: one `{"detail": "..."}` shape for every failure.

Handled per route (ShoeboxRoute) rather than app-wide, so the NiceGUI pages served by the same
app keep their own error pages.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from api.schemas import DuplicateOut, ErrorOut
from api.schemas_admin import QuotaOut
from repo.core.errors import (
    CheckoutRefused,
    DiskFull,
    DuplicateImage,
    NotEnoughStock,
    QuotaExceeded,
    ShoeboxError,
    Throttled,
    is_disk_full,
)

WWW_AUTHENTICATE = 'WWW-Authenticate'

CROSS_ORIGIN = 'a browser-session request from another site (its Origin is not this app)'
_PLACES = {'query': 'Query parameter', 'path': 'Path parameter', 'header': 'Header'}


def error_response(exc: ShoeboxError) -> JSONResponse:
    body: dict[str, Any] = {'detail': exc.message}
    headers: dict[str, str] = {}
    if isinstance(exc, DuplicateImage):
        body['existing_id'] = exc.existing_id
    if isinstance(exc, Throttled):
        headers['Retry-After'] = str(exc.retry_after)
    if isinstance(exc, QuotaExceeded):
        body.update(
            quota_bytes=exc.quota_bytes,
            used_bytes=exc.used_bytes,
            quota_images=exc.quota_images,
            used_images=exc.used_images,
        )
    if isinstance(exc, NotEnoughStock):
        body['available'] = exc.available
    if isinstance(exc, CheckoutRefused):
        body['lines'] = [{'image_id': i, 'requested': r, 'available': a} for i, r, a in exc.lines]
    if exc.status == 401:
        headers[WWW_AUTHENTICATE] = getattr(exc, 'challenge', 'Bearer')
    return JSONResponse(body, status_code=exc.status, headers=headers)


def describe_validation(errors: Sequence[Any]) -> str:
    """Pydantic's error list as one readable sentence per problem, naming the field."""
    parts = []
    for error in errors:
        loc = [str(p) for p in error.get('loc', ())]
        place, names = (loc[0], loc[1:]) if loc else ('body', [])
        kind = error.get('type', '')
        message = str(error.get('msg', 'is not valid'))
        if kind == 'json_invalid':
            parts.append('The request body is not valid JSON')
            continue
        if place == 'body' and not names:
            parts.append(f'The request body: {message[:1].lower()}{message[1:]}')
            continue
        field = '.'.join(names) or place
        where = _PLACES.get(place, 'Field')
        if kind == 'missing':
            parts.append(f'{where} "{field}" is required')
        else:
            parts.append(f'{where} "{field}": {message[:1].lower()}{message[1:]}')
    return '; '.join(parts) or 'The request is not valid'


class ShoeboxRoute(APIRoute):
    """An APIRoute that answers ShoeboxError and validation errors in the API's own shape."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except ShoeboxError as exc:
                return error_response(exc)
            except RequestValidationError as exc:
                return JSONResponse({'detail': describe_validation(exc.errors())}, status_code=422)
            except Exception as exc:
                if is_disk_full(exc):  # e.g. the database's file could not grow
                    return error_response(DiskFull())
                raise

        return handle


def responses(
    *statuses: int, duplicate: bool = False, **described: str
) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` for error statuses in the `{"detail"}` shape.

    `duplicate=True` documents 409 with `existing_id`; a description can be overridden by
    keyword, e.g. `responses(404, r404='No such token')`.
    """
    defaults = {
        400: 'The request body could not be read (e.g. not UTF-8)',
        401: 'Not signed in, or the token is invalid or revoked',
        403: 'Not allowed',
        404: 'Not found',
        409: 'Conflict',
        413: 'Too large',
        415: 'Unsupported media type',
        422: 'Invalid input; the detail names the field or the rule',
        429: 'Too many attempts; wait for the seconds in Retry-After',
        507: (
            "The server's disk is full, or the upload would pass your quota (then with the "
            'quota fields); nothing of it was kept'
        ),
    }
    return {
        status: {
            'model': QuotaOut
            if status == 507
            else (DuplicateOut if status == 409 and duplicate else ErrorOut),
            'description': described.get(f'r{status}', defaults.get(status, 'Error')),
        }
        for status in statuses
    }
