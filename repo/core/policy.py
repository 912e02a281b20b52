"""Every access decision in one place.

- Anyone may see a public image; only its owner sees a private one. A private image that is not
  yours is indistinguishable from one that does not exist (ImageNotFound).
- Only the owner changes or deletes an image; administrators administer accounts, not pictures.
- `view_scope` is the same visibility rule as data, for the database layer to turn into SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from repo.core import scopes
from repo.core.actor import Actor
from repo.core.errors import Forbidden, ImageNotFound, Invalid, NotAuthenticated
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
    require_scope(actor, scopes.IMAGES_WRITE)


def require_delete(actor: Actor, owner_id: int, visibility: str) -> None:
    require_view(actor, owner_id, visibility)
    if not is_owner(actor, owner_id):
        raise Forbidden('Only the owner can change or delete this image')
    require_scope(actor, scopes.IMAGES_DELETE)


def may_download_original(actor: Actor, owner_id: int, allow_download: bool) -> bool:
    return is_owner(actor, owner_id) or allow_download


def may_see_location(actor: Actor, owner_id: int) -> bool:
    """Where a photo was taken is the owner's to know (and to share: `share_location`)."""
    return is_owner(actor, owner_id)


def original_keeps_location(actor: Actor, owner_id: int, share_location: bool) -> bool:
    """Whether the original handed to this actor keeps its GPS position: always for the
    owner; for others only when the owner chose to share it."""
    return is_owner(actor, owner_id) or share_location


# ---- sharing (issue 12) ------------------------------------------------------------------


def require_share_write(actor: Actor) -> int:
    """Making or changing share links and albums: a signed-in user whose token may share."""
    user_id = require_user(actor)
    require_scope(actor, scopes.SHARES_WRITE)
    return user_id


def require_own(actor: Actor, owner_id: int, not_found: type[Exception] = ImageNotFound) -> None:
    """Someone else's share link, album or trashed image is as missing as one that never was."""
    if not is_owner(actor, owner_id):
        raise not_found()


def can_view_album(actor: Actor, owner_id: int, visibility: str) -> bool:
    """An album is seen like an image; what is in it still goes image by image (can_view)."""
    return can_view(actor, owner_id, visibility)


def share_is_live(expires_at: datetime | None, now: datetime) -> bool:
    return expires_at is None or as_utc(expires_at) > as_utc(now)


def share_may_download(allow_download: bool, kind: str) -> bool:
    """Through a link: renditions always, the original only where the link allows it."""
    return kind != 'original' or allow_download


def require_comment(actor: Actor, comments_enabled: bool) -> int:
    user_id = require_user(actor)
    if not comments_enabled:
        raise Forbidden('The owner has switched comments off for this image')
    return user_id


def may_delete_comment(actor: Actor, author_id: int, image_owner_id: int) -> bool:
    return is_owner(actor, author_id) or is_owner(actor, image_owner_id)


def as_utc(value: datetime) -> datetime:
    """The database gives naive datetimes back (SQLite): they were written in UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def require_user(actor: Actor) -> int:
    """The signed-in user's id, or NotAuthenticated."""
    if actor.user_id is None:
        raise NotAuthenticated('Not authenticated')
    return actor.user_id


def require_admin(actor: Actor) -> None:
    """Administrators and the server itself; anonymous callers are told to sign in first."""
    if actor.is_system:
        return
    if actor.user_id is None:
        raise NotAuthenticated('Not authenticated')
    if not actor.is_admin:
        raise Forbidden('Only an administrator may do this')
    require_scope(actor, scopes.ADMIN)


# ---- what a token may do (repo.core.scopes) ---------------------------------------------------


def has_scope(actor: Actor, scope: str) -> bool:
    """Sessions and the server may do all their account may; a token only its scopes."""
    return actor.scopes is None or scope in actor.scopes


def require_scope(actor: Actor, scope: str) -> None:
    if not has_scope(actor, scope):
        raise Forbidden(f'This token may not {scopes.SCOPES[scope]}')


def require_read(actor: Actor) -> None:
    """Before showing any image (also public ones) to a caller with a token."""
    require_scope(actor, scopes.IMAGES_READ)


def require_upload(actor: Actor) -> int:
    """The uploader's id: a signed-in user whose token (if any) may write images."""
    user_id = require_user(actor)
    require_scope(actor, scopes.IMAGES_WRITE)
    return user_id


def token_scopes_allowed(
    actor: Actor, account_is_admin: bool, wanted: tuple[str, ...] | None
) -> tuple[str, ...]:
    """The scopes a new token of the actor's account gets: `wanted`, or all the account may
    do. Never more than the actor making it has (and `admin` only for an administrator)."""
    allowed = [s for s in scopes.scopes_for(account_is_admin) if has_scope(actor, s)]
    if wanted is None:
        return tuple(allowed)
    unknown = [s for s in wanted if s not in scopes.SCOPES]
    if unknown:
        raise Invalid(f'Unknown scope "{unknown[0]}"; use any of: {", ".join(scopes.SCOPES)}')
    beyond = [s for s in wanted if s not in allowed]
    if beyond:
        raise Invalid(f'This account may not give a token the scope "{beyond[0]}"')
    if not wanted:
        raise Invalid('Give the token at least one scope')
    return scopes.parse_scopes(' '.join(wanted))


# ---- administration -------------------------------------------------------------------------


def may_skip_last_admin_rule(actor: Actor) -> bool:
    """The last administrator can be neither demoted, disabled nor deleted by anyone but the
    server itself (the command line on the data folder, which can always promote another)."""
    return actor.is_system


def require_self_or_admin(actor: Actor, user_id: int) -> None:
    if actor.user_id is not None and actor.user_id == user_id:
        return
    require_admin(actor)


def may_sign_up(actor: Actor, open_signup: bool) -> bool:
    return open_signup or actor.is_system or actor.is_admin


# ---- the shop (issue 15) --------------------------------------------------------------------


def require_shopper(actor: Actor) -> int:
    """The buyer's (or seller's) id: a signed-in user whose token (if any) may use the shop."""
    user_id = require_user(actor)
    require_scope(actor, scopes.SHOP)
    return user_id


def may_be_on_sale(visibility: str) -> bool:
    """Only public images are sold: a buyer must be able to see what they pay for."""
    return visibility == PUBLIC


def can_buy(actor: Actor, owner_id: int, visibility: str, listed: bool) -> bool:
    """Whether a line for this image may be in the actor's cart and be charged."""
    return listed and may_be_on_sale(visibility) and can_view(actor, owner_id, visibility)


def require_not_own(actor: Actor, owner_id: int) -> None:
    if is_owner(actor, owner_id):
        raise Invalid('This is your own image: you cannot buy it')


def unmarked_preview(actor: Actor, owner_id: int, has_bought: bool) -> bool:
    """Who sees a watermarked image's preview without the mark: its owner and its buyers."""
    return is_owner(actor, owner_id) or has_bought


# ---- operations (issue 16) ------------------------------------------------------------------


def require_metrics_reader(actor: Actor, *, from_loopback: bool, public: bool) -> None:
    """/metrics: open when configured public; else to this machine (127.0.0.1, ::1) and to
    administrators (an admin token from anywhere)."""
    if public or from_loopback:
        return
    require_admin(actor)


def require_export(actor: Actor) -> int:
    """Exporting is reading all of one's own images: a signed-in user (a token needs
    `images:read`). Returns whose images: always the actor's own, never anyone else's."""
    user_id = require_user(actor)
    require_read(actor)
    return user_id
