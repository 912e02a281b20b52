"""Engine factory: SQLite in WAL mode with a busy timeout and foreign keys on."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, create_engine, select

from repo.errors import ShoeboxError
from repo.models import SCHEMA_VERSION, Meta

BUSY_TIMEOUT_MS = 10_000


def make_engine(db_path: Path) -> Engine:
    """Create (on first start) and open the database; refuse a schema newer than this code."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        f'sqlite:///{db_path}',
        connect_args={'check_same_thread': False, 'timeout': BUSY_TIMEOUT_MS / 1000},
    )
    event.listen(engine, 'connect', _on_connect)
    SQLModel.metadata.create_all(engine)
    _record_schema_version(engine)
    return engine


def _on_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    cur = dbapi_conn.cursor()
    cur.execute('PRAGMA journal_mode=WAL')
    cur.execute(f'PRAGMA busy_timeout={BUSY_TIMEOUT_MS}')
    cur.execute('PRAGMA foreign_keys=ON')
    cur.execute('PRAGMA synchronous=NORMAL')
    cur.close()


def _record_schema_version(engine: Engine) -> None:
    with Session(engine) as session:
        row = session.exec(select(Meta).where(Meta.key == 'schema_version')).first()
        if row is None:
            session.add(Meta(key='schema_version', value=str(SCHEMA_VERSION)))
            session.commit()
        elif int(row.value) > SCHEMA_VERSION:
            raise ShoeboxError(
                f'The database has schema version {row.value}, newer than this Shoebox '
                f'({SCHEMA_VERSION}); upgrade Shoebox to open it.'
            )


def schema_version(engine: Engine) -> int:
    with Session(engine) as session:
        row = session.exec(select(Meta).where(Meta.key == 'schema_version')).one()
        return int(row.value)
