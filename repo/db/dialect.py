"""The few statements that differ between SQLite and Postgres, in one place."""

from __future__ import annotations

import zlib
from typing import Any

from sqlalchemy import Connection, Table, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert


def is_postgres(conn: Connection) -> bool:
    return conn.dialect.name == 'postgresql'


def insert_or_ignore(conn: Connection, table: Table | Any) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING for this connection's dialect."""
    insert = pg_insert if is_postgres(conn) else sqlite_insert
    return insert(table).on_conflict_do_nothing()


def insert_if_absent(conn: Connection, table: Table | Any, values: dict[str, Any]) -> bool:
    """Insert the row unless its key is taken; True when this call inserted it.

    Decided by RETURNING, not the row count: psycopg reports -1 for INSERT .. ON CONFLICT.
    """
    statement = insert_or_ignore(conn, table).values(**values)
    return conn.execute(statement.returning(*table.__table__.primary_key)).first() is not None


def upsert(conn: Connection, table: Table | Any, keys: list[str], values: dict[str, Any]) -> None:
    """Insert `values`, or update the row with the same `keys` to them."""
    insert = pg_insert if is_postgres(conn) else sqlite_insert
    statement = insert(table).values(**values)
    changed = {k: statement.excluded[k] for k in values if k not in keys}
    conn.execute(statement.on_conflict_do_update(index_elements=keys, set_=changed))


def lock_content(conn: Connection, key: str) -> None:
    """Serialise this transaction with every other one that locks the same key, until commit.

    Used around a blob's last reference: an upload that reuses stored bytes and a delete that
    removes them must not interleave. On Postgres, a transaction-scoped advisory lock on the key;
    SQLite has one writer at a time, so taking its write lock now (a no-op UPDATE) is enough.
    """
    if is_postgres(conn):
        conn.execute(text('SELECT pg_advisory_xact_lock(:k)'), {'k': _lock_id(key)})
    else:
        conn.exec_driver_sql("UPDATE meta SET value = value WHERE key = ''")


def _lock_id(key: str) -> int:
    """A stable signed 64-bit lock id for a string key."""
    value = zlib.crc32(key.encode()) | (zlib.adler32(key.encode()) << 32)
    return value - (1 << 64) if value >= 1 << 63 else value


def lock_owner(conn: Connection, user_id: int) -> None:
    """Serialise this transaction with every other one that locks the same account, until
    commit: an upload's quota check and insert happen as one step per owner.

    On Postgres, the account's row (`SELECT ... FOR UPDATE`); SQLite has one writer at a time,
    so its write lock (taken now) is enough.
    """
    if is_postgres(conn):
        conn.execute(text('SELECT id FROM "user" WHERE id = :id FOR UPDATE'), {'id': user_id})
    else:
        conn.exec_driver_sql("UPDATE meta SET value = value WHERE key = ''")


def begin_write(conn: Connection) -> None:
    """Make this transaction a writer from its first statement, so that what it reads next is
    not overtaken by another writer before it writes (a checkout reads the cart, then takes
    stock). SQLite: its write lock, now (waiting up to the busy timeout rather than failing on
    a stale snapshot). Postgres needs nothing: its conditional UPDATEs wait for row locks and
    re-check their condition on the row as committed."""
    if not is_postgres(conn):
        conn.exec_driver_sql("UPDATE meta SET value = value WHERE key = ''")
