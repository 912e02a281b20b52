"""/docs works without the internet (issue 10): Swagger UI's script and style come from Shoebox
itself, and the page's policy allows no CDN. A real browser renders it in
tests/test_browser_docs.py."""

# ruff: noqa: F811  (pytest fixtures imported from tests.ui_fixtures are used as arguments)

from __future__ import annotations

import re

from nicegui.testing import User

from tests.ui_fixtures import (  # noqa: F401  (fixtures)
    library,
    shoebox_env,
    user,
)


async def test_docs_page_loads_swagger_ui_from_shoebox(user: User) -> None:
    r = await user.http_client.get('/docs')
    assert r.status_code == 200
    assert 'cdn.jsdelivr.net' not in r.text
    sources = re.findall(r'(?:src|href)="([^"]+)"', r.text)
    assert '/docs/assets/swagger-ui-bundle.js' in sources
    assert '/docs/assets/swagger-ui.css' in sources
    csp = r.headers['content-security-policy']
    assert 'cdn.jsdelivr.net' not in csp and "script-src 'self'" in csp
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)  # type: ignore[union-attr]
    assert all(f'nonce="{nonce}"' in tag for tag in re.findall(r'<script[^>]*>', r.text))
    for path, kind in (('swagger-ui-bundle.js', 'javascript'), ('swagger-ui.css', 'css')):
        asset = await user.http_client.get(f'/docs/assets/{path}')
        assert asset.status_code == 200, path
        assert kind in asset.headers['content-type']
        assert len(asset.content) > 10_000
    spec = await user.http_client.get('/openapi.json')
    assert spec.json()['info']['title'] == 'Shoebox'


async def test_only_the_named_assets_are_served(user: User) -> None:
    for name in ('index.html', 'swagger-editor.js', '..%2F__init__.py', '%2e%2e%2fcore.py'):
        r = await user.http_client.get(f'/docs/assets/{name}')
        assert r.status_code == 404, name
