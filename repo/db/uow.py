"""The unit of work: one transaction per use case, and the events it emitted, handled after the
commit.

    with uow() as tx:
        image = tx.images.get(image_id)
        ...
        tx.emit(ImageChanged(image_id, public=True))

Leaving the block commits (or rolls back on an exception). Emitted events are written to the
event table inside the transaction, so they commit or vanish with it; once committed, the
`EventBus` hands them to this process's handlers (index worker, similarity cache, blob
clean-up). A handler's failure is logged and never undoes the use case: each consumer can catch
up from the event table.
"""

from __future__ import annotations

import logging
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import Any

from sqlalchemy import Connection, insert
from sqlalchemy.engine import Engine
from sqlmodel import Session

from repo.core.events import ImageEvent
from repo.db import dialect
from repo.db.repos.accounts_admin import AccountAdminRepository
from repo.db.repos.admin_records import (
    AuditRepository,
    ResetRepository,
    RuntimeSettingRepository,
)
from repo.db.repos.albums import AlbumRepository
from repo.db.repos.comments import CommentRepository
from repo.db.repos.credentials import SessionRepository, TokenRepository
from repo.db.repos.events import EventRepository
from repo.db.repos.images import ImageRepository
from repo.db.repos.search_docs import SearchDocRepository
from repo.db.repos.shares import ShareRepository
from repo.db.repos.shop import CartRepository, ListingRepository, OrderRepository
from repo.db.repos.tags import TagRepository
from repo.db.repos.throttle import ThrottleRepository
from repo.db.repos.trash import TrashRepository
from repo.db.repos.users import UserRepository
from repo.db.tables import Event, utcnow

log = logging.getLogger(__name__)

Handler = Callable[[Any], None]


class EventBus:
    """In-process subscribers per event class (a subscriber to a base class gets subclasses)."""

    def __init__(self) -> None:
        self._handlers: dict[type, list[Handler]] = defaultdict(list)

    def subscribe(self, kind: type, handler: Handler) -> None:
        self._handlers[kind].append(handler)

    def publish(self, events: list[Any]) -> None:
        for event in events:
            for kind in type(event).__mro__:
                for handler in self._handlers.get(kind, ()):
                    try:
                        handler(event)
                    except Exception:
                        log.exception('Handling %s failed', type(event).__name__)


class Transaction:
    """One open transaction: the repositories over it, and the events emitted so far."""

    def __init__(self, session: Session, origin: str) -> None:
        self.session = session
        self.origin = origin
        self.events: list[Any] = []

    @property
    def conn(self) -> Connection:
        return self.session.connection()

    def emit(self, event: Any) -> None:
        self.events.append(event)

    def lock_content(self, key: str) -> None:
        dialect.lock_content(self.conn, key)

    @cached_property
    def images(self) -> ImageRepository:
        return ImageRepository(self.session)

    @cached_property
    def tags(self) -> TagRepository:
        return TagRepository(self.session)

    @cached_property
    def users(self) -> UserRepository:
        return UserRepository(self.session)

    @cached_property
    def sessions(self) -> SessionRepository:
        return SessionRepository(self.session)

    @cached_property
    def tokens(self) -> TokenRepository:
        return TokenRepository(self.session)

    @cached_property
    def throttle(self) -> ThrottleRepository:
        return ThrottleRepository(self.session)

    @cached_property
    def event_log(self) -> EventRepository:
        return EventRepository(self.session)

    @cached_property
    def search_docs(self) -> SearchDocRepository:
        return SearchDocRepository(self.session)

    # ---- administration (issue 13) -------------------------------------------------------

    @cached_property
    def account_admin(self) -> AccountAdminRepository:
        return AccountAdminRepository(self.session)

    @cached_property
    def audit(self) -> AuditRepository:
        return AuditRepository(self.session)

    @cached_property
    def resets(self) -> ResetRepository:
        return ResetRepository(self.session)

    @cached_property
    def runtime_settings(self) -> RuntimeSettingRepository:
        return RuntimeSettingRepository(self.session)

    # ---- the shop (issue 15) --------------------------------------------------------------

    def begin_write(self) -> None:
        dialect.begin_write(self.conn)

    @cached_property
    def listings(self) -> ListingRepository:
        return ListingRepository(self.session)

    @cached_property
    def carts(self) -> CartRepository:
        return CartRepository(self.session)

    @cached_property
    def orders(self) -> OrderRepository:
        return OrderRepository(self.session)

    # ---- sharing (issue 12) ---------------------------------------------------------------

    @cached_property
    def shares(self) -> ShareRepository:
        return ShareRepository(self.session)

    @cached_property
    def albums(self) -> AlbumRepository:
        return AlbumRepository(self.session)

    @cached_property
    def trash(self) -> TrashRepository:
        return TrashRepository(self.session)

    @cached_property
    def comments(self) -> CommentRepository:
        return CommentRepository(self.session)

    def _write_events(self) -> None:
        rows = [
            {
                'kind': e.KIND,
                'image_id': e.image_id,
                'origin': self.origin,
                'created_at': utcnow(),
            }
            for e in self.events
            if isinstance(e, ImageEvent)
        ]
        if rows:
            self.conn.execute(insert(Event), rows)


class UnitOfWork:
    """`uow()` opens a Transaction; see the module docstring."""

    def __init__(self, engine: Engine, bus: EventBus | None = None) -> None:
        self.engine = engine
        self.bus = bus or EventBus()
        self.origin = secrets.token_hex(6)  # this process, in the event rows it writes

    @contextmanager
    def __call__(self) -> Iterator[Transaction]:
        session = Session(self.engine, expire_on_commit=False)
        tx = Transaction(session, self.origin)
        try:
            yield tx
            tx._write_events()
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
        if tx.events:
            self.bus.publish(tx.events)
