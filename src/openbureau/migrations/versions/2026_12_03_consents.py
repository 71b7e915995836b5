"""consents for real: expiry, scope, source, evidence; the consent_ref unique

A consent (domain/consents.py) belongs to one organisation, one subject and one purpose, covers
one or more scopes (``report``, ``income``), and is in force from ``granted_at`` (when it was
obtained) until ``expires_at`` unless revoked. ``source`` says who recorded it (the member that
obtained it, or the consumer in the app); ``evidence_kind`` and ``evidence_sha256`` (of the
signed form, or of what the consumer agreed to in the app) are its evidence; ``recorded_at`` is
when the bureau stored it. ``reference`` (the opaque consent_ref) becomes unique, and an index
serves the inquiry's look-up by organisation, subject and purpose.

No code wrote to ``consents`` before this revision, so the new NOT NULL columns need no default.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 23:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(), nullable=False))
        batch_op.add_column(sa.Column('scope', sa.String(length=40), nullable=False))
        batch_op.add_column(sa.Column('source', sa.String(length=12), nullable=False))
        batch_op.add_column(sa.Column('evidence_kind', sa.String(length=24), nullable=False))
        batch_op.add_column(sa.Column('evidence_sha256', sa.String(length=64), nullable=False))
        batch_op.add_column(sa.Column('recorded_at', sa.DateTime(), nullable=False))
        batch_op.create_unique_constraint(batch_op.f('uq_consents_reference'), ['reference'])
        batch_op.create_index('ix_consents_organisation_subject_purpose',
                              ['organisation_id', 'subject_id', 'purpose'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.drop_index('ix_consents_organisation_subject_purpose')
        batch_op.drop_constraint(batch_op.f('uq_consents_reference'), type_='unique')
        batch_op.drop_column('recorded_at')
        batch_op.drop_column('evidence_sha256')
        batch_op.drop_column('evidence_kind')
        batch_op.drop_column('source')
        batch_op.drop_column('scope')
        batch_op.drop_column('expires_at')
