"""HEAD for every GET route of a router (caches and `curl -I` use it), hidden from the docs."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.routing import APIRoute


def answer_head_too(router: APIRouter) -> None:
    for route in list(router.routes):
        if isinstance(route, APIRoute) and 'GET' in route.methods:
            router.add_api_route(
                route.path,
                route.endpoint,
                methods=['HEAD'],
                response_class=route.response_class,
                include_in_schema=False,
                name=f'{route.name}_head',
            )
