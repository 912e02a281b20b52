"""Every access decision in one place.

- Anyone may see a public image; only its owner sees a private one. A private image that is not
  yours is indistinguishable from one that does not exist (ImageNotFound).
- Only the owner changes or deletes an image; administrators administer accounts, not pictures.
- `view_scope` is the same visibility rule as data, for the database layer to turn into SQL.
"""

from __future__ import annotations

from dataclasses import dataclass

from repo.core.actor import Actor
from repo.core.errors import Forbidden, ImageNotFound, NotAuthenticated
from repo.core.visibility import Visibility

PUBLIC = Visibility.public.value


@dataclass(frozen=True)
class ViewScope:
    """Which images an actor may see: public ones, plus (when set) those of `owner_id`."""

    owner_id: int | None = None


def view_scope(actor: Actor) -> ViewScope:
    return ViewScope(owner_id=actor.user_id)


def can_view(actor: Actor, owner_id: int, visibility: str) -> bool:
    return visibility == PUBLIC or (actor.user_id is not None and actor.user_id == owner_id)


def is_owner(actor: Actor, owner_id: int) -> bool:
    return actor.user_id is not None and actor.user_id == owner_id


def require_view(actor: Actor, owner_id: int, visibility: str) -> None:
    if not can_view(actor, owner_id, visibility):
        raise ImageNotFound()


def require_edit(actor: Actor, owner_id: int, visibility: str) -> None:
    """Seeing comes first (404 for someone else's private image), then owning (403)."""
    require_view(actor, owner_id, visibility)
    if not is_owner(actor, owner_id):
        raise Forbidden('Only the owner can change or delete this image')


def may_download_original(actor: Actor, owner_id: int, allow_download: bool) -> bool:
    return is_owner(actor, owner_id) or allow_download


def require_user(actor: Actor) -> int:
    """The signed-in user's id, or NotAuthenticated."""
    if actor.user_id is None:
        raise NotAuthenticated('Not authenticated')
    return actor.user_id


def require_admin(actor: Actor) -> None:
    """Administrators and the server itself; anonymous callers are told to sign in first."""
    if actor.is_system or (actor.user_id is not None and actor.is_admin):
        return
    if actor.user_id is None:
        raise NotAuthenticated('Not authenticated')
    raise Forbidden('Only an administrator may do this')


def require_self_or_admin(actor: Actor, user_id: int) -> None:
    if actor.user_id is not None and actor.user_id == user_id:
        return
    require_admin(actor)


def may_sign_up(actor: Actor, open_signup: bool) -> bool:
    return open_signup or actor.is_system or actor.is_admin
