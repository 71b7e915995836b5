"""organisation web sessions, ended by sign-out, key rotation or revocation

An organisation's web session was a signed cookie alone, valid until it expired even after
sign-out. Each sign-in now records a session (by the SHA-256 of the cookie's random session id)
that sign-out, a key rotation and revoking the organisation end.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 22:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'organisation_sessions',
        sa.Column('session_hash', sa.String(length=64), nullable=False),
        sa.Column('organisation_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'),
                  nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                                name=op.f('fk_organisation_sessions_organisation_id_organisations')),
        sa.PrimaryKeyConstraint('session_hash', name=op.f('pk_organisation_sessions')),
    )
    with op.batch_alter_table('organisation_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisation_sessions_organisation_id'),
                              ['organisation_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('organisation_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_sessions_organisation_id'))
    op.drop_table('organisation_sessions')
