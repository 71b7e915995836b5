"""why each court listing and inquiry is on its file

``public_records.link`` and ``inquiries.link`` keep how the court's debtor or the member's
applicant was found to be this file's person, as ``accounts.link`` keeps it for an account: a
look-up by the identity-matching model (its weight, threshold and each field's level and
weight), the court's identifier (national id or registration number) with name and birth date
agreeing, or a file opened from the listing; and ``given``, the identity as the court or the
member gave it, encrypted. NULL for items placed before this revision (the report says so).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 17:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ('public_records', 'inquiries'):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('link', sa.JSON(), nullable=True))


def downgrade() -> None:
    for table in ('inquiries', 'public_records'):
        with op.batch_alter_table(table) as batch:
            batch.drop_column('link')
