"""REST API v1 under /api/v1. Talks to the services only."""

from __future__ import annotations

import re

from fastapi import APIRouter, FastAPI

from api import (
    admin_routes,
    album_routes,
    auth_routes,
    comment_routes,
    export_routes,
    fallback,
    image_routes,
    look_routes,
    ops_routes,
    share_form,
    share_routes,
    shop_routes,
    trash_routes,
)
from api.browser_uploads import UploadObserver
from api.deps import STATE_KEY, ApiContext, SessionUser
from api.docs_assets import add_docs
from api.guards import BodyLimitGuard, Limit, MiB, SecurityHeaders, human_bytes
from api.nicegui_internals import restrict_websocket, wrap_outermost
from api.request_log import RequestLog
from repo.container import Services

PREFIX = '/api/v1'
JSON_BODY_LIMIT = 1_000_000  # signup, token, edits: small JSON
MULTIPART_OVERHEAD = MiB  # form fields and part headers around the one file of a request
UPLOAD_PATHS = re.compile(
    rf'(?:^{PREFIX}/images(?:/search-by-image)?/?|/_nicegui/client/[^/]+/upload/[^/]+/?)$'
)
BODY_METHODS = frozenset({'POST', 'PUT', 'PATCH', 'DELETE'})
TAGS = [
    {'name': 'auth', 'description': 'Accounts and personal API tokens (`Authorization: Bearer`)'},
    {'name': 'images', 'description': 'Upload, find, read, edit and delete images'},
    {
        'name': 'shop',
        'description': 'Cart, checkout, orders and sales; amounts in minor units of one currency',
    },
    {'name': 'shares', 'description': 'Share links, and what their visitors see (no account)'},
    {'name': 'albums', 'description': 'Albums of your images; public albums of others'},
    {'name': 'trash', 'description': 'Deleted images until they are restored or purged'},
    {'name': 'comments', 'description': 'Comments under the images you can see'},
    {'name': 'admin', 'description': 'Accounts, quotas, settings, figures and the audit log'},
    {'name': 'export', 'description': 'Everything of your own, as one zip'},
    {'name': 'operations', 'description': 'Health and metrics, at the root of the site'},
]
DESCRIPTION = """\
Shoebox's REST API. Authenticate with a personal token: `POST /api/v1/auth/token`, then send
`Authorization: Bearer <token>`. Without a token you are an anonymous visitor (public images
only). Every error is `{"detail": "..."}` (a 409 for a duplicate upload adds `existing_id`;
a 507 for an upload past the account's quota adds `quota_bytes`, `used_bytes`, `quota_images`
and `used_images`).
"""

__all__ = ['PREFIX', 'register']


def register(
    app: FastAPI,
    services: Services,
    session_user: SessionUser | None = None,
    upload_observer: UploadObserver | None = None,
) -> None:
    """Add the /api/v1 routes and the HTTP guards (security headers, body limits) to `app`.

    `upload_observer` hears what came of the web app's own uploads (api/browser_uploads.py).
    Calling it again for the same app only swaps the services and the callbacks (tests).
    """
    context = ApiContext(services, session_user, upload_observer)
    already = getattr(app.state, STATE_KEY, None) is not None
    setattr(app.state, STATE_KEY, context)
    restrict_websocket(services.settings.public_origins)
    if already:
        return

    def body_limit(method: str, path: str) -> Limit | None:
        if method in ('POST', 'PUT') and UPLOAD_PATHS.search(path):
            max_file = getattr(app.state, STATE_KEY).services.limits().max_file_bytes
            message = f'The file is larger than the {human_bytes(max_file)} limit'
            return Limit(max_file + MULTIPART_OVERHEAD, message)
        if method in BODY_METHODS and path.startswith(PREFIX + '/'):
            return Limit(JSON_BODY_LIMIT, f'The body is larger than {human_bytes(JSON_BODY_LIMIT)}')
        return None

    api = APIRouter(prefix=PREFIX)
    api.include_router(auth_routes.router)
    api.include_router(image_routes.router)
    api.include_router(look_routes.router)
    api.include_router(admin_routes.router)
    api.include_router(share_routes.router)
    api.include_router(album_routes.router)
    api.include_router(trash_routes.router)
    api.include_router(comment_routes.router)
    api.include_router(shop_routes.router)
    api.include_router(export_routes.router)
    api.include_router(fallback.admin_router)
    api.include_router(fallback.router)
    app.include_router(api)
    app.include_router(share_form.router)
    app.include_router(ops_routes.router)
    add_docs(app)
    app.add_middleware(BodyLimitGuard, limit_for=body_limit)
    app.add_middleware(
        RequestLog,
        metrics=lambda: getattr(app.state, STATE_KEY).services.metrics,
        prefixes=(PREFIX,),
    )
    wrap_outermost(app, lambda inner: SecurityHeaders(inner), PREFIX)
    app.title = 'Shoebox'
    app.description = DESCRIPTION
    app.version = '1'
    app.openapi_tags = TAGS
