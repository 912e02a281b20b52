"""A consistent copy of the database while the server writes to it, and what a copy refers to.

SQLite: the online backup API (`sqlite3.Connection.backup`) copies the pages of one read
snapshot, so the copy is the database as of one moment, whatever commits meanwhile; writers are
not stopped. (Postgres would be `pg_dump`; Shoebox runs on SQLite only so far.)
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from repo.db.engine import make_engine, sqlite_url
from repo.db.tables import Image

PAGES_PER_STEP = 1024  # the backup copies this many pages, then lets writers in again


class SnapshotUnsupported(RuntimeError):
    pass


def snapshot_database(engine: Engine, target: Path) -> None:
    """Write a consistent copy of the database to `target` (a new file)."""
    if engine.dialect.name != 'sqlite':
        raise SnapshotUnsupported(f'backups of a {engine.dialect.name} database need pg_dump')
    raw = engine.raw_connection()
    try:
        source = raw.driver_connection
        copy = sqlite3.connect(target)
        try:
            source.backup(copy, pages=PAGES_PER_STEP)  # type: ignore[union-attr]
        finally:
            copy.close()
    finally:
        raw.close()


def _open(db_file: Path) -> Engine:
    return make_engine(sqlite_url(db_file))


def shas_in(db_file: Path) -> list[str]:
    """The content hashes every image row of the copy refers to."""
    engine = _open(db_file)
    try:
        with Session(engine) as session:
            return list(session.exec(select(Image.sha256).distinct()))
    finally:
        engine.dispose()


def drop_images_of(db_file: Path, shas: Iterable[str]) -> int:
    """Remove from the copy the images of these bytes (deleted, bytes and all, after the copy
    was taken): the copy then refers only to what was saved beside it. Their tags go with them
    (foreign keys cascade)."""
    wanted = list(shas)
    if not wanted:
        return 0
    engine = _open(db_file)
    try:
        with Session(engine) as session:
            result = session.exec(delete(Image).where(col(Image.sha256).in_(wanted)))
            session.commit()
            return int(result.rowcount or 0)
    finally:
        engine.dispose()
