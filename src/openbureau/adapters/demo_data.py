"""What seeding and staging the demo look up (``services/demo*.py``)."""

from __future__ import annotations

from sqlalchemy import select

from openbureau.adapters.credentials import HOLDER, holder
from openbureau.adapters.repository import Repository
from openbureau.adapters.tables import accounts, consumer_logins, public_records
from openbureau.adapters.tables import subjects as t
from openbureau.services.stored import FileHolder


class SqlDemoData(Repository):
    def first_person(self) -> FileHolder | None:
        r = self._run(select(*HOLDER).where(t.c.kind == "person")
                      .order_by(t.c.id).limit(1)).first()
        return None if r is None else holder(r)

    def enrolled_person(self) -> FileHolder | None:
        r = self._run(select(*HOLDER).join(consumer_logins,
                                            consumer_logins.c.subject_id == t.c.id)
                      .where(t.c.kind == "person")
                      .order_by(consumer_logins.c.created_at, t.c.id).limit(1)).first()
        return None if r is None else holder(r)

    def holders(self, id_hmacs: set[str]) -> dict[str, FileHolder]:
        return {r.id_hmac: holder(r) for r in self._run(
            select(*HOLDER, t.c.id_hmac).where(t.c.id_hmac.in_(id_hmacs)))}

    def account_item_ref(self, subject_id: int, account_ref: str) -> str:
        return str(self._run(select(accounts.c.item_ref).where(
            accounts.c.subject_id == subject_id,
            accounts.c.account_ref == account_ref)).scalar_one())

    def has_case(self, case_number: str) -> bool:
        return self._run(select(public_records.c.id).where(
            public_records.c.case_number == case_number)).first() is not None
