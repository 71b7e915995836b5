"""identity-theft reports, their blocks, and what furnishers are told

A consumer's identity-theft report (``identity_theft_reports``) names items of their file that
resulted from identity theft; each is blocked (``identity_blocks``: the file, the furnisher and
the keyed hash of its account number), within the profile's deadline (us-fcra: 4 business days,
FCRA 605B(a)). A re-furnished record of a blocked account to that file is refused.
``furnisher_identity_notices`` is how a furnisher is told that one of its accounts was blocked
(FCRA 605B(b)) or unlinked from a file after a "not mine" dispute; it carries the furnisher's
own account number (business data), never the consumer's identity.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 14:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        'identity_theft_reports',
        sa.Column('id', _ID, autoincrement=True, nullable=False),
        sa.Column('ref', sa.String(length=24), nullable=False),
        sa.Column('subject_id', _ID, nullable=False),
        sa.Column('statement', sa.Text(), nullable=True),
        sa.Column('filed_at', sa.DateTime(), nullable=False),
        sa.Column('due_at', sa.DateTime(), nullable=False),
        sa.Column('blocked_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_identity_theft_reports')),
        sa.UniqueConstraint('ref', name=op.f('uq_identity_theft_reports_ref')),
    )
    op.create_index('ix_identity_theft_reports_subject_id', 'identity_theft_reports',
                    ['subject_id'])
    op.create_table(
        'identity_blocks',
        sa.Column('id', _ID, autoincrement=True, nullable=False),
        sa.Column('report_id', _ID, nullable=False),
        sa.Column('subject_id', _ID, nullable=False),
        sa.Column('item_ref', sa.String(length=24), nullable=False),
        sa.Column('furnisher_id', _ID, nullable=False),
        sa.Column('account_ref_hmac', sa.String(length=64), nullable=False),
        sa.Column('blocked_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_identity_blocks')),
    )
    op.create_index('ix_identity_blocks_subject_id', 'identity_blocks', ['subject_id'])
    op.create_index('ix_identity_blocks_account', 'identity_blocks',
                    ['furnisher_id', 'account_ref_hmac'])
    op.create_table(
        'furnisher_identity_notices',
        sa.Column('id', _ID, autoincrement=True, nullable=False),
        sa.Column('furnisher_id', _ID, nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('account_ref', sa.String(length=30), nullable=False),
        sa.Column('item_ref', sa.String(length=24), nullable=False),
        sa.Column('source', sa.String(length=24), nullable=False),
        sa.Column('reason', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_furnisher_identity_notices')),
    )
    op.create_index('ix_furnisher_identity_notices_furnisher', 'furnisher_identity_notices',
                    ['furnisher_id', 'id'])


def downgrade() -> None:
    op.drop_index('ix_furnisher_identity_notices_furnisher',
                  table_name='furnisher_identity_notices')
    op.drop_table('furnisher_identity_notices')
    op.drop_index('ix_identity_blocks_account', table_name='identity_blocks')
    op.drop_index('ix_identity_blocks_subject_id', table_name='identity_blocks')
    op.drop_table('identity_blocks')
    op.drop_index('ix_identity_theft_reports_subject_id', table_name='identity_theft_reports')
    op.drop_table('identity_theft_reports')
