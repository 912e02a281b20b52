"""One API session of the client commands: the server's refusals become a message and exit 1."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer

from cli_client import render
from cli_client.config import ClientConfig, resolve
from cli_client.http import Api, ApiError, Unreachable


@contextmanager
def api_session(config: ClientConfig | None = None, *, token: str | None = None) -> Iterator[Api]:
    """An API session; server errors become a message and exit code 1."""
    try:
        with Api(config or resolve(), token=token) as api:
            yield api
    except ApiError as exc:
        hint = ' (run `shoebox login`)' if exc.status == 401 else ''
        render.error(f'{exc.detail}{hint}')
        raise typer.Exit(1) from None
    except Unreachable as exc:
        render.error(str(exc))
        raise typer.Exit(1) from None


def signed_in() -> ClientConfig:
    config = resolve()
    if not config.token:
        render.error(f'Not signed in to {config.server}: run `shoebox login` or set SHOEBOX_TOKEN')
        raise typer.Exit(1)
    return config


def my_name(api: Api) -> str:
    if not api.config.token:
        render.error('--mine needs you signed in: run `shoebox login`')
        raise typer.Exit(1)
    return api.json('GET', '/me')['username']
