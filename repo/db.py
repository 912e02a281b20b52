"""Engine factory: SQLite in WAL mode with a busy timeout and foreign keys on."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, create_engine, select

from repo.errors import ShoeboxError
from repo.models import SCHEMA_VERSION, Meta

BUSY_TIMEOUT_MS = 10_000


# Changes to databases made by earlier versions: target version -> statements, in order.
# create_all() makes new tables and the indexes of new tables; columns and indexes added to
# existing tables need these. Each step is idempotent (a column already there is skipped).
MIGRATIONS: dict[int, list[str]] = {
    2: [
        "ALTER TABLE image ADD COLUMN signature BLOB NOT NULL DEFAULT x''",
        "ALTER TABLE image ADD COLUMN color_names VARCHAR NOT NULL DEFAULT ''",
        'ALTER TABLE imagetag ADD COLUMN auto BOOLEAN NOT NULL DEFAULT 0',
        'CREATE INDEX IF NOT EXISTS ix_image_owner_created ON image (owner_id, created_at)',
        'CREATE INDEX IF NOT EXISTS ix_image_visibility_created ON image (visibility, created_at)',
    ],
}


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
            return
        found = int(row.value)
        if found > SCHEMA_VERSION:
            raise ShoeboxError(
                f'The database has schema version {found}, newer than this Shoebox '
                f'({SCHEMA_VERSION}); upgrade Shoebox to open it.'
            )
    if found < SCHEMA_VERSION:
        _migrate(engine, found)


def _migrate(engine: Engine, found: int) -> None:
    """Bring a database from an earlier version up to SCHEMA_VERSION in one transaction."""
    with engine.begin() as conn:
        for version in range(found + 1, SCHEMA_VERSION + 1):
            for statement in MIGRATIONS.get(version, []):
                if statement.startswith('ALTER TABLE') and _has_column(conn, statement):
                    continue
                conn.exec_driver_sql(statement)
        conn.exec_driver_sql(
            "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),)
        )


def _has_column(conn, statement: str) -> bool:  # type: ignore[no-untyped-def]
    """For 'ALTER TABLE t ADD COLUMN c ...': whether t already has c."""
    words = statement.split()
    table, column = words[2], words[5]
    return any(row[1] == column for row in conn.exec_driver_sql(f'PRAGMA table_info({table})'))


def schema_version(engine: Engine) -> int:
    with Session(engine) as session:
        row = session.exec(select(Meta).where(Meta.key == 'schema_version')).one()
        return int(row.value)
