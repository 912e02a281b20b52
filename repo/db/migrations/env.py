"""Alembic's environment: always called by repo.db.migrate with an open connection."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import repo.db.tables  # noqa: F401  (registers the tables on SQLModel.metadata)

connection = context.config.attributes['connection']
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,  # SQLite can only alter a table by copying it
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
