"""/docs without the internet: Swagger UI's page with its script and style served by Shoebox
from the `swagger-ui-py` package's copy of Swagger UI 5 (FastAPI's own page loads them from a
CDN, so on a machine without internet /docs was blank).

Registered before FastAPI adds its own /docs route (at ui.run), so this one answers.
"""

from __future__ import annotations

from pathlib import Path

import swagger_ui
from fastapi import FastAPI, HTTPException
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

ASSETS = Path(swagger_ui.__file__).parent / 'static'
PREFIX = '/docs/assets'
# Only these files, by name: nothing else of the package's folder is reachable.
FILES = {
    'swagger-ui-bundle.js': 'text/javascript',
    'swagger-ui.css': 'text/css',
    'favicon-32x32.png': 'image/png',
}


def add_docs(app: FastAPI, openapi_url: str = '/openapi.json') -> None:
    @app.get('/docs', include_in_schema=False)
    def swagger_page() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f'{app.title} - API documentation',
            swagger_js_url=f'{PREFIX}/swagger-ui-bundle.js',
            swagger_css_url=f'{PREFIX}/swagger-ui.css',
            swagger_favicon_url=f'{PREFIX}/favicon-32x32.png',
        )

    @app.get(PREFIX + '/{name}', include_in_schema=False)
    def swagger_asset(name: str) -> FileResponse:
        media = FILES.get(name)
        if media is None:
            raise HTTPException(404)
        return FileResponse(
            ASSETS / name, media_type=media, headers={'Cache-Control': 'public, max-age=86400'}
        )
