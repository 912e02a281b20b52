"""The share page's password form (`POST /s/{key}/unlock`, a plain HTML form): the cookie for
the link, then back to the page. Works without JavaScript; a wrong password comes back as
`?wrong=1`, too many as `?wait=N`. The API's JSON form is `POST /api/v1/s/{key}/unlock`."""

from __future__ import annotations

from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from api.deps import get_services
from api.share_routes import COOKIE_MAX_AGE
from repo.core.errors import NotAuthenticated, NotFound, Throttled
from repo.services.sharing import cookie_name

router = APIRouter(include_in_schema=False)
MAX_FORM = 4096


@router.post('/s/{key}/unlock')
async def unlock_form(key: str, request: Request) -> RedirectResponse:
    services = await get_services(request)
    body = b''
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM:
            break
    fields = parse_qs(body[:MAX_FORM].decode('utf-8', 'replace'))
    password = (fields.get('password') or [''])[0]
    page = '/s/' + quote(key, safe='')
    try:
        _, grant = await run_in_threadpool(services.sharing.unlock, key, password)
    except Throttled as exc:
        return RedirectResponse(f'{page}?wait={exc.retry_after}', status_code=303)
    except NotAuthenticated:
        return RedirectResponse(f'{page}?wrong=1', status_code=303)
    except NotFound:
        return RedirectResponse(page, status_code=303)
    response = RedirectResponse(page, status_code=303)
    response.set_cookie(
        cookie_name(key), grant, max_age=COOKIE_MAX_AGE, httponly=True, samesite='lax',
        secure=request.url.scheme == 'https', path='/',
    )  # fmt: skip
    return response
