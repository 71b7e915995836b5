"""file lineage, cannot-links and why each account is on its file

A file merged into another keeps its public reference, which then answers for the file it
went into (``subjects.merged_into_id``); every merge and split is a ``file_lineage`` row with
its match weight. ``identity_cannot_link`` keeps what must never be linked again: an account a
consumer said is not theirs (furnisher + keyed hash of the account number), or two files an
operator or a re-link kept apart. ``accounts.link`` keeps how the account came to its file:
known account, a match (weight and each field's contribution), or an operator's decision.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 13:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table('subjects') as batch:
        batch.add_column(sa.Column('merged_into_id', _ID, nullable=True))
    with op.batch_alter_table('accounts') as batch:
        batch.add_column(sa.Column('link', sa.JSON(), nullable=True))
    op.create_table(
        'file_lineage',
        sa.Column('id', _ID, autoincrement=True, nullable=False),
        sa.Column('subject_id', _ID, nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('other_id', _ID, nullable=False),
        sa.Column('weight', sa.Float(), nullable=True),
        sa.Column('reason', sa.String(length=200), nullable=False),
        sa.Column('run', sa.String(length=40), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_file_lineage')),
    )
    op.create_index('ix_file_lineage_subject_id', 'file_lineage', ['subject_id'])
    op.create_index('ix_file_lineage_other_id', 'file_lineage', ['other_id'])
    op.create_table(
        'identity_cannot_link',
        sa.Column('id', _ID, autoincrement=True, nullable=False),
        sa.Column('subject_id', _ID, nullable=False),
        sa.Column('furnisher_id', _ID, nullable=True),
        sa.Column('account_ref_hmac', sa.String(length=64), nullable=True),
        sa.Column('other_subject_id', _ID, nullable=True),
        sa.Column('reason', sa.String(length=200), nullable=False),
        sa.Column('source', sa.String(length=40), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_identity_cannot_link')),
    )
    op.create_index('ix_identity_cannot_link_subject_id', 'identity_cannot_link',
                    ['subject_id'])
    op.create_index('ix_identity_cannot_link_account', 'identity_cannot_link',
                    ['furnisher_id', 'account_ref_hmac'])


def downgrade() -> None:
    op.drop_index('ix_identity_cannot_link_account', table_name='identity_cannot_link')
    op.drop_index('ix_identity_cannot_link_subject_id', table_name='identity_cannot_link')
    op.drop_table('identity_cannot_link')
    op.drop_index('ix_file_lineage_other_id', table_name='file_lineage')
    op.drop_index('ix_file_lineage_subject_id', table_name='file_lineage')
    op.drop_table('file_lineage')
    with op.batch_alter_table('accounts') as batch:
        batch.drop_column('link')
    with op.batch_alter_table('subjects') as batch:
        batch.drop_column('merged_into_id')
