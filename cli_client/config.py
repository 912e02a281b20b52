"""Where the client finds its server and token: flags, SHOEBOX_SERVER/SHOEBOX_TOKEN, config.json.

The file lives in the user's config dir (`typer.get_app_dir('shoebox')`, or SHOEBOX_CONFIG_DIR)
and is written with mode 0600 because it holds a bearer token.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import typer

DEFAULT_SERVER = 'http://127.0.0.1:8080'
CONFIG_FILE = 'config.json'


@dataclass(frozen=True)
class ClientConfig:
    server: str
    token: str | None = None


def config_dir() -> Path:
    override = os.environ.get('SHOEBOX_CONFIG_DIR')
    return Path(override) if override else Path(typer.get_app_dir('shoebox'))


def config_path() -> Path:
    return config_dir() / CONFIG_FILE


def normalize_server(url: str) -> str:
    url = url.strip().rstrip('/')
    return url if '://' in url else f'http://{url}'


def load_stored() -> dict[str, str]:
    """What `shoebox login` saved: {'server', 'token'}, or {} when nothing (readable) is there."""
    try:
        data = json.loads(config_path().read_text(encoding='utf-8'))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, str)} if isinstance(data, dict) else {}


def save_stored(data: dict[str, str]) -> Path:
    """Write the config atomically, readable by the user only."""
    folder = config_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / CONFIG_FILE
    tmp = folder / f'.{CONFIG_FILE}.{secrets.token_hex(4)}.tmp'
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, 'w', encoding='utf-8') as fh:
            json.dump(data, fh, indent=2)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def resolve(server: str | None = None) -> ClientConfig:
    """The server (flag, env, saved, default) and its token (env, or the one saved for it).

    A saved token is only sent to the server it was issued by, never to another URL.
    """
    stored = load_stored()
    url = normalize_server(
        server or os.environ.get('SHOEBOX_SERVER') or stored.get('server') or DEFAULT_SERVER
    )
    token = os.environ.get('SHOEBOX_TOKEN') or None
    if token is None and stored.get('token'):
        saved_for = normalize_server(stored.get('server') or DEFAULT_SERVER)
        token = stored['token'] if saved_for == url else None
    return ClientConfig(url, token)
