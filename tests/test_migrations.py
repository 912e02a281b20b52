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
