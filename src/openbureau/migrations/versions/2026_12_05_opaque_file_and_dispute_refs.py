"""opaque references for furnishing files and disputes

The ids clients saw for a furnishing file (``file_id``) and a dispute (``dispute_id``) were the
rows' sequential primary keys: anyone holding one learnt how many files or disputes the bureau
had, and could try the neighbours. Each row now has an opaque random ``ref`` (like ``item_ref``),
which is what the API, the pages and the command line show and accept; the integer keys stay
internal. Existing rows get a ref here.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 10:00:00
"""
import secrets

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

TABLES = {'furnishing_files': 'file', 'disputes': 'dsp'}


def upgrade() -> None:
    bind = op.get_bind()
    for table, prefix in TABLES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('ref', sa.String(length=24), nullable=True))
        t = sa.table(table, sa.column('id', sa.BigInteger()), sa.column('ref', sa.String()))
        ids = [r.id for r in bind.execute(sa.select(t.c.id).where(t.c.ref.is_(None)))]
        for row_id in ids:
            bind.execute(sa.update(t).where(t.c.id == row_id)
                         .values(ref=f"{prefix}_{secrets.token_hex(8)}"))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('ref', existing_type=sa.String(length=24), nullable=False)
            batch_op.create_index(batch_op.f(f'ix_{table}_ref'), ['ref'], unique=True)


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_ref'))
            batch_op.drop_column('ref')
