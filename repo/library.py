"""Library: a thin scripting facade over the services, taking user ids instead of Actors.

For tests, benchmarks and one-off scripts that drive the domain directly. The app itself (pages,
API, CLI) calls the services of `repo.container` with the Actor of whoever is asking.

`library.add(user_id, ...)` is `services.ingest.add(Actor.user(user_id), ...)`, and so on for
every method named in BY_USER (None is the anonymous visitor); SYSTEM_CALLS run as the server
itself; anything else (engine, blobs, settings, ...) is the services' own attribute.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from repo.config import Settings
from repo.container import Services, build
from repo.core.actor import ANONYMOUS, SYSTEM, Actor
from repo.core.uploads import AddResult, UploadItem

__all__ = ['AddResult', 'Library', 'UploadItem']

BY_USER = {
    'add': 'ingest.add',
    'add_many': 'ingest.add_many',
    'get': 'images.get',
    'list': 'images.list',
    'update': 'images.update',
    'delete': 'images.delete',
    'delete_many': 'images.delete_many',
    'open_file': 'images.open_file',
    'search': 'finding.search',
    'similar': 'finding.similar',
    'search_by_image': 'finding.search_by_image',
    'duplicates': 'finding.duplicates',
    'tags': 'finding.tags',
    'trash': 'trash.list',
    'restore': 'trash.restore',
    'empty_trash': 'trash.empty',
    'change_password': 'accounts.change_password',
    'sessions.create': 'signin.start_session',
    'tokens.create': 'signin.create_token',
    'tokens.list': 'signin.list_tokens',
    'tokens.revoke': 'signin.revoke_token',
}
SYSTEM_CALLS = {
    'create_user': 'accounts.create_user',
    'get_user': 'accounts.get_user',
    'find_user': 'accounts.find_user',
    'list_users': 'accounts.list_users',
    'delete_user': 'accounts.delete_user',
    'authenticate': 'signin.authenticate',
    'wait_for_index': 'maintenance.wait_for_index',
    'reindex': 'maintenance.reindex',
    'check': 'maintenance.check',
    'sessions.end': 'signin.end_session',
    'tokens.revoke_value': 'signin.revoke_token_value',
}
LOOKUPS = {
    'sessions.user': 'signin.session_user',
    'tokens.user': 'signin.token_user',
    'stage': 'ingest.stage',
    'start_workers': 'workers.start',
    'executor': 'workers.executor',
}


def _as(user_id: int | None) -> Actor:
    return ANONYMOUS if user_id is None else Actor.user(user_id)


def _by_user(method: Any, user_id: int | None, *args: Any, **kwargs: Any) -> Any:
    return method(_as(user_id), *args, **kwargs)


class _Calls:
    """Facade methods under one name (`library.sessions.create(...)`, `library.add(...)`)."""

    def __init__(self, services: Services, prefix: str = '') -> None:
        self._services = services
        self._prefix = prefix

    def __getattr__(self, name: str) -> Any:
        key = self._prefix + name
        for table, wrap in ((BY_USER, True), (SYSTEM_CALLS, False), (LOOKUPS, None)):
            if key in table:
                service, method_name = table[key].split('.')
                method = getattr(getattr(self._services, service), method_name)
                if wrap is None:
                    return method
                return partial(_by_user, method) if wrap else partial(method, SYSTEM)
        if any(k.startswith(key + '.') for k in (*BY_USER, *SYSTEM_CALLS, *LOOKUPS)):
            return _Calls(self._services, key + '.')
        return getattr(self._services, name)


class Library(_Calls):
    def __init__(
        self, settings: Settings | None = None, *, services: Services | None = None,
        start_worker: bool = True, **parts: Any,
    ) -> None:  # fmt: skip
        if services is None:
            assert settings is not None
            services = build(settings, background=start_worker, **parts)
        super().__init__(services)
        self.services = services
        self.settings = services.settings
        services.index_feed  # noqa: B018  (opened at once, as the app does)

    @property
    def throttle(self) -> Any:
        return self.services.signin.throttle

    @throttle.setter
    def throttle(self, throttle: Any) -> None:
        self.services.signin.throttle = throttle

    def close(self) -> None:
        self.services.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
