"""`shoebox users disable|enable|promote`: an administrator's switches on one account, from the
server's own machine (the audit log names the system as who acted)."""

from __future__ import annotations

from typing import Any

import typer

from cli_ops.context import BlobUrl, DatabaseUrl, DataDir, fail, out, services_for


def _change_account(username: str, where: tuple[Any, ...], done: str, **values: bool) -> None:
    from repo.core.actor import SYSTEM
    from repo.core.errors import ShoeboxError
    from repo.core.schemas_admin import AccountChanges

    changes = AccountChanges(**values, fields_set=frozenset(values))
    with services_for(*where) as services:
        try:
            user = services.admin.update_user(SYSTEM, username, changes)
        except ShoeboxError as exc:
            raise fail(exc) from None
    out.print(f'{user.username} {done}')


def users_disable(
    username: str,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    blob_url: BlobUrl = None,
) -> None:
    """Disable an account: it cannot sign in, its sessions end, its tokens stop."""
    _change_account(username, (data_dir, database_url, blob_url), 'disabled', disabled=True)


def users_enable(
    username: str,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    blob_url: BlobUrl = None,
) -> None:
    """Enable a disabled account again."""
    _change_account(username, (data_dir, database_url, blob_url), 'enabled', disabled=False)


def users_promote(
    username: str,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    blob_url: BlobUrl = None,
) -> None:
    """Make an account an administrator."""
    _change_account(
        username, (data_dir, database_url, blob_url), 'is an administrator', is_admin=True
    )


def register(users_app: typer.Typer) -> None:
    users_app.command('disable')(users_disable)
    users_app.command('enable')(users_enable)
    users_app.command('promote')(users_promote)
