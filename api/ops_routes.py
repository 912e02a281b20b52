"""Operations at the root of the site (where monitors look for them, beside /api/v1):
`GET /healthz` for load balancers and uptime checks, `GET /metrics` for Prometheus."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from api.deps import CallerDep, ServicesDep
from api.errors import ShoeboxRoute, responses
from api.offload import offload
from api.schemas_ops import HealthOut
from repo.core import policy
from repo.services.metrics import CONTENT_TYPE

router = APIRouter(route_class=ShoeboxRoute, tags=['operations'])
LOOPBACK = frozenset({'127.0.0.1', '::1'})


@router.get(
    '/healthz',
    summary='Is every part usable: database, blob store, search index',
    description='200 when all are `ok`; 503 with the same body naming the failing part as '
    '`error`. Needs no sign-in and tells no data; cheap enough to poll every second.',
    response_model=HealthOut,
    responses={503: {'model': HealthOut, 'description': 'A part is failing'}},
)
async def healthz(services: ServicesDep) -> JSONResponse:
    report = await offload.run(services.health.report)
    body = HealthOut.of(report).model_dump()
    return JSONResponse(body, status_code=200 if report.ok else 503)


@router.get(
    '/metrics',
    summary='Prometheus metrics (text exposition format)',
    description='Requests and latency per route, uploads added/refused by reason, bytes '
    'stored, index queue depth and lag, image worker queue, sign-in failures. Served to '
    '127.0.0.1 and to administrators (a token with the `admin` scope); to anyone with '
    '`SHOEBOX_METRICS_PUBLIC=true`. Behind a reverse proxy on the same machine every request '
    'comes from 127.0.0.1: keep /metrics off the proxy, or leave it to admin tokens there.',
    response_class=Response,
    responses={
        200: {'content': {CONTENT_TYPE: {}}, 'description': 'The metrics'},
        **responses(
            401, 403, r401='From another machine, without a token', r403='Not an administrator'
        ),
    },
)
async def metrics(request: Request, caller: CallerDep, services: ServicesDep) -> Response:
    host = request.client.host if request.client else ''
    policy.require_metrics_reader(
        caller.actor, from_loopback=host in LOOPBACK, public=services.settings.metrics_public
    )
    body = await offload.run(services.metrics.exposition)
    return Response(body, media_type=CONTENT_TYPE)
