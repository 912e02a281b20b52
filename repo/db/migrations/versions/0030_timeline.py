"""The timeline and the camera's facts: image.sort_at (date taken, else upload time) with its
indexes, ISO, exposure, aperture, focal length, GPS position and the owner's choice to share the
location with the original.

Revision ID: 0030_timeline
Revises: 0020
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0030_timeline'
down_revision = '0020'
branch_labels = None
depends_on = None

PLACEHOLDER = '1970-01-01 00:00:00'
NEW_COLUMNS = [
    sa.Column('iso', sa.Integer(), nullable=True),
    sa.Column('exposure_s', sa.Float(), nullable=True),
    sa.Column('f_number', sa.Float(), nullable=True),
    sa.Column('focal_mm', sa.Float(), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    # A plain '0' (false on SQLite and Postgres alike): with an SQL expression as the default,
    # as sa.false() is, Alembic rebuilds the table on SQLite, and the rebuild's DROP TABLE
    # cascades to the tag links.
    sa.Column('share_location', sa.Boolean(), nullable=False, server_default='0'),
]


def upgrade() -> None:
    found = sa.inspect(op.get_bind())
    columns = {c['name'] for c in found.get_columns('image')}
    indexes = {i['name'] for i in found.get_indexes('image')}
    missing = [c for c in NEW_COLUMNS if c.name not in columns]
    if 'sort_at' not in columns:
        # NOT NULL from the start, with a placeholder default that the backfill below replaces
        # at once (Shoebox always writes sort_at itself). Making a nullable column NOT NULL
        # afterwards would have SQLite rebuild the image table, and dropping the old one
        # cascades to the tag links.
        missing.append(
            sa.Column('sort_at', sa.DateTime(), nullable=False, server_default=PLACEHOLDER)
        )
    if missing:
        with op.batch_alter_table('image') as batch:  # ADD COLUMN only: never a rebuild
            for column in missing:
                batch.add_column(column)
    # Backfill: the date taken where the camera said, else the upload time. Both are stored
    # without a zone (created_at as UTC), so the copy needs no conversion.
    op.execute(
        f"UPDATE image SET sort_at = COALESCE(taken_at, created_at) WHERE sort_at = '{PLACEHOLDER}'"
    )
    for name, cols in (
        ('ix_image_sort_at', ['sort_at']),
        ('ix_image_owner_sort', ['owner_id', 'sort_at']),
        ('ix_image_visibility_sort', ['visibility', 'sort_at']),
    ):
        if name not in indexes:
            op.create_index(name, 'image', cols)


def downgrade() -> None:
    for name in ('ix_image_visibility_sort', 'ix_image_owner_sort', 'ix_image_sort_at'):
        op.drop_index(name, 'image')
    with op.batch_alter_table('image') as batch:
        batch.drop_column('sort_at')
        for column in reversed(NEW_COLUMNS):
            batch.drop_column(column.name)
