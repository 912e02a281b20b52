"""Sharing: share links (with their images and wrong-password records), albums, the trash,
comments.

Revision ID: 0040_sharing
Revises: 0020
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0040_sharing'
down_revision = '0030_timeline'
branch_labels = None
depends_on = None


def _fk(table: str, ondelete: str = 'CASCADE') -> sa.ForeignKey:
    return sa.ForeignKey(f'{table}.id', ondelete=ondelete)


def _owner() -> sa.Column:
    return sa.Column('owner_id', sa.Integer(), _fk('user'), nullable=False)


def upgrade() -> None:
    tables = set(sa.inspect(op.get_bind()).get_table_names())
    if 'album' not in tables:
        op.create_table(
            'album',
            sa.Column('id', sa.String(), primary_key=True),
            _owner(),
            sa.Column('title', sa.String(), nullable=False),
            sa.Column('description', sa.String(), nullable=False),
            sa.Column('visibility', sa.String(), nullable=False),
            sa.Column('cover_image_id', sa.String(), _fk('image', 'SET NULL'), nullable=True),
            sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
            sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        )
        op.create_index('ix_album_owner_id', 'album', ['owner_id'])
    if 'albumimage' not in tables:
        op.create_table(
            'albumimage',
            sa.Column('album_id', sa.String(), _fk('album'), primary_key=True),
            sa.Column('image_id', sa.String(), _fk('image'), primary_key=True),
            sa.Column('position', sa.Integer(), nullable=False),
            sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
        )
        op.create_index('ix_albumimage_image_id', 'albumimage', ['image_id'])
    if 'sharelink' not in tables:
        op.create_table(
            'sharelink',
            sa.Column('id', sa.String(), primary_key=True),
            sa.Column('key', sa.String(), nullable=False),
            _owner(),
            sa.Column('album_id', sa.String(), _fk('album'), nullable=True),
            sa.Column('label', sa.String(), nullable=False),
            sa.Column('password_hash', sa.String(), nullable=True),
            sa.Column('allow_download', sa.Boolean(), nullable=False),
            sa.Column('show_metadata', sa.Boolean(), nullable=False),
            sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
            sa.Column('views', sa.Integer(), nullable=False),
            sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        )
        op.create_index('ix_sharelink_key', 'sharelink', ['key'], unique=True)
        op.create_index('ix_sharelink_owner_id', 'sharelink', ['owner_id'])
        op.create_index('ix_sharelink_album_id', 'sharelink', ['album_id'])
    if 'shareimage' not in tables:
        op.create_table(
            'shareimage',
            sa.Column('share_id', sa.String(), _fk('sharelink'), primary_key=True),
            sa.Column('image_id', sa.String(), _fk('image'), primary_key=True),
            sa.Column('position', sa.Integer(), nullable=False),
        )
        op.create_index('ix_shareimage_image_id', 'shareimage', ['image_id'])
    if 'sharefailure' not in tables:
        op.create_table(
            'sharefailure',
            sa.Column('id', sa.Integer(), primary_key=True),
            sa.Column('share_id', sa.String(), _fk('sharelink'), nullable=False),
            sa.Column('at', sa.Float(), nullable=False),
        )
        op.create_index('ix_sharefailure_share_id', 'sharefailure', ['share_id'])
    if 'trashedimage' not in tables:
        op.create_table(
            'trashedimage',
            sa.Column('image_id', sa.String(), primary_key=True),
            _owner(),
            sa.Column('sha256', sa.String(), nullable=False),
            sa.Column('title', sa.String(), nullable=False),
            sa.Column('size_bytes', sa.BigInteger(), nullable=False),
            sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=False),
            sa.Column('row', sa.Text(), nullable=False),
            sa.Column('links', sa.Text(), nullable=False),
        )
        op.create_index('ix_trashedimage_owner_id', 'trashedimage', ['owner_id'])
        op.create_index('ix_trashedimage_sha256', 'trashedimage', ['sha256'])
        op.create_index('ix_trashedimage_deleted_at', 'trashedimage', ['deleted_at'])
        op.create_index('ix_trashedimage_owner_sha', 'trashedimage', ['owner_id', 'sha256'])
    if 'comment' not in tables:
        op.create_table(
            'comment',
            sa.Column('id', sa.Integer(), primary_key=True),
            sa.Column('image_id', sa.String(), _fk('image'), nullable=False),
            sa.Column('author_id', sa.Integer(), _fk('user'), nullable=False),
            sa.Column('text', sa.String(), nullable=False),
            sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        )
        op.create_index('ix_comment_author_id', 'comment', ['author_id'])
        op.create_index('ix_comment_created_at', 'comment', ['created_at'])
        op.create_index('ix_comment_image_created', 'comment', ['image_id', 'created_at'])
    if 'commentsoff' not in tables:
        op.create_table(
            'commentsoff',
            sa.Column('image_id', sa.String(), _fk('image'), primary_key=True),
        )


def downgrade() -> None:
    for table in (
        'commentsoff', 'comment', 'trashedimage', 'sharefailure', 'shareimage', 'sharelink',
        'albumimage', 'album',
    ):  # fmt: skip
        op.drop_table(table)
