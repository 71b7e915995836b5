"""furnished data without per-row foreign keys

accounts.furnisher_id -> organisations, accounts.subject_id -> subjects and
account_months.account_id -> accounts are no longer declared as foreign keys. On PostgreSQL each
is a trigger run once per inserted row, and together they cost about as much as the whole
budget of the bulk furnishing path (see BENCHMARKS.md, furnishing). The references hold by
construction: these rows are written only by the furnishing store, which takes the ids from the
rows it has just looked up or created in the same transaction, and nothing deletes subjects,
organisations or accounts. ``tests/integration/test_furnishing_bulk.py`` checks that no
dangling reference exists after ingesting files.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 17:10:00
"""
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

_FKS = (
    ("accounts", "fk_accounts_furnisher_id_organisations", "organisations", "furnisher_id"),
    ("accounts", "fk_accounts_subject_id_subjects", "subjects", "subject_id"),
    ("account_months", "fk_account_months_account_id_accounts", "accounts", "account_id"),
)


def upgrade() -> None:
    for table, name, _, _ in _FKS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(name, type_="foreignkey")


def downgrade() -> None:
    for table, name, parent, column in _FKS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_foreign_key(name, parent, [column], ["id"])
