"""furnishing files: warnings on records stored in part

A record whose ``monthly_income`` has no consent in force is stored without its income, and
the furnisher is told on that line. ``warnings`` keeps those messages as ``errors`` keeps the
rejections (``{line, field, message}``, at most the configured number), ``warnings_total``
counts them all. Files ingested before this revision have no warnings (NULL: none kept).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('furnishing_files', schema=None) as batch_op:
        batch_op.add_column(sa.Column('warnings', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('warnings_total', sa.BigInteger(), nullable=False,
                                      server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('furnishing_files', schema=None) as batch_op:
        batch_op.drop_column('warnings_total')
        batch_op.drop_column('warnings')
