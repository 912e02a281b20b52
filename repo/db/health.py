"""Is the database usable? A cheap probe for `/healthz`, polled every second.

The engine's pool keeps connections open, and an open SQLite connection goes on reading a file
that was removed or replaced. So for a SQLite file the probe also opens the file afresh
(read-only, never creating it), checks its header and reads its schema: a missing,
unreadable or damaged file fails.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

SQLITE_MAGIC = b'SQLite format 3\x00'


def database_problem(engine: Engine) -> str | None:
    """None when the database answers; otherwise a short reason (no secrets: no URL)."""
    try:
        with engine.connect() as conn:
            conn.execute(text('SELECT 1')).scalar_one()
        if engine.dialect.name == 'sqlite' and engine.url.database not in (None, '', ':memory:'):
            with Path(engine.url.database).open('rb') as fh:  # the header itself: with WAL, a
                if fh.read(16) != SQLITE_MAGIC:  # connection may read page 1 from the log
                    return 'not a SQLite database file'
            fresh = sqlite3.connect(f'file:{engine.url.database}?mode=ro', uri=True, timeout=1)
            try:
                fresh.execute('SELECT count(*) FROM sqlite_master').fetchone()
            finally:
                fresh.close()
    except Exception as exc:
        return type(exc).__name__
    return None
