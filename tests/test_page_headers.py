"""HTML pages carry a Content-Security-Policy with a fresh nonce, no framing, same-origin referrers.

The policy lets only the page's own scripts run: each <script> of the response carries the
nonce, anything injected does not. tests/test_browser_security.py checks in Chromium that every
page works under it and that no violation is reported.
"""

# ruff: noqa: F811  (pytest fixtures imported from tests.ui_fixtures are used as arguments)

from __future__ import annotations

import re

import httpx
from nicegui.testing import User
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route

from api.page_headers import PageHeaders, policy, with_page_headers
from repo.core.schemas import UserPublic
from tests.ui_fixtures import (  # noqa: F401  (fixtures)
    alice,
    library,
    make_account,
    shoebox_env,
    sign_in,
    user,
)

PAGE = '<html><head><script>one()</script><script src="/x.js"></script></head><body></body></html>'
NONCE = re.compile(r"script-src 'self' 'nonce-([A-Za-z0-9_-]+)' 'unsafe-eval'")


def app_with(**routes) -> Starlette:  # type: ignore[no-untyped-def]
    return Starlette(
        routes=[Route(f'/{name}', endpoint) for name, endpoint in routes.items()],
        middleware=[Middleware(PageHeaders)],
    )


async def get(app: Starlette, path: str, method: str = 'GET') -> httpx.Response:
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url='http://test') as client:
        return await client.request(method, path)


async def test_every_script_of_a_page_gets_this_responses_nonce() -> None:
    app = app_with(page=lambda request: HTMLResponse(PAGE))
    first, second = await get(app, '/page'), await get(app, '/page')
    nonces = []
    for r in (first, second):
        csp = r.headers['content-security-policy']
        nonce = NONCE.search(csp).group(1)  # type: ignore[union-attr]
        assert r.text.count(f'<script nonce="{nonce}"') == 2
        assert r.text.count('<script') == 2
        assert int(r.headers['content-length']) == len(r.content)
        assert "frame-ancestors 'none'" in csp
        assert "object-src 'none'" in csp
        assert "'unsafe-inline'" not in csp.split('script-src')[1].split(';')[0]
        assert r.headers['x-frame-options'] == 'DENY'
        assert r.headers['referrer-policy'] == 'same-origin'
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


async def test_other_responses_pass_untouched() -> None:
    app = app_with(data=lambda request: JSONResponse({'html': '<script>x</script>'}))
    r = await get(app, '/data')
    assert r.json() == {'html': '<script>x</script>'}
    assert 'content-security-policy' not in r.headers
    assert 'x-frame-options' not in r.headers


async def test_a_head_request_keeps_its_length() -> None:
    app = app_with(page=lambda request: HTMLResponse(PAGE))
    r = await get(app, '/page', 'HEAD')
    assert r.headers['content-length'] == str(len(PAGE))
    assert 'content-security-policy' in r.headers


def test_the_policy_sits_inside_the_gzip_layer() -> None:
    """So it rewrites the page before it is compressed."""
    outer, inner = Middleware(GZipMiddleware), Middleware(JSONResponse)
    assert [m.cls for m in with_page_headers([outer, inner])] == [
        GZipMiddleware,
        PageHeaders,
        JSONResponse,
    ]
    assert with_page_headers([inner])[0].cls is PageHeaders


def test_the_docs_pages_may_load_swagger_from_its_cdn() -> None:
    assert 'https://cdn.jsdelivr.net' in policy('n', docs=True)
    assert 'cdn.jsdelivr.net' not in policy('n')


async def test_the_apps_pages_carry_the_policy(user: User, alice: UserPublic) -> None:
    for path in ('/', '/signin', '/tags', '/no-such-page'):
        r = await user.http_client.get(path)
        csp = r.headers['content-security-policy']
        nonce = NONCE.search(csp).group(1)  # type: ignore[union-attr]
        scripts = re.findall(r'<script[^>]*>', r.text)
        assert scripts, path
        assert all(f'nonce="{nonce}"' in tag for tag in scripts), (path, scripts)
        assert r.headers['x-frame-options'] == 'DENY'
        assert r.headers['referrer-policy'] == 'same-origin'
    api = await user.http_client.get('/api/v1/images')
    assert 'content-security-policy' not in api.headers
