"""The database: tables, the engine, the unit of work with its repositories, migrations.

The only package that speaks SQL (SQLAlchemy/SQLModel); dialect differences stay in
`engine.py` and `dialect.py`.
"""
