"""JSON answers for paths under /api/v1 that no route takes (the web app would send HTML).

Registered last. A path that exists with another method gets 405, with `Allow` naming the
methods of that resource as the schema documents it: where a fixed path and a templated one both
fit (/images/search-by-image, /images/{image_id}), the fixed one is the resource. Any other path
under /images/ is the image 404, so an id with a slash in it looks like any other missing image.
Under /admin the same answers come after the administrator check (`admin_router`), so a
non-administrator learns nothing of which admin paths exist.
"""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from api import (
    admin_routes,
    album_routes,
    auth_routes,
    comment_routes,
    export_routes,
    image_routes,
    look_routes,
    share_routes,
    shop_routes,
    trash_routes,
)
from api.errors import ShoeboxRoute, error_response
from repo.core.errors import ImageNotFound

router = APIRouter(route_class=ShoeboxRoute, include_in_schema=False)
ROUTERS = (
    auth_routes.router, image_routes.router, look_routes.router, admin_routes.router,
    share_routes.router, album_routes.router, trash_routes.router, comment_routes.router,
    shop_routes.router, export_routes.router,
)  # fmt: skip
METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']


def allowed_methods(path: str) -> set[str]:
    """The methods of the resource at `path`: of the matching route templates, the most
    specific (fewest parameters) win."""
    matching = [
        route
        for router_ in ROUTERS
        for route in router_.routes
        if isinstance(route, APIRoute) and route.path_regex.match(path)
    ]
    if not matching:
        return set()
    fewest = min(route.path.count('{') for route in matching)
    return {
        method for route in matching if route.path.count('{') == fewest for method in route.methods
    }


@router.api_route('/{rest:path}', methods=METHODS)
def api_fallback(rest: str) -> Response:
    path = '/' + rest
    allowed = allowed_methods(path)
    if allowed:
        return JSONResponse(
            {'detail': 'Method Not Allowed'},
            status_code=405,
            headers={'Allow': ', '.join(sorted(allowed))},
        )
    if path.startswith('/images/'):  # e.g. an id with a slash in it: like any missing image
        return error_response(ImageNotFound())
    return JSONResponse({'detail': 'Not Found'}, status_code=404)


admin_router = APIRouter(
    prefix=admin_routes.PREFIX,
    route_class=ShoeboxRoute,
    include_in_schema=False,
    dependencies=admin_routes.router.dependencies,
)


@admin_router.api_route('/{rest:path}', methods=METHODS)
def admin_fallback(rest: str) -> Response:
    """Anything else under /admin: 401/403 first, like every admin route; then, for an
    administrator, the API's usual 404 or 405."""
    return api_fallback(f'admin/{rest}')
