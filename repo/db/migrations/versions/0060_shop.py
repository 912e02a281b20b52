"""The shop: listings (price and stock of images on sale), carts, orders and their lines.

Revision ID: 0060_shop
Revises: 0020
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0060_shop'
down_revision = '0040_sharing'
branch_labels = None
depends_on = None


def upgrade() -> None:
    tables = set(sa.inspect(op.get_bind()).get_table_names())
    if 'listing' not in tables:
        op.create_table(
            'listing',
            sa.Column(
                'image_id',
                sa.String(),
                sa.ForeignKey('image.id', ondelete='CASCADE'),
                primary_key=True,
            ),
            sa.Column('price_cents', sa.BigInteger(), nullable=False),
            sa.Column('stock', sa.Integer(), nullable=True),
            sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
            sa.CheckConstraint('price_cents >= 0', name='ck_listing_price'),
            sa.CheckConstraint('stock IS NULL OR stock >= 0', name='ck_listing_stock'),
        )
    if 'cartitem' not in tables:
        op.create_table(
            'cartitem',
            sa.Column(
                'user_id',
                sa.Integer(),
                sa.ForeignKey('user.id', ondelete='CASCADE'),
                primary_key=True,
            ),
            sa.Column('image_id', sa.String(), primary_key=True),
            sa.Column('quantity', sa.Integer(), nullable=False),
            sa.Column('title', sa.String(), nullable=False),
            sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
            sa.CheckConstraint('quantity > 0', name='ck_cartitem_quantity'),
        )
    if 'shoporder' not in tables:
        op.create_table(
            'shoporder',
            sa.Column('id', sa.String(), primary_key=True),
            sa.Column(
                'buyer_id',
                sa.Integer(),
                sa.ForeignKey('user.id', ondelete='SET NULL'),
                nullable=True,
            ),
            sa.Column('buyer_name', sa.String(), nullable=False),
            sa.Column('currency', sa.String(), nullable=False),
            sa.Column('total_cents', sa.BigInteger(), nullable=False),
            sa.Column('provider', sa.String(), nullable=False),
            sa.Column('provider_ref', sa.String(), nullable=False),
            sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        )
        op.create_index('ix_shoporder_buyer_created', 'shoporder', ['buyer_id', 'created_at'])
    if 'shoporderline' not in tables:
        op.create_table(
            'shoporderline',
            sa.Column('id', sa.Integer(), primary_key=True),
            sa.Column(
                'order_id',
                sa.String(),
                sa.ForeignKey('shoporder.id', ondelete='CASCADE'),
                nullable=False,
            ),
            sa.Column('image_id', sa.String(), nullable=False),
            sa.Column(
                'seller_id',
                sa.Integer(),
                sa.ForeignKey('user.id', ondelete='SET NULL'),
                nullable=True,
            ),
            sa.Column('seller_name', sa.String(), nullable=False),
            sa.Column('title', sa.String(), nullable=False),
            sa.Column('quantity', sa.Integer(), nullable=False),
            sa.Column('unit_price_cents', sa.BigInteger(), nullable=False),
            sa.Column('counted', sa.Boolean(), nullable=False),
            sa.Column('status', sa.String(), nullable=False),
            sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
            sa.CheckConstraint('quantity > 0', name='ck_shoporderline_quantity'),
            sa.CheckConstraint('unit_price_cents >= 0', name='ck_shoporderline_price'),
        )
        op.create_index('ix_shoporderline_order_id', 'shoporderline', ['order_id'])
        op.create_index('ix_shoporderline_image_id', 'shoporderline', ['image_id'])
        op.create_index('ix_shoporderline_seller', 'shoporderline', ['seller_id', 'order_id'])


def downgrade() -> None:
    op.drop_table('shoporderline')
    op.drop_table('shoporder')
    op.drop_table('cartitem')
    op.drop_table('listing')
