"""the audit chain is keyed: each event names its hash algorithm

Events are chained with HMAC-SHA256 under OPENBUREAU_AUDIT_KEY from now on
(``hash_alg = 'hmac-sha256'``). Events already stored keep their plain SHA-256 values and a NULL
``hash_alg``, and still verify: nothing is re-hashed, so the chain they form stays the evidence
it was, and the first keyed event seals it (its MAC covers the last unkeyed value).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 12:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hash_alg', sa.String(length=16), nullable=True))


def downgrade() -> None:
    # keyed events cannot be verified as plain SHA-256 after this: downgrading loses the
    # means to verify them (the values themselves are kept)
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_column('hash_alg')
