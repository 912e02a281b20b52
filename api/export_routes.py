"""`GET /api/v1/export`: every original of the caller and images.json, as one zip, streamed."""

from __future__ import annotations

import re

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from api.deps import CallerDep, ServicesDep
from api.errors import ShoeboxRoute, responses
from api.offload import offload

router = APIRouter(route_class=ShoeboxRoute, tags=['export'])
_UNSAFE = re.compile(r'[^A-Za-z0-9_.-]+')


@router.get(
    '/export',
    summary='Everything of yours as a zip: the originals and images.json',
    description='Streamed as it is built (it starts at once, whatever the size). Every original '
    'under its file name (made unique where names repeat) and `images.json` with the metadata '
    'of each. Only your own images, private and public. `X-Shoebox-Export-Images` and '
    "`X-Shoebox-Export-Bytes` (the originals' total) come first, for a progress bar.",
    response_class=StreamingResponse,
    responses={
        200: {'content': {'application/zip': {}}, 'description': 'The zip'},
        **responses(401, 403, r403='The token lacks the `images:read` scope'),
    },
)
async def export(caller: CallerDep, services: ServicesDep) -> StreamingResponse:
    actor = caller.actor
    info = await offload.run(services.export.info, actor)
    chunks = services.export.stream(actor)
    name = _UNSAFE.sub('_', f'shoebox-{info.username}.zip')
    return StreamingResponse(
        chunks,
        media_type='application/zip',
        headers={
            'Content-Disposition': f'attachment; filename="{name}"',
            'X-Shoebox-Export-Images': str(info.images),
            'X-Shoebox-Export-Bytes': str(info.original_bytes),
            'Cache-Control': 'no-store',
        },
    )
