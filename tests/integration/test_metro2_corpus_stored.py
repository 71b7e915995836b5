"""The hand-made Metro 2 corpus (tests/data/metro2/, see make_corpus.py) ingested as ``openbureau
ingest`` does it (``files.receive`` then ``files.ingest``, with the rescoring hook), on SQLite and
PostgreSQL: what is stored, exactly, and what is reported at which line and field.

Per file: the counts (records, accepted, rejected) and every error's (line, field, message); the
subjects, each subject's accounts with this furnisher (under the L1's new number, never a second
tradeline), their months, and the identity observations (N1 employer, J2 address, ...) with the
line that first reported them. The expectations are written here from the corpus' own constants,
so every layout of a family (LF, CRLF, fixed, none, BDW, packed) is held to the same picture.

On PostgreSQL the clean records of a Metro 2 file come column-wise (``metro2_columns``, the fast
path) and the others record by record; which lines take the fast path is part of each file's
expectation, and the same files read record by record only must store the same picture.
"""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from openbureau.adapters.metro2_columns import Block
from openbureau.adapters.tables import (
    account_months,
    accounts,
    audit_events,
    furnishing_files,
    identity_observations,
    subjects,
)
from openbureau.domain.errors import ValidationFailed
from openbureau.domain.roles import SYSTEM, Principal, Role
from openbureau.services import access, consumer, files, furnishing, scoring_hooks

CORPUS = Path(__file__).parents[1] / "data" / "metro2"
FILE = "this file"            # an observation or month stored by the file under test
AS_OF = date(2024, 5, 31)


@pytest.fixture
def furnisher(bureau) -> Principal:
    return make_furnisher(bureau, "Corpus Bank")


def make_furnisher(bureau, name: str) -> Principal:
    org = access.create_organisation(bureau.uow(), bureau.deps, SYSTEM, name, "furnisher")
    return Principal(Role.FURNISHER, org.id, name)


def ingest(bureau, furnisher: Principal, name: str, monkeypatch: pytest.MonkeyPatch
           ) -> tuple[dict[str, Any], list[int]]:
    """The file as ``openbureau ingest`` takes it: its summary, and the lines of the rows that
    came column-wise (the fast path)."""
    fast: list[int] = []
    read = files._candidates

    def spy(*args: Any, **kw: Any) -> Any:
        for item in read(*args, **kw):
            if isinstance(item, Block):
                fast.extend(item.positions)
            yield item

    monkeypatch.setattr(files, "_candidates", spy)
    file_id = files.receive(bureau.uow(), bureau.deps, furnisher, name,
                            io.BytesIO((CORPUS / name).read_bytes()))
    summary = files.ingest(bureau.uow(), bureau.deps, file_id,
                           rescore=scoring_hooks.rescorer(bureau.deps))
    monkeypatch.setattr(files, "_candidates", read)
    # the stored rows and the audit events name the file by its row id (the API by its ref)
    with bureau.uow() as uow:
        row_id = uow.execute(select(furnishing_files.c.id)
                             .where(furnishing_files.c.ref == summary["file_id"])).scalar_one()
    return {**summary, "file_id": row_id}, fast


# --------------------------------------------------------------------------- the stored picture

ACCOUNT_FIELDS = ("kind", "ecoa", "currency", "opened_on", "closed_on", "credit_limit",
                  "original_amount", "date_of_first_delinquency", "compliance_code",
                  "latest_as_of", "deleted_at", "delete_code", "suppressed_at",
                  "identification_number", "original_creditor", "creditor_classification",
                  "purchase_indicator", "purchase_name", "mortgage", "specialised_payment")
MONTH_FIELDS = ("as_of", "status", "balance", "amount_past_due", "credit_limit",
                "scheduled_payment", "monthly_income", "consent_ref", "payment_history",
                "special_comment", "file_id")
Person = tuple[str | None, str, str | None]       # (national id, name, date of birth)


def people(bureau) -> dict[int, Person]:
    with bureau.uow() as uow:
        rows = uow.execute(select(subjects)).all()
    return {r.id: (bureau.vault.decrypt(r.id_ciphertext) if r.id_ciphertext else None, r.name,
                   r.date_of_birth.isoformat() if r.date_of_birth else None) for r in rows}


def picture(bureau, furnisher: Principal, file_id: int, identity: bool = True
            ) -> dict[str, Any]:
    """What ``furnisher`` has stored, keyed by person and account number, without database ids
    (``FILE`` where the file under test is named); ``identity``: with the observations."""
    who = people(bureau)

    def file(value: int | None) -> Any:
        return FILE if value == file_id else value

    out: dict[str, Any] = {"accounts": {}, "months": {}}
    if identity:
        out["identity"] = {}
    with bureau.uow() as uow:
        for a in uow.execute(select(accounts).where(accounts.c.furnisher_id == furnisher.id)):
            mine = out["accounts"].setdefault(who[a.subject_id], {})
            assert a.account_ref not in mine
            mine[a.account_ref] = {f: getattr(a, f) for f in ACCOUNT_FIELDS}
        for m in uow.execute(select(account_months, accounts.c.subject_id, accounts.c.account_ref)
                             .join(accounts, accounts.c.id == account_months.c.account_id)
                             .where(accounts.c.furnisher_id == furnisher.id)
                             .order_by(account_months.c.as_of)):
            out["months"].setdefault((who[m.subject_id], m.account_ref), []).append(
                {f: file(m.file_id) if f == "file_id" else getattr(m, f) for f in MONTH_FIELDS})
        observed = uow.execute(select(identity_observations).where(
            identity_observations.c.furnisher_id == furnisher.id)).all() if identity else []
        for o in observed:
            kinds = out["identity"].setdefault(who[o.subject_id], {})
            assert o.kind not in kinds          # one value of each kind per person here
            assert (o.first_seen_on, o.last_seen_on) == (AS_OF, AS_OF)
            kinds[o.kind] = (json.loads(bureau.vault.decrypt(o.value_ciphertext)), o.line,
                             file(o.file_id))
    return out


# --------------------------------------------------------------------------- the expectations

MAIN_ST = {"country": "US", "line1": "1 MAIN ST", "city": "SPRINGFIELD", "state": "IL",
           "postal_code": "62701", "indicator": "Y", "residence": "O"}
ELM_ST = {"country": "US", "line1": "9 ELM ST", "city": "SHELBYVILLE", "state": "IL",
          "postal_code": "62565", "indicator": "Y", "residence": "R"}
ACCOUNT = {"kind": "revolving", "ecoa": "individual", "currency": "USD",
           "opened_on": date(2020, 1, 15), "closed_on": None, "credit_limit": 500000,
           "original_amount": None, "date_of_first_delinquency": None, "compliance_code": None,
           "latest_as_of": AS_OF, "deleted_at": None, "delete_code": None, "suppressed_at": None,
           "identification_number": "BRANCH0001", "original_creditor": None,
           "creditor_classification": None, "purchase_indicator": None, "purchase_name": None,
           "mortgage": None, "specialised_payment": None}
MONTH = {"as_of": AS_OF, "status": "current", "balance": 123400, "amount_past_due": 0,
         "credit_limit": 500000, "scheduled_payment": 3500, "monthly_income": None,
         "consent_ref": None, "payment_history": "0" * 24, "special_comment": None,
         "file_id": FILE}
# segments as the account keeps them
K1 = {"original_creditor": "ORIGINAL BANK", "creditor_classification": "08"}
K2 = {"purchase_indicator": "purchased_from", "purchase_name": "OLD LENDER INC"}
K3 = {"mortgage": {"agency": "fannie_mae", "agency_account": "FNMA-778899",
                   "mers_min": "100000000000000001"}}
K4 = {"specialised_payment": {"indicator": "balloon", "deferred_start": None,
                              "balloon_due": "2030-06-01", "balloon_amount": 5000000}}
INSTALMENT = {"kind": "installment", "credit_limit": None, "original_amount": 120000}
MORTGAGE = {"kind": "mortgage", "credit_limit": None, "original_amount": 25000000}
NO_LIMIT = {"credit_limit": None}
WIDGET_WORKS = {"name": "WIDGET WORKS", "line1": "5 FACTORY RD", "city": "SPRINGFIELD",
                "state": "IL", "postal_code": "62702", "occupation": "MACHINIST"}
ACME_FOUNDRY = {"name": "ACME FOUNDRY", "line1": "77 MILL LN", "line2": "UNIT 4",
                "city": "DECATUR", "state": "IL", "postal_code": "625210001",
                "occupation": "WELDER"}


class Stored:
    """An expected picture, built person by person."""

    def __init__(self) -> None:
        self.accounts: dict[Person, dict[str, dict[str, Any]]] = {}
        self.months: dict[tuple[Person, str], list[dict[str, Any]]] = {}
        self.identity: dict[Person, dict[str, Any]] = {}

    def _add(self, who: Person, line: int, identity: dict[str, Any], ref: str,
             account: dict[str, Any], month: dict[str, Any]) -> None:
        self.accounts.setdefault(who, {})[ref] = {**ACCOUNT, **account}
        self.months[(who, ref)] = [{**MONTH, **month}]
        if who not in self.identity:        # a second record of the person says nothing new
            self.identity[who] = {k: (v, line, FILE) for k, v in identity.items()}

    def base(self, line: int, ref: str, first: str, surname: str, ssn: str | None,
             dob: str = "1980-02-28", employer: dict[str, str] | None = None,
             month: dict[str, Any] | None = None, **account: Any) -> Stored:
        """A base segment's consumer: middle name Q, the Main St address, 555-123-4567."""
        name = f"{first} Q {surname}"
        identity: dict[str, Any] = {
            "name": {"name": name, "surname": surname, "first_name": first, "middle_name": "Q"},
            "date_of_birth": {"date_of_birth": dob}, "address": MAIN_ST,
            "phone": {"phone": "5551234567"}}
        if ssn is not None:
            identity["national_id"] = {"national_id": ssn}
        if employer is not None:
            identity["employer"] = employer
        self._add((ssn, name, dob), line, identity, ref, account, month or {})
        return self

    def associated(self, line: int, ref: str, first: str, surname: str, ssn: str,
                   address: dict[str, str], month: dict[str, Any] | None = None,
                   **account: Any) -> Stored:
        """A J1/J2 consumer: born 1979-07-04, 555-987-6543, ECOA 2 (joint)."""
        name = f"{first} {surname}"
        identity = {"name": {"name": name, "surname": surname, "first_name": first},
                    "national_id": {"national_id": ssn},
                    "date_of_birth": {"date_of_birth": "1979-07-04"}, "address": address,
                    "phone": {"phone": "5559876543"}}
        self._add((ssn, name, "1979-07-04"), line, identity, ref,
                  {"ecoa": "joint", **account}, month or {})
        return self

    def picture(self) -> dict[str, Any]:
        return {"accounts": self.accounts, "months": self.months, "identity": self.identity}

    def people(self) -> set[Person]:
        return set(self.accounts)


def furnisher_family(acc1: int | None = 2, acc2: int | None = 3, acc3: int | None = 4,
                     acc4: int | None = 5) -> Stored:
    """lf.m2, crlf.m2, fixed_626.m2 (and what the damaged ones keep), at these lines."""
    s = Stored()
    if acc1:
        s.base(acc1, "ACC-1", "JANE", "DOE", "123456789")
    if acc2:
        s.base(acc2, "ACC-2", "RICHARD", "ROE", "234567890")
        s.associated(acc2, "ACC-2", "RITA", "ROE", "345678901", MAIN_ST)     # J1
    if acc3:
        s.base(acc3, "ACC-3", "EDGAR", "POE", "456789012")
        s.associated(acc3, "ACC-3", "ANNA", "POE", "567890123", ELM_ST)      # J2
    if acc4:
        s.base(acc4, "ACC-4", "MARY", "LEE", "678901234", month=NO_LIMIT, **INSTALMENT)
    return s


def moov_family(alice: bool = True) -> Stored:
    """moov_none.m2, moov_bdw.m2, packed_*.m2: records of base + J1 + J2 + K1 + K3 + L1 + N1
    stored under the L1's new number ACC-NEW-1, the J1/J2 consumers' tradelines too."""
    s = Stored()
    s.base(2, "ACC-NEW-1", "JOHN", "SMITH", "111223333", employer=WIDGET_WORKS, **K1, **K3)
    s.associated(2, "ACC-NEW-1", "JANE", "SMITH", "222334444", MAIN_ST, **K1, **K3)
    s.associated(2, "ACC-NEW-1", "JIM", "SMITH", "333445555", ELM_ST, **K1, **K3)
    if alice:
        s.base(3, "ACC-11", "ALICE", "BROWN", "444556666")
    s.base(4, "ACC-NEW-1", "BOB", "GREEN", "555667777", employer=WIDGET_WORKS, month=NO_LIMIT,
           **MORTGAGE, **K1, **K3)
    for first, ssn, address in [("BETTY", "666778888", MAIN_ST), ("BILL", "777889999", ELM_ST)]:
        s.associated(4, "ACC-NEW-1", first, "GREEN", ssn, address, month=NO_LIMIT,
                     **MORTGAGE, **K1, **K3)
    return s


def segments_family() -> Stored:
    """segments_lf.m2, segments_bdw.m2, segments_packed.m2."""
    s = Stored()
    s.base(2, "ACC-20", "KATE", "KING", "321540001")
    s.base(3, "ACC-21", "LARRY", "LANE", "321540002", **K2)
    s.base(4, "ACC-22", "MONA", "MOORE", "321540003", **MORTGAGE, **K4,
           month={"balance": 20000000, "credit_limit": None, "scheduled_payment": 110000})
    s.base(5, "ACC-23", "NED", "NASH", "321540004", **{**INSTALMENT, "original_amount": 2000000},
           **K1, **K2, **K4, month={"balance": 1500000, "credit_limit": None})
    s.base(6, "ACC-24", "OLGA", "ORTIZ", "321540005", employer=ACME_FOUNDRY, ecoa="joint")
    s.associated(6, "ACC-24", "PAUL", "ORTIZ", "321540006", ELM_ST)                  # J2
    # line 7: SSN zero-filled, KATE's name and birth date: KATE's file (found by name + DOB)
    s.base(7, "ACC-25", "KATE", "KING", "321540001")
    # line 8: SSN nine-filled, nobody's name and birth date: a file of its own, without SSN
    s.base(8, "ACC-26", "QUINN", "QUILL", None, dob="1975-03-15")
    # lines 9 (SSN zero-filled, no birth date) and 10 (unknown K2 code): refused
    s.base(11, "ACC-29", "TOM", "TATE", "321540010", ecoa="joint")
    s.associated(11, "ACC-29", "TINA", "TATE", "321540011", MAIN_ST)                 # J1
    return s


LONG_WORD = ("length word b'0400' does not fit: no record follows 400 bytes later; the next "
             "record starts 426 bytes after this one's start")
NO_ID_NOR_BIRTH = ("Neither a national id (SSN) nor a date of birth: the consumer cannot be "
                   "identified. [rule Q06: subject.date_of_birth, subject.national_id]")
SEGMENT_ERRORS = [(9, "subject.date_of_birth", NO_ID_NOR_BIRTH),
                  (10, "K2 Purchased Indicator", "unknown code '7'")]

# file -> (stored, (records, accepted, rejected), errors, lines taken column-wise on PostgreSQL)
EXPECTED: dict[str, tuple[Stored, tuple[int, int, int], list[tuple[int, str, str]], list[int]]]
EXPECTED = {
    # ACC-4 (line 5) has a balance above its original amount: a data-quality warning sends it
    # down the record path; fixed-length records carry blank segments: record path
    "lf.m2": (furnisher_family(), (6, 6, 0), [], [2, 3, 3]),
    "crlf.m2": (furnisher_family(), (6, 6, 0), [], [2, 3, 3]),
    "fixed_626.m2": (furnisher_family(), (6, 6, 0), [], []),
    "moov_none.m2": (moov_family(), (7, 7, 0), [], [3]),
    "moov_bdw.m2": (moov_family(), (7, 7, 0), [], [3]),
    "packed_decimal.m2": (moov_family(), (7, 7, 0), [], [3]),
    "packed_binary.m2": (moov_family(), (7, 7, 0), [], [3]),
    "segments_lf.m2": (segments_family(), (12, 10, 2), SEGMENT_ERRORS, [2, 11, 11]),
    "segments_bdw.m2": (segments_family(), (12, 10, 2), SEGMENT_ERRORS, [2, 11, 11]),
    "segments_packed.m2": (segments_family(), (12, 10, 2), SEGMENT_ERRORS, [2, 11, 11]),
    "lf_damaged.m2": (furnisher_family(acc1=2, acc2=4, acc3=None, acc4=6), (6, 4, 2), [
        (3, "Record Descriptor Word", "not a length word: b'04X6'"),
        (5, "Record Descriptor Word", "record is longer than its length word (426)")],
        [2, 4, 4]),
    "none_damaged.m2": (moov_family(alice=False), (7, 6, 1),
                        [(3, "Record Descriptor Word", LONG_WORD)], []),
    "truncated.m2": (furnisher_family(acc4=None), (6, 5, 1), [
        (5, "record", "truncated: the file ends after 226 of 426 bytes"),
        (6, "TRAILER", "missing trailer record (the file ends after record 5)")], [2, 3, 3]),
}
# the file's data-quality report: records that reached the rules, rule -> (count, sample lines).
# Q25: ACC-4's balance (1,234) is above its original amount (1,200); Q20: no SSN (lines 7 and
# 8); Q06: neither SSN nor birth date, the refusal of line 9
QUALITY = {
    **dict.fromkeys(["lf.m2", "crlf.m2", "fixed_626.m2"], (6, {"Q25": (1, [5])})),
    **dict.fromkeys(["moov_none.m2", "moov_bdw.m2", "packed_decimal.m2", "packed_binary.m2"],
                    (7, {})),
    **dict.fromkeys(["segments_lf.m2", "segments_bdw.m2", "segments_packed.m2"],
                    (11, {"Q06": (1, [9]), "Q20": (2, [7, 8])})),
    "lf_damaged.m2": (4, {"Q25": (1, [6])}), "none_damaged.m2": (6, {}), "truncated.m2": (5, {}),
}
FAMILIES = {"furnisher": ["lf.m2", "crlf.m2", "fixed_626.m2"],
            "moov": ["moov_none.m2", "moov_bdw.m2", "packed_decimal.m2", "packed_binary.m2"],
            "segments": ["segments_lf.m2", "segments_bdw.m2", "segments_packed.m2"]}


def test_every_corpus_file_has_its_expectation() -> None:
    assert sorted([*EXPECTED, "not_metro2.m2"]) == sorted(p.name for p in CORPUS.glob("*.m2"))
    assert sorted(QUALITY) == sorted(EXPECTED)
    for names in FAMILIES.values():
        assert len({repr(EXPECTED[n][0].picture()) for n in names}) == 1


def quality(bureau, file_id: int) -> tuple[int, dict[str, tuple[int, list[int]]]]:
    with bureau.uow() as uow:
        q = uow.execute(select(furnishing_files.c.quality)
                        .where(furnishing_files.c.id == file_id)).scalar_one()
    return q["records_checked"], {rule: (n, q["samples"][rule]) for rule, n in q["counts"].items()}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_file_stores_exactly(bureau, furnisher, monkeypatch, name: str) -> None:
    stored, counts, errors, fast = EXPECTED[name]
    summary, columns = ingest(bureau, furnisher, name, monkeypatch)
    assert summary["status"] == "done"
    assert (summary["records"], summary["accepted"], summary["rejected"]) == counts
    assert [(e["line"], e["field"], e["message"]) for e in summary["errors"]] == errors
    assert (summary["errors_total"], summary["errors_truncated"]) == (len(errors), False)
    # both paths run, on both databases
    assert sorted(columns) == fast
    assert picture(bureau, furnisher, summary["file_id"]) == stored.picture()
    assert quality(bureau, summary["file_id"]) == QUALITY[name]
    assert set(people(bureau).values()) == stored.people()      # nothing else was filed


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_record_path_stores_what_the_column_path_does(bureau, furnisher, monkeypatch,
                                                          name: str) -> None:
    """The same file read record by record only (no column-wise blocks)."""
    monkeypatch.setattr(furnishing, "bulk_candidates", lambda deps: False)
    stored, counts, errors, _ = EXPECTED[name]
    summary, columns = ingest(bureau, furnisher, name, monkeypatch)
    assert columns == []
    assert (summary["records"], summary["accepted"], summary["rejected"]) == counts
    assert [(e["line"], e["field"], e["message"]) for e in summary["errors"]] == errors
    assert picture(bureau, furnisher, summary["file_id"]) == stored.picture()
    assert quality(bureau, summary["file_id"]) == QUALITY[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_file_sent_again_changes_nothing(bureau, furnisher, monkeypatch, name: str) -> None:
    """Re-sent: the same counts and errors, no second tradeline (the L1 records carry the old
    number again, the tradeline already has the new one), no second subject for the records
    without SSN, months and observations still those of the first file."""
    first, _ = ingest(bureau, furnisher, name, monkeypatch)
    before = picture(bureau, furnisher, first["file_id"])
    with bureau.uow() as uow:
        counts = [uow.execute(select(func.count()).select_from(t)).scalar_one()
                  for t in (subjects, accounts, account_months, identity_observations)]
    again, _ = ingest(bureau, furnisher, name, monkeypatch)
    assert again["file_id"] != first["file_id"]
    assert {k: again[k] for k in ("status", "records", "accepted", "rejected", "errors")} == \
        {k: first[k] for k in ("status", "records", "accepted", "rejected", "errors")}
    assert picture(bureau, furnisher, first["file_id"]) == before
    with bureau.uow() as uow:
        assert counts == [uow.execute(select(func.count()).select_from(t)).scalar_one()
                          for t in (subjects, accounts, account_months, identity_observations)]


def test_an_unreadable_file_is_refused_whole(bureau, furnisher) -> None:
    with pytest.raises(ValidationFailed) as caught:
        files.receive(bureau.uow(), bureau.deps, furnisher, "not_metro2.m2",
                      io.BytesIO((CORPUS / "not_metro2.m2").read_bytes()))
    [error] = caught.value.errors
    assert error.field == "file" and "length word b'04Z6' is neither 4 digits" in error.message
    with bureau.uow() as uow:
        assert uow.execute(select(func.count()).select_from(furnishing_files)).scalar_one() == 0
        assert uow.execute(select(func.count()).select_from(subjects)).scalar_one() == 0


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_a_family_stores_alike_side_by_side(bureau, monkeypatch, family: str) -> None:
    """Every layout of a family sent by its own furnisher into one database: the same picture
    for each; the subjects are shared (the records without SSN of the later furnishers find the
    files the first one opened) and each furnisher is named as a source of what it reported."""
    pictures = {}
    sent = []
    for name in FAMILIES[family]:
        who = make_furnisher(bureau, f"Bank of {name}")
        summary, _ = ingest(bureau, who, name, monkeypatch)
        pictures[name] = picture(bureau, who, summary["file_id"])
        sent.append(who)
    expected = EXPECTED[FAMILIES[family][0]][0]
    for name, got in pictures.items():
        assert got == expected.picture(), name
    assert set(people(bureau).values()) == expected.people()
    for person in expected.people():
        report = report_of(bureau, person)
        assert sorted((a["furnisher"], a["account_ref"]) for a in report["accounts"]) == \
            sorted((w.name, ref) for w in sent for ref in expected.accounts[person])
        assert {e["kind"] for e in report["personal_information"]} == \
            set(expected.identity[person])
        for element in report["personal_information"]:
            assert [s["furnisher"] for s in element["reported_by"]] == \
                [w.name for w in sent], (person, element["kind"])


# --------------------------------------------------------------------------- the report


def report_of(bureau, person: Person) -> dict[str, Any]:
    sid = next(i for i, p in people(bureau).items() if p == person)
    return consumer.my_report(bureau.uow(), bureau.deps, Principal(Role.CONSUMER, sid, person[1]))


def account_on(report: dict[str, Any], ref: str) -> dict[str, Any]:
    [acc] = [a for a in report["accounts"] if a["account_ref"] == ref]
    return acc


def info(report: dict[str, Any]) -> dict[str, tuple[str, list[tuple[str, date, date]]]]:
    out = {}
    for e in report["personal_information"]:
        assert e["kind"] not in out
        out[e["kind"]] = (e["value"], [(s["furnisher"], s["first_seen_on"], s["last_seen_on"])
                                       for s in e["reported_by"]])
    return out


SOURCE = [("Corpus Bank", AS_OF, AS_OF)]


@pytest.mark.parametrize("name", FAMILIES["segments"])
def test_segments_on_the_consumer_report(bureau, furnisher, monkeypatch, name: str) -> None:
    from openbureau.domain.code_lists import creditor_classification_text

    ingest(bureau, furnisher, name, monkeypatch)
    ned = account_on(report_of(bureau, ("321540004", "NED Q NASH", "1980-02-28")), "ACC-23")
    assert {k: ned[k] for k in ("kind", "ecoa", "original_amount", "credit_limit", "balance",
                                "original_creditor", "purchase", "mortgage",
                                "specialised_payment")} == {
        "kind": "installment", "ecoa": "individual", "original_amount": 2000000,
        "credit_limit": None, "balance": 1500000,
        "original_creditor": {"name": "ORIGINAL BANK", "classification": "08",
                              "classification_text": creditor_classification_text("08")},
        "purchase": {"indicator": "purchased_from", "name": "OLD LENDER INC",
                     "text": "Purchased from OLD LENDER INC"},
        "mortgage": None, "specialised_payment": K4["specialised_payment"]}
    larry = account_on(report_of(bureau, ("321540002", "LARRY Q LANE", "1980-02-28")), "ACC-21")
    assert (larry["original_creditor"], larry["purchase"]["text"],
            larry["specialised_payment"]) == (None, "Purchased from OLD LENDER INC", None)
    mona = account_on(report_of(bureau, ("321540003", "MONA Q MOORE", "1980-02-28")), "ACC-22")
    assert (mona["kind"], mona["purchase"], mona["specialised_payment"]) == \
        ("mortgage", None, K4["specialised_payment"])
    # N1: the employer of the base consumer, named with who reported it
    olga = report_of(bureau, ("321540005", "OLGA Q ORTIZ", "1980-02-28"))
    assert info(olga)["employer"] == ("ACME FOUNDRY, DECATUR, IL — WELDER", SOURCE)
    assert account_on(olga, "ACC-24")["ecoa"] == "joint"
    # J2: a file of its own, its own address, the account with its ECOA; no employer
    paul = report_of(bureau, ("321540006", "PAUL ORTIZ", "1979-07-04"))
    assert info(paul) == {
        "name": ("PAUL ORTIZ", SOURCE), "national_id": ("*****0006", SOURCE),
        "date_of_birth": ("1979-07-04", SOURCE),
        "address": ("9 ELM ST, SHELBYVILLE, IL 62565, US (Known to be this consumer's address; "
                    "Rents the home)", SOURCE),
        "phone": ("******6543", SOURCE)}
    assert [(a["account_ref"], a["ecoa"]) for a in paul["accounts"]] == [("ACC-24", "joint")]
    # the zero-filled SSN with a birth date: on KATE's file, by name + birth date
    kate = report_of(bureau, ("321540001", "KATE Q KING", "1980-02-28"))
    assert sorted(a["account_ref"] for a in kate["accounts"]) == ["ACC-20", "ACC-25"]
    # the nine-filled SSN: a file without national id, found by name + birth date
    quinn = report_of(bureau, (None, "QUINN Q QUILL", "1975-03-15"))
    assert {k: quinn["identity"][k] for k in ("name", "date_of_birth", "national_id",
                                              "national_id_masked")} == {
        "name": "QUINN Q QUILL", "date_of_birth": "1975-03-15", "national_id": None,
        "national_id_masked": None}
    assert [a["account_ref"] for a in quinn["accounts"]] == ["ACC-26"]
    assert "national_id" not in info(quinn)


@pytest.mark.parametrize("name", FAMILIES["moov"])
def test_l1_renames_the_tradeline_a_furnisher_already_reported(bureau, furnisher, monkeypatch,
                                                               name: str) -> None:
    """JOHN's ACC-10 was reported in April; the May file's L1 renames it ACC-NEW-1: one
    tradeline, its history and item reference kept, one rename in the audit log, and the
    report shows K1 and K3 on it."""
    april = {"subject": {"national_id": "111223333", "name": "JOHN Q SMITH",
                         "date_of_birth": "1980-02-28"},
             "account_ref": "ACC-10", "as_of": "2024-04-30", "kind": "revolving",
             "opened_on": "2020-01-15", "credit_limit": 500000, "balance": 100000,
             "amount_past_due": 0, "status": "current", "ecoa": "individual", "currency": "USD"}
    done = furnishing.furnish(bureau.uow(), bureau.deps, furnisher,
                              furnishing.candidates_from_json([april]))
    assert (done.accepted, list(done.rejected)) == (1, [])
    john = ("111223333", "JOHN Q SMITH", "1980-02-28")
    with bureau.uow() as uow:
        before = uow.execute(select(accounts.c.id, accounts.c.subject_id,
                                    accounts.c.item_ref)).one()
    summary, _ = ingest(bureau, furnisher, name, monkeypatch)
    assert (summary["accepted"], summary["errors"]) == (7, [])

    def state() -> tuple[Any, ...]:
        got = picture(bureau, furnisher, summary["file_id"], identity=False)
        with bureau.uow() as uow:
            mine = uow.execute(select(accounts.c.id, accounts.c.account_ref, accounts.c.item_ref)
                               .where(accounts.c.subject_id == before.subject_id)).all()
            events = [e.detail for e in uow.execute(
                select(audit_events.c.detail)
                .where(audit_events.c.action == "furnish.account_rekeyed"))]
        return got, [tuple(r) for r in mine], events

    got, mine, events = state()
    # one tradeline, renamed: its id and item reference kept, April's month with May's
    assert mine == [(before.id, "ACC-NEW-1", before.item_ref)]
    assert events == [{"file_id": summary["file_id"], "from": "ACC-10", "to": "ACC-NEW-1"}]
    expected = moov_family().picture()
    del expected["identity"]
    expected["months"][(john, "ACC-NEW-1")].insert(0, {
        **MONTH, "as_of": date(2024, 4, 30), "balance": 100000, "scheduled_payment": None,
        "payment_history": None, "file_id": None})
    assert got == expected
    john_report = report_of(bureau, john)
    acc = account_on(john_report, "ACC-NEW-1")
    assert acc["item_ref"] == before.item_ref
    assert (acc["original_creditor"]["name"], acc["mortgage"]) == \
        ("ORIGINAL BANK", K3["mortgage"])
    assert info(john_report)["employer"] == (
        "WIDGET WORKS, SPRINGFIELD, IL — MACHINIST", SOURCE)
    # the same file again: nothing renamed, nothing added
    ingest(bureau, furnisher, name, monkeypatch)
    assert state() == (got, mine, events)
