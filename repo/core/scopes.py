"""What a personal API token may do: its scopes. A browser session may do everything its account
may; a token only what it was given when it was made (by default, everything the account may).

`shares:write` and `shop` are reserved for the features that will use them.
"""

from __future__ import annotations

IMAGES_READ = 'images:read'
IMAGES_WRITE = 'images:write'
IMAGES_DELETE = 'images:delete'
SHARES_WRITE = 'shares:write'
SHOP = 'shop'
ADMIN = 'admin'

# Each scope and the end of the sentence "This token may not ...".
SCOPES: dict[str, str] = {
    IMAGES_READ: 'see images',
    IMAGES_WRITE: 'upload or change images',
    IMAGES_DELETE: 'delete images',
    SHARES_WRITE: 'share images',
    SHOP: 'use the shop',
    ADMIN: 'administer this Shoebox',
}
ALL_SCOPES = tuple(SCOPES)
ALL_SCOPES_TEXT = ' '.join(ALL_SCOPES)  # how a token's scopes are stored


def scopes_for(is_admin: bool) -> tuple[str, ...]:
    """Everything an account may do: the default scopes of its new tokens."""
    return ALL_SCOPES if is_admin else tuple(s for s in ALL_SCOPES if s != ADMIN)


def parse_scopes(text: str | None) -> tuple[str, ...]:
    """Stored text -> scopes, in the canonical order (unknown names are dropped)."""
    given = set((text or '').split())
    return tuple(s for s in ALL_SCOPES if s in given)


def scopes_text(scopes: tuple[str, ...] | list[str] | frozenset[str]) -> str:
    return ' '.join(s for s in ALL_SCOPES if s in set(scopes))
