"""furnishing files: quality report, error totals, ingest attempts

``quality`` holds the file's data-quality report (counts per rule with sample lines);
``errors_total`` counts every error found, of which ``errors`` keeps at most the configured
number; ``attempts`` counts ingest starts, so that a file that took the server down twice is
marked failed with ``failure_reason`` instead of being resumed at every start.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 21:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('furnishing_files', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quality', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('errors_total', sa.BigInteger(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('failure_reason', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('furnishing_files', schema=None) as batch_op:
        batch_op.drop_column('failure_reason')
        batch_op.drop_column('attempts')
        batch_op.drop_column('errors_total')
        batch_op.drop_column('quality')
