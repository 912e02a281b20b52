"""A thin httpx wrapper for API v1: bearer auth, and errors as ApiError with the server's detail."""

from __future__ import annotations

import ssl
from typing import Any

import httpx

from cli_client.config import ClientConfig

API = '/api/v1'
USER_AGENT = 'shoebox-cli/1'
TIMEOUT = httpx.Timeout(30.0, read=600.0, write=120.0)


class ApiError(Exception):
    """The server said no: its status and `detail` (plus `existing_id` for a duplicate)."""

    def __init__(self, status: int, detail: str, *, existing_id: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.existing_id = existing_id


class Unreachable(Exception):
    """No HTTP answer at all (connection refused, DNS, TLS, timeout)."""


def error_of(response: httpx.Response) -> ApiError:
    detail = response.reason_phrase or f'HTTP {response.status_code}'
    existing_id = None
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        detail = str(body.get('detail') or detail)
        existing_id = body.get('existing_id')
    return ApiError(response.status_code, detail, existing_id=existing_id)


def make_client(
    config: ClientConfig, *, token: str | None = None, tls: ssl.SSLContext | None = None
) -> httpx.Client:
    """`tls`: a context to share between clients (each new one loads the CA bundle: ~25 ms)."""
    headers = {'User-Agent': USER_AGENT}
    bearer = token if token is not None else config.token
    if bearer:
        headers['Authorization'] = f'Bearer {bearer}'
    return httpx.Client(
        base_url=config.server, headers=headers, timeout=TIMEOUT, verify=tls or True
    )


class Api:
    """One connection to the server for the simple commands (list, get, edit, ...)."""

    def __init__(self, config: ClientConfig, *, token: str | None = None) -> None:
        self.config = config
        self.client = make_client(config, token=token)

    def __enter__(self) -> Api:
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self.client.request(method, API + path, **kwargs)
        except httpx.TransportError as exc:
            raise Unreachable(f'Cannot reach {self.config.server}: {exc}') from None
        if response.status_code >= 400:
            raise error_of(response)
        return response

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.request(method, path, **kwargs).json()

    def download(self, path: str, write: Any, on_headers: Any = None) -> httpx.Headers:
        """Stream a response body into `write(chunk)`; returns the response headers (handed
        to `on_headers` before the first chunk too, e.g. for a progress bar's total)."""
        try:
            with self.client.stream('GET', API + path) as response:
                if response.status_code >= 400:
                    response.read()
                    raise error_of(response)
                if on_headers is not None:
                    on_headers(response.headers)
                for chunk in response.iter_bytes():
                    write(chunk)
                return response.headers
        except httpx.TransportError as exc:
            raise Unreachable(f'Cannot reach {self.config.server}: {exc}') from None
