"""Bring the database schema up to date with Alembic: once, by whichever process gets there
first, never raced by `create_all` at every start.

A quick look at `alembic_version` decides whether anything is to do (Alembic itself is only
imported then). Databases from before Alembic (a `meta.schema_version` of 1 or 2) are adopted:
version 1 gets its two hand-written steps, then both are stamped as the baseline revision.
"""

from __future__ import annotations

import contextlib
import fcntl
import re
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Connection, inspect, text
from sqlalchemy.engine import Engine

from repo.core.errors import ShoeboxError
from repo.db.dialect import is_postgres

MIGRATIONS_DIR = Path(__file__).parent / 'migrations'
BASELINE = '0001'
_REVISION = re.compile(r"^revision = '([^']+)'$", re.M)
_DOWN = re.compile(r"^down_revision = (?:'([^']+)'|None)$", re.M)


def _revisions() -> dict[str, str | None]:
    """revision -> down_revision of every script, read as text (Alembic is imported only when
    there is something to migrate)."""
    found = {}
    for path in (MIGRATIONS_DIR / 'versions').glob('*.py'):
        source = path.read_text(encoding='utf-8')
        revision, down = _REVISION.search(source), _DOWN.search(source)
        if revision and down:
            found[revision.group(1)] = down.group(1)
    return found


KNOWN = tuple(sorted(_revisions()))
HEAD = next(r for r in KNOWN if r not in set(_revisions().values()))
MIGRATE_LOCK_ID = 0x5B0E_0001  # Postgres advisory lock held while migrating
LEGACY_V2 = [
    "ALTER TABLE image ADD COLUMN signature BLOB NOT NULL DEFAULT x''",
    "ALTER TABLE image ADD COLUMN color_names VARCHAR NOT NULL DEFAULT ''",
    'ALTER TABLE imagetag ADD COLUMN auto BOOLEAN NOT NULL DEFAULT 0',
    'CREATE INDEX IF NOT EXISTS ix_image_owner_created ON image (owner_id, created_at)',
    'CREATE INDEX IF NOT EXISTS ix_image_visibility_created ON image (visibility, created_at)',
]


def ensure_schema(engine: Engine) -> bool:
    """Migrate to HEAD if needed; True when anything was done.

    On Postgres a quick look comes first, outside the lock. On SQLite the file lock comes
    first: a process's very first connection switches a new file to WAL, which must not meet
    another process's migration transaction (it would wait on the busy timeout and fail when a
    loaded machine makes the migration slower than that); the lock is a cheap flock."""
    if engine.dialect.name != 'sqlite':
        with engine.connect() as conn:
            if current_revision(conn) == HEAD:
                return False
    lock = _migration_lock(engine)
    with lock, engine.connect() as conn, _foreign_keys_off(conn), conn.begin():
        found = current_revision(conn)
        if found == HEAD:
            return False
        if found is not None and found not in KNOWN:
            raise ShoeboxError(
                f'The database is at schema revision {found}, newer than this Shoebox '
                f'({HEAD}); upgrade Shoebox to open it.'
            )
        if found is None:
            _adopt_legacy(conn)
        _upgrade(conn)
        _check_foreign_keys(conn)
    return True


@contextlib.contextmanager
def _foreign_keys_off(conn: Connection) -> Iterator[None]:
    """SQLite rebuilds a table to change it (Alembic's batch mode: copy, DROP, rename). With
    foreign keys enforced, that DROP deletes every row that points at the table: rebuilding
    `user` would take every image, tag link and token with it. So a migration runs with them
    off (the PRAGMA only takes effect outside a transaction) and checks them at the end."""
    if conn.dialect.name != 'sqlite':
        yield
        return
    conn.exec_driver_sql('PRAGMA foreign_keys=OFF')
    conn.commit()
    try:
        yield
    finally:
        conn.exec_driver_sql('PRAGMA foreign_keys=ON')
        conn.commit()


def _check_foreign_keys(conn: Connection) -> None:
    """Refuse (and roll back) a migration that left a row pointing at nothing."""
    if conn.dialect.name != 'sqlite':
        return
    broken = conn.exec_driver_sql('PRAGMA foreign_key_check').fetchall()
    if broken:
        raise ShoeboxError(f'The schema migration left rows pointing at nothing: {broken[:5]}')


def current_revision(conn: Connection) -> str | None:
    if not inspect(conn).has_table('alembic_version'):
        return None
    return conn.execute(text('SELECT version_num FROM alembic_version')).scalar()


def _upgrade(conn: Connection) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option('script_location', str(MIGRATIONS_DIR))
    config.attributes['connection'] = conn
    command.upgrade(config, 'head')


def _adopt_legacy(conn: Connection) -> None:
    """A database made before Alembic: finish its hand-written steps, then stamp the baseline."""
    if not inspect(conn).has_table('meta'):
        return  # a new, empty database: the migrations create everything
    version = conn.execute(text("SELECT value FROM meta WHERE key = 'schema_version'")).scalar()
    found = int(version or 1)
    if found > 2:
        raise ShoeboxError(
            f'The database has schema version {found} but no migration record; '
            'it was not made by this Shoebox.'
        )
    if found < 2:
        columns = {
            (table, c['name'])
            for table in ('image', 'imagetag')
            for c in inspect(conn).get_columns(table)
        }
        for statement in LEGACY_V2:
            words = statement.split()
            if words[0] == 'ALTER' and (words[2], words[5]) in columns:
                continue
            conn.exec_driver_sql(statement)
    conn.exec_driver_sql('CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)')
    conn.execute(text('INSERT INTO alembic_version (version_num) VALUES (:v)'), {'v': BASELINE})


@contextlib.contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """One migrating process at a time: an advisory lock on Postgres, a file lock beside a SQLite
    file (every process of a SQLite library is on one machine)."""
    if engine.dialect.name == 'sqlite':
        database = engine.url.database
        if not database or database == ':memory:':
            yield
            return
        with open(Path(database).with_suffix('.migrate-lock'), 'a+') as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
        return
    with engine.connect() as conn:
        assert is_postgres(conn)
        conn.execute(text('SELECT pg_advisory_lock(:k)'), {'k': MIGRATE_LOCK_ID})
        try:
            yield
        finally:
            conn.execute(text('SELECT pg_advisory_unlock(:k)'), {'k': MIGRATE_LOCK_ID})
            conn.commit()
