"""Schema migrations (Alembic): a new database, an old one, several processes at once; on
SQLite and on a real Postgres server (tests/backends.py)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlmodel import SQLModel

import repo.db.tables  # noqa: F401  (registers the tables)
from repo.core.errors import ShoeboxError
from repo.db.engine import make_engine, sqlite_url
from repo.db.migrate import HEAD, KNOWN, MIGRATIONS_DIR, ensure_schema

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(params=['sqlite', 'postgres'])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new, empty database: a SQLite file, or a fresh database on the test Postgres."""
    if request.param == 'postgres':
        return request.getfixturevalue('postgres_url')
    return sqlite_url(tmp_path / 'new.db')


def test_head_and_known_revisions_match_the_scripts():
    config = Config()
    config.set_main_option('script_location', str(MIGRATIONS_DIR))
    scripts = ScriptDirectory.from_config(config)
    assert scripts.get_current_head() == HEAD
    assert {s.revision for s in scripts.walk_revisions()} == set(KNOWN)


def test_the_migrations_make_exactly_the_tables_of_the_models(database_url: str):
    engine = make_engine(database_url)
    assert ensure_schema(engine) is True
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []
    assert ensure_schema(engine) is False  # at head: nothing to do, Alembic not even asked


def test_a_database_newer_than_this_code_is_refused(database_url: str):
    engine = make_engine(database_url)
    ensure_schema(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(ShoeboxError, match='newer than this Shoebox'):
        ensure_schema(engine)


def test_processes_starting_together_migrate_once(database_url: str):
    """Four processes on one new database (a file lock on SQLite, an advisory lock on
    Postgres): one migrates, the others find the schema done."""
    script = textwrap.dedent(
        f"""
        from repo.db.engine import make_engine
        from repo.db.migrate import ensure_schema
        print(ensure_schema(make_engine({database_url!r})))
        """
    )
    runs = [
        subprocess.Popen(
            [sys.executable, '-c', script], cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    outputs = [r.communicate(timeout=120)[0].strip() for r in runs]
    assert all(r.returncode == 0 for r in runs)
    assert sorted(outputs) == ['False', 'False', 'False', 'True']


def _upgrade_to(engine, revision: str) -> None:  # type: ignore[no-untyped-def]
    from alembic import command

    config = Config()
    config.set_main_option('script_location', str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        config.attributes['connection'] = conn
        command.upgrade(config, revision)


def _insert(conn, table: str, **given: object) -> None:  # type: ignore[no-untyped-def]
    """A row with the given values, and a plain value in every other required column."""
    from sqlalchemy import inspect

    plain = {'INTEGER': 0, 'BIGINT': 0, 'BOOLEAN': 0, 'DATETIME': '2020-01-01 00:00:00'}
    row = dict(given)
    for column in inspect(conn).get_columns(table):
        if column['name'] in row or column['nullable'] or column['default'] is not None:
            continue
        row[column['name']] = plain.get(str(column['type']).split('(')[0], 'x')
    names = ', '.join(f'"{n}"' for n in row)
    marks = ', '.join(f':{n}' for n in row)
    conn.execute(text(f'INSERT INTO "{table}" ({names}) VALUES ({marks})'), row)


def test_every_row_of_an_existing_library_survives_the_migrations(tmp_path: Path):
    """A library at the schema before administration (revision 0002): the later migrations
    rebuild tables on SQLite (copy, drop, rename); not one image, tag link or token may go."""
    engine = make_engine(sqlite_url(tmp_path / 'library.db'))
    _upgrade_to(engine, '0002')
    with engine.begin() as conn:
        for user_id in (1, 2):
            _insert(conn, 'user', id=user_id, username=f'user{user_id}')
            _insert(conn, 'apitoken', id=user_id, user_id=user_id, token_hash=f'hash{user_id}')
        _insert(conn, 'tag', id=1, name='kept')
        for n in range(30):
            _insert(conn, 'image', id=f'img{n}', owner_id=1 + n % 2, sha256=f'{n:064d}')
            _insert(conn, 'imagetag', image_id=f'img{n}', tag_id=1)
    counts = ('image', 'imagetag', 'apitoken', 'user', 'tag')

    def counted() -> dict[str, int]:
        with engine.connect() as conn:
            return {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar() for t in counts}

    before = counted()
    assert before == {'image': 30, 'imagetag': 30, 'apitoken': 2, 'user': 2, 'tag': 1}
    assert ensure_schema(engine) is True
    assert counted() == before
    with engine.connect() as conn:
        assert conn.execute(text('SELECT version_num FROM alembic_version')).scalar() == HEAD
        assert conn.exec_driver_sql('PRAGMA foreign_keys').scalar() == 1  # enforced again
