"""identity holds: records identity resolution could not place with confidence

A furnished record whose identity matches a file only weakly, matches several, or carries a
national id on file under another identity is held here for an operator, encrypted, with its
candidates and their match weights; it is never dropped and never attached by guess.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 10:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        'identity_holds',
        sa.Column('id', _ID, autoincrement=True, nullable=False),
        sa.Column('item_ref', sa.String(length=24), nullable=False),
        sa.Column('furnisher_id', _ID, nullable=False),
        sa.Column('file_id', sa.BigInteger(), nullable=True),
        sa.Column('line', sa.BigInteger(), nullable=True),
        sa.Column('account_ref_hmac', sa.String(length=64), nullable=False),
        sa.Column('reason', sa.String(length=200), nullable=False),
        sa.Column('weight', sa.Float(), nullable=True),
        sa.Column('candidates', sa.JSON(), nullable=False),
        sa.Column('record_ciphertext', sa.LargeBinary(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('decided_by', sa.String(length=80), nullable=True),
        sa.Column('subject_id', _ID, nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_identity_holds')),
        sa.UniqueConstraint('item_ref', name=op.f('uq_identity_holds_item_ref')),
    )
    op.create_index('ix_identity_holds_status', 'identity_holds', ['status', 'id'])


def downgrade() -> None:
    op.drop_index('ix_identity_holds_status', table_name='identity_holds')
    op.drop_table('identity_holds')
