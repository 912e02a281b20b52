"""make_engine(url): the database engine, with the settings each dialect needs.

SQLite (the embedded default): WAL mode, a busy timeout, foreign keys on, `synchronous=NORMAL`.
The schema is brought up to date by `repo.db.migrate.ensure_schema`, not here.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import create_engine

BUSY_TIMEOUT_MS = 10_000


def sqlite_url(path: Path) -> str:
    return f'sqlite:///{path}'


def make_engine(url: str) -> Engine:
    """An engine for `url`; for a SQLite file, its folder is created first."""
    if url.startswith('postgresql://'):  # psycopg 3, not SQLAlchemy's default psycopg2
        url = 'postgresql+psycopg://' + url.removeprefix('postgresql://')
    parsed = make_url(url)
    if parsed.get_backend_name() == 'sqlite':
        if parsed.database and parsed.database != ':memory:':
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={'check_same_thread': False, 'timeout': BUSY_TIMEOUT_MS / 1000},
        )
        event.listen(engine, 'connect', _on_sqlite_connect)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _on_sqlite_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    cur = dbapi_conn.cursor()
    cur.execute('PRAGMA journal_mode=WAL')
    cur.execute(f'PRAGMA busy_timeout={BUSY_TIMEOUT_MS}')
    cur.execute('PRAGMA foreign_keys=ON')
    cur.execute('PRAGMA synchronous=NORMAL')
    cur.close()
