"""Which origins may act with a browser's cookies: this app's own, and SHOEBOX_PUBLIC_URL's.

A browser attaches Shoebox's cookies to requests that other sites make it send. For state-changing
API requests authenticated by the session cookie, the `Origin` header (or, without one, the
`Referer`) must name this app: the origin the request was addressed to (its scheme and `Host`),
or one of the configured public URLs (a reverse proxy that terminates TLS, or rewrites `Host`,
makes the two differ). `Origin: null` (sandboxed frames, some redirects, privacy settings) is
never ours. Bearer-token requests carry no ambient credential and are not checked here.

The same rule decides which pages may open the web app's websocket (`/_nicegui_ws`), which
NiceGUI opens to every origin.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from repo.config import origin_of


def own_origin(scheme: str, host: str | None) -> str | None:
    """The origin a request was addressed to: its scheme and Host header."""
    if not host:
        return None
    web_scheme = {'ws': 'http', 'wss': 'https'}.get(scheme, scheme)
    return origin_of(f'{web_scheme}://{host}')


def is_allowed(origin: str | None, scheme: str, host: str | None, public: Iterable[str]) -> bool:
    """Whether a request from `origin` (an Origin header value) belongs to this app."""
    if not origin or origin.strip() == 'null':
        return False
    normalized = origin_of(origin)
    if normalized is None:
        return False
    return normalized == own_origin(scheme, host) or normalized in set(public)


def request_origin(headers: Mapping[str, str]) -> str | None:
    """The Origin header, or the origin of the Referer when there is no Origin; None for none."""
    origin = headers.get('origin')
    if origin is not None:
        return origin
    referer = headers.get('referer')
    if not referer:
        return None
    return origin_of(referer) or 'null'


def foreign_write(
    method: str, headers: Mapping[str, str], scheme: str, public: Iterable[str]
) -> bool:
    """A state-changing request that a page of another origin made the browser send.

    Without Origin and Referer it is not a browser's cross-origin request (browsers send an
    Origin with every cross-origin POST, PUT, PATCH and DELETE): scripts and tools pass.
    """
    if method in ('GET', 'HEAD', 'OPTIONS'):
        return False
    if headers.get('sec-fetch-site') == 'cross-site':
        return True
    origin = request_origin(headers)
    if origin is None:
        return False
    return not is_allowed(origin, scheme, headers.get('host'), public)
