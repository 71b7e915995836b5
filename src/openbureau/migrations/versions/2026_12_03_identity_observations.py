"""identity observations, blocking keys, files without a national id, the whole account

``identity_observations``: what each furnished record said about its subject (names, national
id, birth date, address, phone, employer), AES-GCM encrypted, with the keyed hash of the
normalised value, its source (furnisher, file, line) and when it was first and last seen.
``identity_keys``: keyed-hash blocking keys (subject candidates for identity resolution).
``subjects.id_hmac``/``id_ciphertext``/``id_suffix`` become nullable: a record without a national
id may open a file of its own (``id_hmac`` stays unique). Accounts keep the Metro 2
identification number and the K1-K4 segments; months keep the special comment code.

Like 0002, the new tables declare no foreign keys (they are written only by the furnishing
store, which takes the ids it has just looked up or created in the same transaction).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 22:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_ACCOUNT_COLUMNS = (
    ('identification_number', sa.String(length=20)),
    ('original_creditor', sa.String(length=120)),
    ('creditor_classification', sa.String(length=2)),
    ('purchase_indicator', sa.String(length=16)),
    ('purchase_name', sa.String(length=120)),
    ('mortgage', sa.JSON()),
    ('specialised_payment', sa.JSON()),
)


def upgrade() -> None:
    op.create_table(
        'identity_observations',
        sa.Column('id', _ID, autoincrement=True, nullable=False),
        sa.Column('subject_id', _ID, nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('value_ciphertext', sa.LargeBinary(), nullable=False),
        sa.Column('value_hmac', sa.String(length=64), nullable=False),
        sa.Column('furnisher_id', _ID, nullable=False),
        sa.Column('file_id', sa.BigInteger(), nullable=True),
        sa.Column('line', sa.BigInteger(), nullable=True),
        sa.Column('first_seen_on', sa.Date(), nullable=False),
        sa.Column('last_seen_on', sa.Date(), nullable=False),
        sa.Column('first_at', sa.DateTime(), nullable=False),
        sa.Column('last_at', sa.DateTime(), nullable=False),
        sa.Column('item_ref', sa.String(length=24), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_identity_observations')),
        sa.UniqueConstraint('item_ref', name=op.f('uq_identity_observations_item_ref')),
        sa.UniqueConstraint('subject_id', 'kind', 'value_hmac', 'furnisher_id',
                            name='uq_identity_observations_subject_kind_value_furnisher'),
    )
    op.create_table(
        'identity_keys',
        sa.Column('key_hmac', sa.String(length=64), nullable=False),
        sa.Column('subject_id', _ID, nullable=False),
        sa.PrimaryKeyConstraint('key_hmac', 'subject_id', name=op.f('pk_identity_keys')),
    )
    _subject_ids_nullable(True)
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        for name, kind in _ACCOUNT_COLUMNS:
            batch_op.add_column(sa.Column(name, kind, nullable=True))
    with op.batch_alter_table('account_months', schema=None) as batch_op:
        batch_op.add_column(sa.Column('special_comment', sa.String(length=2), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('account_months', schema=None) as batch_op:
        batch_op.drop_column('special_comment')
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        for name, _ in reversed(_ACCOUNT_COLUMNS):
            batch_op.drop_column(name)
    # files opened without a national id cannot be kept by the older schema
    op.execute("DELETE FROM subjects WHERE id_hmac IS NULL")
    _subject_ids_nullable(False)
    op.drop_table('identity_keys')
    op.drop_table('identity_observations')


def _subject_ids_nullable(nullable: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        for name, kind in (('id_hmac', sa.String(length=64)), ('id_ciphertext', sa.LargeBinary()),
                           ('id_suffix', sa.String(length=4))):
            op.alter_column('subjects', name, existing_type=kind, nullable=nullable)
        return
    # SQLite cannot relax a column: the table is made again. Not with batch mode: its copy goes
    # into the new table before the old one is dropped, and with foreign keys on, dropping a
    # table other rows refer to counts violations that only rows inserted into a table of that
    # name afterwards take back. So: copy aside, drop, create, copy back (checked at commit).
    op.execute("PRAGMA defer_foreign_keys = ON")
    op.execute("CREATE TEMP TABLE subjects_0004 AS SELECT * FROM subjects")
    op.drop_table('subjects')
    op.create_table(
        'subjects',
        sa.Column('id', _ID, autoincrement=True, nullable=False),
        sa.Column('id_hmac', sa.String(length=64), nullable=nullable),
        sa.Column('id_ciphertext', sa.LargeBinary(), nullable=nullable),
        sa.Column('id_suffix', sa.String(length=4), nullable=nullable),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('date_of_birth', sa.Date(), nullable=True),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('item_ref', sa.String(length=24), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_subjects')),
        sa.UniqueConstraint('id_hmac', name=op.f('uq_subjects_id_hmac')),
        sa.UniqueConstraint('item_ref', name=op.f('uq_subjects_item_ref')),
    )
    op.execute("INSERT INTO subjects (id, id_hmac, id_ciphertext, id_suffix, name, date_of_birth, "
               "kind, created_at, item_ref) SELECT id, id_hmac, id_ciphertext, id_suffix, name, "
               "date_of_birth, kind, created_at, item_ref FROM subjects_0004")
    op.execute("DROP TABLE subjects_0004")
