"""Who is asking: a signed-in user, an anonymous visitor, or the server itself (the CLI on the
data folder). Every public service method takes one first; `policy` decides what it may do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ActorKind = Literal['user', 'anonymous', 'system']


@dataclass(frozen=True)
class Actor:
    kind: ActorKind = 'anonymous'
    user_id: int | None = None
    username: str | None = None
    is_admin: bool = False
    # What a personal API token was allowed (repo.core.scopes); None: everything the account
    # may do (a browser session, the server itself).
    scopes: frozenset[str] | None = None

    @classmethod
    def user(
        cls,
        user_id: int,
        username: str | None = None,
        *,
        is_admin: bool = False,
        scopes: frozenset[str] | None = None,
    ) -> Actor:
        return cls('user', user_id, username, is_admin, scopes)

    @classmethod
    def of(cls, user: object | None) -> Actor:
        """The actor for a `UserPublic` (or anything with id, username, is_admin); None is
        the anonymous visitor. A `TokenUser` (a caller by API token) brings its token's scopes."""
        if user is None:
            return ANONYMOUS
        scopes = getattr(user, 'token_scopes', None)
        return cls.user(
            user.id,  # type: ignore[attr-defined]
            getattr(user, 'username', None),
            is_admin=bool(getattr(user, 'is_admin', False)),
            scopes=frozenset(scopes) if scopes is not None else None,
        )

    @property
    def is_anonymous(self) -> bool:
        return self.kind == 'anonymous'

    @property
    def is_system(self) -> bool:
        return self.kind == 'system'


ANONYMOUS = Actor()
# The server acting on its own data folder (`shoebox users ...`, `shoebox import`): trusted like
# an administrator, but never anybody's account.
SYSTEM = Actor('system', None, 'system', True)
