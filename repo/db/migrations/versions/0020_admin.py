"""Administration: disabled accounts, quotas, last-seen times, scoped and expiring tokens,
password reset links, the audit log and runtime settings.

Revision ID: 0020
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0002'
branch_labels = None
depends_on = None

ALL_SCOPES_TEXT = 'images:read images:write images:delete shares:write shop admin'


def upgrade() -> None:
    # Each step only if it is still to do: a database put back to an older revision by hand
    # (tests/test_durability.py does so) may already have some of these.
    found = sa.inspect(op.get_bind())
    tables = set(found.get_table_names())
    user_columns = {c['name'] for c in found.get_columns('user')}
    token_columns = {c['name'] for c in found.get_columns('apitoken')}
    image_indexes = {i['name'] for i in found.get_indexes('image')}
    new_user_columns = [
        sa.Column('disabled', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column('must_change_password', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('quota_bytes', sa.BigInteger(), nullable=True),
        sa.Column('quota_images', sa.Integer(), nullable=True),
    ]
    missing = [c for c in new_user_columns if c.name not in user_columns]
    if missing:
        with op.batch_alter_table('user') as batch:
            for column in missing:
                batch.add_column(column)
    # Tokens made before scopes existed keep acting fully as their account.
    new_token_columns = [
        sa.Column('scopes', sa.String(), nullable=False, server_default=ALL_SCOPES_TEXT),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    ]
    missing = [c for c in new_token_columns if c.name not in token_columns]
    if missing:
        with op.batch_alter_table('apitoken') as batch:
            for column in missing:
                batch.add_column(column)
    if 'ix_image_owner_size' not in image_indexes:
        op.create_index('ix_image_owner_size', 'image', ['owner_id', 'size_bytes'])
    if 'auditentry' not in tables:
        op.create_table(
            'auditentry',
            sa.Column('id', sa.Integer(), primary_key=True),
            sa.Column('at', sa.DateTime(timezone=True), nullable=False),
            sa.Column('actor', sa.String(), nullable=False),
            sa.Column('action', sa.String(), nullable=False),
            sa.Column('target', sa.String(), nullable=False),
            sa.Column('details', sa.String(), nullable=False),
        )
        op.create_index('ix_auditentry_at', 'auditentry', ['at'])
    if 'passwordreset' not in tables:
        op.create_table(
            'passwordreset',
            sa.Column('token_hash', sa.String(), primary_key=True),
            sa.Column(
                'user_id',
                sa.Integer(),
                sa.ForeignKey('user.id', ondelete='CASCADE'),
                nullable=False,
            ),
            sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
            sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
            sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        )
        op.create_index('ix_passwordreset_user_id', 'passwordreset', ['user_id'])
    if 'runtimesetting' not in tables:
        op.create_table(
            'runtimesetting',
            sa.Column('key', sa.String(), primary_key=True),
            sa.Column('value', sa.String(), nullable=False),
            sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        )


def downgrade() -> None:
    op.drop_table('runtimesetting')
    op.drop_table('passwordreset')
    op.drop_table('auditentry')
    op.drop_index('ix_image_owner_size', 'image')
    with op.batch_alter_table('apitoken') as batch:
        batch.drop_column('expires_at')
        batch.drop_column('scopes')
    with op.batch_alter_table('user') as batch:
        for name in ('quota_images', 'quota_bytes', 'last_seen_at', 'must_change_password'):
            batch.drop_column(name)
        batch.drop_column('disabled')
