"""Alembic migrations of the Shoebox database (run by repo.db.migrate, in batch mode)."""
