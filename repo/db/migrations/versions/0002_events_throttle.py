"""The event outbox with consumer cursors (replacing the index outbox), the shared sign-in
throttle, and the founder marker that makes the first account the administrator.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'event',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('kind', sa.String(), nullable=False),
        sa.Column('image_id', sa.String(), nullable=False),
        sa.Column('origin', sa.String(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_event_image_id', 'event', ['image_id'])
    op.create_table(
        'consumercursor',
        sa.Column('name', sa.String(), primary_key=True),
        sa.Column('position', sa.BigInteger(), nullable=False),
    )
    op.create_table(
        'loginfailure',
        sa.Column('key', sa.String(), primary_key=True),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('last_failure', sa.Float(), nullable=False),
    )
    # Index work that was still pending becomes events for the index's consumer (cursor 0).
    op.execute(
        'INSERT INTO event (kind, image_id, origin, created_at) '
        "SELECT 'image.changed', image_id, '', created_at FROM indexoutbox ORDER BY id"
    )
    op.drop_table('indexoutbox')  # its index goes with it
    # The first account made became the administrator; from now on a constraint decides it.
    op.execute(
        'INSERT INTO meta (key, value) SELECT \'founder\', CAST(MIN(id) AS VARCHAR) FROM "user" '
        'HAVING COUNT(*) > 0'
    )
    # Versions of Shoebox from before Alembic refuse a database whose version is above theirs (2).
    op.execute("DELETE FROM meta WHERE key = 'schema_version'")
    op.execute("INSERT INTO meta (key, value) VALUES ('schema_version', '3')")


def downgrade() -> None:
    op.create_table(
        'indexoutbox',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('image_id', sa.String(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_indexoutbox_image_id', 'indexoutbox', ['image_id'])
    op.execute("DELETE FROM meta WHERE key = 'founder'")
    op.drop_table('loginfailure')
    op.drop_table('consumercursor')
    op.drop_table('event')
