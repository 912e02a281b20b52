"""Baseline: the schema of Shoebox's hand-migrated databases at their version 2.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'meta',
        sa.Column('key', sa.String(), primary_key=True),
        sa.Column('value', sa.String(), nullable=False),
    )
    op.create_table(
        'user',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('username', sa.String(), nullable=False),
        sa.Column('display_name', sa.String(), nullable=False),
        sa.Column('email', sa.String(), nullable=True),
        sa.Column('password_hash', sa.String(), nullable=False),
        sa.Column('is_admin', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_user_username', 'user', ['username'], unique=True)
    op.create_table(
        'tag',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('name', sa.String(), nullable=False),
    )
    op.create_index('ix_tag_name', 'tag', ['name'], unique=True)
    op.create_table(
        'indexoutbox',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('image_id', sa.String(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_indexoutbox_image_id', 'indexoutbox', ['image_id'])
    op.create_table(
        'image',
        sa.Column('id', sa.String(), primary_key=True),
        sa.Column(
            'owner_id',
            sa.Integer(),
            sa.ForeignKey('user.id', ondelete='CASCADE'),
            nullable=False,
        ),
        sa.Column('title', sa.String(), nullable=False),
        sa.Column('description', sa.String(), nullable=False),
        sa.Column('filename', sa.String(), nullable=False),
        sa.Column('visibility', sa.String(), nullable=False),
        sa.Column('allow_download', sa.Boolean(), nullable=False),
        sa.Column('sha256', sa.String(), nullable=False),
        sa.Column('format', sa.String(), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.Column('size_bytes', sa.Integer(), nullable=False),
        sa.Column('taken_at', sa.DateTime(), nullable=True),
        sa.Column('camera', sa.String(), nullable=True),
        sa.Column('colors', sa.String(), nullable=False),
        sa.Column('dhash', sa.BigInteger(), nullable=False),
        sa.Column('signature', sa.LargeBinary(), nullable=False),
        sa.Column('color_names', sa.String(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint('owner_id', 'sha256', name='uq_image_owner_sha'),
    )
    op.create_index('ix_image_created_at', 'image', ['created_at'])
    op.create_index('ix_image_owner_id', 'image', ['owner_id'])
    op.create_index('ix_image_visibility', 'image', ['visibility'])
    op.create_index('ix_image_sha256', 'image', ['sha256'])
    op.create_index('ix_image_owner_created', 'image', ['owner_id', 'created_at'])
    op.create_index('ix_image_visibility_created', 'image', ['visibility', 'created_at'])
    op.create_table(
        'loginsession',
        sa.Column('id_hash', sa.String(), primary_key=True),
        sa.Column(
            'user_id', sa.Integer(), sa.ForeignKey('user.id', ondelete='CASCADE'), nullable=False
        ),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_loginsession_user_id', 'loginsession', ['user_id'])
    op.create_table(
        'apitoken',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column(
            'user_id', sa.Integer(), sa.ForeignKey('user.id', ondelete='CASCADE'), nullable=False
        ),
        sa.Column('name', sa.String(), nullable=False),
        sa.Column('token_hash', sa.String(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index('ix_apitoken_token_hash', 'apitoken', ['token_hash'], unique=True)
    op.create_index('ix_apitoken_user_id', 'apitoken', ['user_id'])
    op.create_table(
        'imagetag',
        sa.Column(
            'image_id',
            sa.String(),
            sa.ForeignKey('image.id', ondelete='CASCADE'),
            primary_key=True,
        ),
        sa.Column(
            'tag_id', sa.Integer(), sa.ForeignKey('tag.id', ondelete='CASCADE'), primary_key=True
        ),
        sa.Column('auto', sa.Boolean(), nullable=False),
    )
    op.create_index('ix_imagetag_tag_id', 'imagetag', ['tag_id'])


def downgrade() -> None:
    for table in ('imagetag', 'apitoken', 'loginsession', 'image', 'indexoutbox', 'tag'):
        op.drop_table(table)
    op.drop_table('user')
    op.drop_table('meta')
