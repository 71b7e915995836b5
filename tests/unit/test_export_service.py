"""Exports (``services/export.py``) against the in-memory ports (no database): a furnisher's
accounts back as records with the identity *it* reported, and the credit files to Parquet.
tests/integration/test_export_parquet.py, test_metro2_export.py and the CLI's tests run them on
both databases."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pyarrow.parquet as pq
import pytest

from openbureau.clock import FixedClock
from openbureau.domain.errors import NotFound
from openbureau.services import export
from openbureau.services.stored import ExportedMonth, ReportedValue
from tests.fakes import FakeIdentityVault, FakeStore, FakeUnitOfWork, fake_deps

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
BANK, OTHER = 10, 11


def month(account_id: int, subject_id: int, as_of: date, status: str = "current",
          balance: int = 1000) -> ExportedMonth:
    return ExportedMonth(account_id, subject_id, f"ACC-{account_id}", "revolving", "individual",
                         "USD", date(2019, 4, 1), None, 500000, None, None, None, None, as_of,
                         status, balance, 0, None, None, None, None, None)


def said(subject_id: int, kind: str, value: dict[str, str]) -> ReportedValue:
    return ReportedValue(subject_id, kind, json.dumps(value).encode())


@pytest.fixture
def store():
    s = FakeStore()
    s.add_file(1, id_hmac="h:111111111")
    s.add_file(2, "Bob Babbage", id_hmac="h:222222222")
    s.add_organisation(BANK, "Bank", "furnisher")
    s.add_organisation(OTHER, "Other bank", "furnisher")
    s.add_organisation(40, "Lender", "member")
    s.exports.reported = [
        (BANK, said(1, "name", {"name": "Ada King", "surname": "King"})),
        (BANK, said(1, "national_id", {"national_id": "999999999"})),
        (BANK, said(1, "name", {"name": "Ada Lovelace", "surname": "Lovelace"})),   # newest
        (BANK, said(1, "date_of_birth", {"date_of_birth": "1985-12-10"})),
        (OTHER, said(2, "name", {"name": "Robert Babbage"})),
    ]
    s.exports.months = [
        (BANK, month(1, 1, date(2026, 9, 30), "dpd30"), False),
        (BANK, month(1, 1, date(2026, 10, 31)), True),
        (BANK, month(2, 2, date(2026, 10, 31), balance=5), True),
        (OTHER, month(3, 2, date(2026, 10, 31)), True),
    ]
    return s


@pytest.fixture
def uow(store):
    return FakeUnitOfWork(store, FixedClock(NOW))


@pytest.fixture
def deps():
    return fake_deps(FixedClock(NOW), vault=FakeIdentityVault())


def test_a_furnisher_is_found_by_name_and_nobody_else(uow):
    assert export.furnisher_id(uow, "Bank") == BANK
    for name in ("Lender", "Nobody"):
        with pytest.raises(NotFound):
            export.furnisher_id(uow, name)


def test_records_carry_the_identity_the_furnisher_reported(uow, deps):
    recs = list(export.latest_records(uow, deps, BANK, batch=1))   # one account per batch
    assert [(r.account_ref, r.as_of, r.balance) for r in recs] == [
        ("ACC-1", date(2026, 10, 31), 1000), ("ACC-2", date(2026, 10, 31), 5)]
    ada, bob = recs[0].subject, recs[1].subject
    assert (ada.name, ada.surname, ada.national_id, ada.date_of_birth) == (
        "Ada Lovelace", "Lovelace", "999999999", date(1985, 12, 10))
    # nothing reported by this furnisher: the file's national id (an account from before
    # observations were kept), no name, no birth date -- never another furnisher's
    assert (bob.name, bob.national_id, bob.date_of_birth) == ("", "222222222", None)


def test_every_month_is_exported_on_request(uow, deps):
    recs = list(export.latest_records(uow, deps, BANK, all_months=True))
    assert [(r.account_ref, r.as_of, r.status.value) for r in recs] == [
        ("ACC-1", date(2026, 9, 30), "dpd30"), ("ACC-1", date(2026, 10, 31), "current"),
        ("ACC-2", date(2026, 10, 31), "current")]


def test_the_credit_files_go_to_parquet_by_chunks_of_subjects(uow, store, tmp_path):
    store.exports.tables = {
        "subjects": [{"id": i} for i in (1, 2, 3)],
        "accounts": [{"id": 7, "subject_id": 1, "item_ref": "acc_7", "kind": "revolving",
                      "opened_on": date(2019, 4, 1), "closed_on": None,
                      "credit_limit": 500000, "compliance_code": None, "deleted_at": None,
                      "suppressed_at": None, "currency": "USD"},
                     {"id": 8, "subject_id": 3, "item_ref": "acc_8", "kind": "installment",
                      "opened_on": date(2020, 1, 1), "closed_on": None, "credit_limit": None,
                      "compliance_code": None, "deleted_at": None, "suppressed_at": None,
                      "currency": "USD"}]}
    seen = []
    manifest = export.export_parquet(uow, tmp_path / "x", buckets=2, chunk=2,
                                     progress=lambda done, total: seen.append((done, total)))
    assert manifest["rows"]["subjects"] == 3 and manifest["rows"]["accounts"] == 2
    assert manifest["rows"]["account_months"] == 0
    assert seen == [(2, 3), (3, 3)]
    back = pq.read_table(tmp_path / "x" / "accounts").to_pydict()
    assert sorted(zip(back["id"], back["subject_id"], strict=True)) == [(7, 1), (8, 3)]
