"""`shoebox login` and `shoebox logout`: a personal API token kept in the config dir."""

from __future__ import annotations

import os
import socket
import sys
from typing import Annotated

import typer
from rich.text import Text

from cli_client import render
from cli_client.config import ClientConfig, load_stored, normalize_server, resolve, save_stored
from cli_client.connection import api_session
from cli_client.http import Api, ApiError, Unreachable


def login(
    server: Annotated[
        str | None, typer.Option(help='Server URL [env SHOEBOX_SERVER; http://127.0.0.1:8080]')
    ] = None,
    username: Annotated[str | None, typer.Option(help='Asked for when not given')] = None,
    password_stdin: Annotated[
        bool, typer.Option('--password-stdin', help='Read the password from standard input')
    ] = False,
) -> None:
    """Sign in and keep a personal API token in your config dir (mode 0600)."""
    config = ClientConfig(resolve(server).server)
    name = username or typer.prompt('Username')
    if password_stdin:
        password = sys.stdin.readline().rstrip('\n')
    else:
        password = typer.prompt('Password', hide_input=True)
    label = f'shoebox cli on {socket.gethostname()}'[:100]
    with api_session(config, token='') as api:
        token = api.json(
            'POST', '/auth/token', json={'username': name, 'password': password, 'name': label}
        )['access_token']
    with api_session(ClientConfig(config.server, token)) as api:
        me = api.json('GET', '/me')
    path = save_stored({'server': config.server, 'token': token})
    render.out.print(Text(f'Signed in to {config.server} as {me["username"]} (token in {path})'))
    if os.environ.get('SHOEBOX_TOKEN'):
        render.err.print('Note: SHOEBOX_TOKEN is set and takes precedence over the saved token.')


def logout() -> None:
    """Revoke the token in use and forget the saved one."""
    config = resolve()
    stored = load_stored()
    if config.token:
        try:
            with Api(config) as api:
                api.request('DELETE', '/auth/token')
        except ApiError as exc:
            if exc.status != 401:  # already revoked is fine
                render.error(exc.detail)
                raise typer.Exit(1) from None
        except Unreachable as exc:
            render.error(f'{exc}; the token was not revoked')
            raise typer.Exit(1) from None
    saved_here = normalize_server(stored.get('server') or '') == config.server
    if stored.get('token') and saved_here:
        save_stored({'server': stored['server']})
    if not config.token:
        render.out.print('Not signed in')
        return
    render.out.print(Text(f'Signed out of {config.server}'))
    if os.environ.get('SHOEBOX_TOKEN'):
        render.err.print('The token in SHOEBOX_TOKEN is revoked now; unset it.')
