"""Data-quality rules (domain.quality): each rule fires on a record made to trip it and stays
quiet on a near miss; severities; the report accumulator; reject rules word their errors."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from openbureau.domain import quality as q
from openbureau.domain.record_parts import OriginalCreditor
from openbureau.domain.records import (
    AccountKind,
    AccountRecord,
    AccountStatus,
    Ecoa,
    SubjectIdentity,
)

S, K = AccountStatus, AccountKind
TODAY = date(2024, 6, 15)
SUBJECT = SubjectIdentity("123456789", "JANE Q DOE", date(1980, 2, 28))
BASE = AccountRecord(
    subject=SUBJECT, account_ref="ACC-1", as_of=date(2024, 5, 31), kind=K.REVOLVING,
    opened_on=date(2020, 1, 15), balance=123_400, amount_past_due=0, status=S.CURRENT,
    ecoa=Ecoa.INDIVIDUAL, currency="USD", credit_limit=500_000, scheduled_payment=3_500,
    payment_history="0" * 24)
M2 = {"portfolio_type": "R", "account_type": "18", "terms_duration": "REV",
      "terms_frequency": "M", "scheduled_payment": "000000035", "actual_payment": "000000035",
      "highest_credit": "000001200", "credit_limit": "000005000",
      "original_charge_off": "000000000",
      "current_balance": "000001234", "amount_past_due": "000000000", "account_status": "11",
      "payment_rating": "", "payment_history": "0" * 24, "special_comment": "",
      "compliance_code": "", "date_opened": "01152020", "date_of_account_information": "05312024",
      "date_of_first_delinquency": "00000000", "date_closed": "00000000",
      "date_of_last_payment": "05012024", "interest_type": "", "ecoa_code": "1",
      "consumer_information_indicator": "", "correction_indicator": "0", "ssn_given": "1",
      "date_of_birth": "02281980", "segment": "base", "activity_date": "05312024"}

# a paid instalment loan that trips nothing: the base for rules about paid/closed accounts
PAID = replace(BASE, kind=K.INSTALLMENT, status=S.PAID, balance=0, credit_limit=None,
               original_amount=1_000_000, closed_on=date(2024, 5, 1), scheduled_payment=None)
PAID_M2 = {**M2, "portfolio_type": "I", "account_type": "01", "terms_duration": "036",
           "account_status": "13", "payment_rating": "0", "date_closed": "05012024",
           "credit_limit": "000000000", "current_balance": "000000000"}
DLQ = replace(BASE, status=S.DPD60, amount_past_due=7_000, payment_history="1" + "0" * 23,
              date_of_first_delinquency=date(2024, 3, 1))
DLQ_M2 = {**M2, "account_status": "78"}
COLL = replace(BASE, kind=K.COLLECTION, status=S.COLLECTION, credit_limit=None,
               original_amount=50_000, balance=50_000, amount_past_due=50_000,
               date_of_first_delinquency=date(2023, 1, 1), scheduled_payment=None,
               payment_history=None,
               original_creditor=OriginalCreditor("ACME RETAIL", "01"))
COLL_M2 = {**M2, "portfolio_type": "O", "account_type": "48", "terms_duration": "001",
           "account_status": "93"}


def subject(**kw: Any) -> SubjectIdentity:
    return replace(SUBJECT, **kw)


# rule id -> ((record, extras) that trips it, (record, extras) that is a near miss)
CASES: dict[str, tuple[tuple[AccountRecord, dict | None], tuple[AccountRecord, dict | None]]] = {
    "Q01": ((replace(BASE, amount_past_due=100), M2), (replace(DLQ), DLQ_M2)),
    "Q02": ((replace(DLQ, date_of_first_delinquency=None), DLQ_M2), (DLQ, DLQ_M2)),
    "Q03": ((replace(BASE, opened_on=date(2024, 6, 1)), M2),
            (replace(BASE, opened_on=date(2024, 5, 31)), M2)),
    "Q04": ((replace(PAID, closed_on=date(2020, 1, 1)), PAID_M2),
            (replace(PAID, closed_on=date(2020, 1, 15)), PAID_M2)),
    "Q05": ((replace(DLQ, date_of_first_delinquency=date(2024, 6, 1)), DLQ_M2),
            (replace(DLQ, date_of_first_delinquency=date(2024, 5, 31)), DLQ_M2)),
    "Q06": ((replace(BASE, subject=subject(national_id=None, date_of_birth=None)), M2),
            (replace(BASE, subject=subject(national_id=None)), M2)),
    "Q07": ((replace(PAID, balance=100), PAID_M2), (PAID, PAID_M2)),
    "Q08": ((replace(PAID, balance=100, amount_past_due=100), PAID_M2), (PAID, PAID_M2)),
    "Q09": ((replace(DLQ, amount_past_due=BASE.balance + 1), DLQ_M2),
            (replace(DLQ, amount_past_due=BASE.balance), DLQ_M2)),
    "Q10": ((replace(DLQ, amount_past_due=0), DLQ_M2), (DLQ, DLQ_M2)),
    "Q11": ((replace(PAID, closed_on=None), {**PAID_M2, "date_closed": "00000000"}),
            (PAID, PAID_M2)),
    "Q12": ((replace(BASE, balance=0, closed_on=date(2024, 5, 1)), M2),
            (replace(BASE, closed_on=date(2024, 5, 1)), M2)),
    "Q13": ((replace(BASE, date_of_first_delinquency=date(2023, 1, 1)), M2), (BASE, M2)),
    "Q14": ((replace(DLQ, date_of_first_delinquency=date(2019, 12, 1)), DLQ_M2),
            (replace(DLQ, date_of_first_delinquency=date(2020, 1, 15)), DLQ_M2)),
    "Q15": ((replace(PAID, closed_on=date(2024, 6, 1)), PAID_M2),
            (replace(PAID, closed_on=date(2024, 5, 31)), PAID_M2)),
    "Q16": ((replace(BASE, as_of=date(2024, 7, 31)), None),
            (replace(BASE, as_of=date(2024, 6, 30)), None)),
    "Q17": ((replace(BASE, subject=subject(date_of_birth=date(2024, 6, 1))), M2),
            (replace(BASE, subject=subject(date_of_birth=date(2004, 5, 31))), M2)),
    "Q18": ((replace(BASE, subject=subject(date_of_birth=date(2002, 1, 16))), M2),
            (replace(BASE, subject=subject(date_of_birth=date(2002, 1, 15))), M2)),
    "Q19": ((replace(BASE, subject=subject(date_of_birth=date(1903, 5, 30))), M2),
            (replace(BASE, subject=subject(date_of_birth=date(1903, 6, 1))), M2)),
    "Q20": ((replace(BASE, subject=subject(national_id=None)), M2), (BASE, M2)),
    "Q21": ((replace(BASE, payment_history="L" + "0" * 23), M2),
            (replace(BASE, payment_history="6" + "0" * 23), M2)),
    "Q22": ((replace(DLQ, payment_history="0" * 24), DLQ_M2), (DLQ, DLQ_M2)),
    "Q23": ((replace(BASE, payment_history="00B0"), M2),
            (replace(BASE, payment_history="00BB"), M2)),
    "Q24": ((replace(BASE, opened_on=date(2024, 3, 1), payment_history="000"), M2),
            (replace(BASE, opened_on=date(2024, 3, 1), payment_history="00B"), M2)),
    "Q25": ((replace(PAID, status=S.CURRENT, closed_on=None, balance=1_000_001), M2),
            (replace(PAID, status=S.CURRENT, closed_on=None, balance=1_000_000), M2)),
    "Q26": ((replace(PAID, credit_limit=100), PAID_M2), (PAID, PAID_M2)),
    "Q27": ((replace(BASE, credit_limit=None), M2), (BASE, M2)),
    "Q28": ((replace(PAID, original_amount=None), PAID_M2), (PAID, PAID_M2)),
    "Q29": ((replace(PAID, scheduled_payment=1), PAID_M2),
            (replace(PAID, scheduled_payment=None), PAID_M2)),
    "Q30": ((replace(COLL, original_creditor=None), COLL_M2), (COLL, COLL_M2)),
    "Q31": ((replace(BASE, ecoa=Ecoa.DELETE_CONSUMER, compliance_code="XB"), M2),
            (replace(BASE, ecoa=Ecoa.DELETE_CONSUMER), M2)),
    "Q32": ((replace(BASE, compliance_code="XA"), M2),
            (replace(BASE, compliance_code="XA", closed_on=date(2024, 5, 1)), M2)),
    "Q33": ((replace(PAID, compliance_code="XF"), PAID_M2),
            (replace(BASE, compliance_code="XF"), M2)),
    "Q34": ((replace(BASE, special_comment="AU"), M2),
            (replace(PAID, special_comment="AU"), PAID_M2)),
    "Q35": ((replace(PAID, special_comment="CP"), PAID_M2),
            (replace(BASE, special_comment="CP"), M2)),
    "Q36": ((replace(BASE, special_comment="M"), M2),
            (replace(BASE, special_comment="M", closed_on=date(2024, 5, 1)), M2)),
    "Q37": ((replace(BASE, special_comment="DE"), M2),
            (replace(BASE, special_comment="DE", balance=0, closed_on=None), M2)),
    "Q38": ((replace(DLQ, status=S.CHARGED_OFF), {**M2, "account_status": "97"}),
            (replace(DLQ, status=S.CHARGED_OFF),
             {**M2, "account_status": "97", "original_charge_off": "000000500"})),
    "Q39": ((BASE, {**M2, "original_charge_off": "000000500"}),
            (replace(DLQ, status=S.CHARGED_OFF),
             {**M2, "account_status": "97", "original_charge_off": "000000500"})),
    "Q40": ((BASE, {**M2, "payment_rating": "1"}), (PAID, PAID_M2)),
    "Q41": ((PAID, {**PAID_M2, "payment_rating": ""}), (PAID, PAID_M2)),
    "Q42": ((BASE, {**M2, "portfolio_type": "I"}), (BASE, M2)),
    "Q43": ((BASE, {**M2, "account_type": "ZZ"}), (BASE, M2)),
    "Q44": ((BASE, {**M2, "terms_duration": "036"}),
            (BASE, {**M2, "portfolio_type": "C", "account_type": "15", "terms_duration": "LOC"})),
    "Q45": ((BASE, {**M2, "date_of_last_payment": "06012024"}),
            (BASE, {**M2, "date_of_last_payment": "05312024"})),
    "Q46": ((BASE, {**M2, "date_of_last_payment": "01142020"}),
            (BASE, {**M2, "date_of_last_payment": "01152020"})),
    "Q47": ((BASE, {**M2, "date_of_last_payment": "00000000"}),
            (BASE, {**M2, "date_of_last_payment": "00000000", "actual_payment": "000000000"})),
    "Q48": ((BASE, {**M2, "activity_date": "05302024"}), (BASE, M2)),
}


def test_the_base_records_trip_nothing() -> None:
    for rec, m2 in ((BASE, M2), (BASE, None), (PAID, PAID_M2), (DLQ, DLQ_M2), (COLL, COLL_M2)):
        assert q.fired(rec, m2, TODAY) == [], rec


def test_every_rule_has_a_case_and_there_are_at_least_30() -> None:
    assert len(q.RULES) >= 30
    assert set(CASES) == set(q.BY_ID)
    assert [r.id for r in q.RULES] == sorted(r.id for r in q.RULES)    # rule order = id order


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_trips_and_near_miss_does_not(rule_id: str) -> None:
    (trip, trip_m2), (miss, miss_m2) = CASES[rule_id]
    assert rule_id in {r.id for r in q.fired(trip, trip_m2, TODAY)}
    assert rule_id not in {r.id for r in q.fired(miss, miss_m2, TODAY)}


def test_metro2_rules_do_not_apply_without_extras() -> None:
    for rule in q.RULES:
        if rule.metro2:
            (trip, _), _ = CASES[rule.id]
            assert rule not in q.fired(trip, None, TODAY)


def test_severities_reject_are_the_cross_field_refusals() -> None:
    assert [r.id for r in q.REJECT_RULES] == ["Q01", "Q02", "Q03", "Q04", "Q05", "Q06"]
    assert all(not r.metro2 for r in q.REJECT_RULES)      # decided on the record alone
    assert {r.severity for r in q.RULES} == {"reject", "warn"}
    # warnings() never answers a reject rule: a record that parsed was not refused by one
    rec = replace(BASE, amount_past_due=100, payment_history="L" + "0" * 23)
    assert [r.id for r in q.warnings(rec, M2, TODAY)] == ["Q21"]
    assert [r.id for r in q.fired(rec, M2, TODAY)] == ["Q01", "Q21"]


def test_reject_errors_name_the_rule_and_its_fields() -> None:
    rec = replace(DLQ, date_of_first_delinquency=None, opened_on=date(2024, 6, 1))
    errors = q.reject_errors(rec)
    assert [e.field for e in errors] == ["date_of_first_delinquency", "opened_on"]
    assert "[rule Q02: date_of_first_delinquency, status]" in errors[0].message
    assert q.rules_in(errors) == ["Q02", "Q03"]
    assert q.reject_errors(BASE) == []


def test_reference_date_is_the_activity_date_else_today() -> None:
    assert q.reference_date(M2, TODAY) == date(2024, 5, 31)
    assert q.reference_date({**M2, "activity_date": ""}, TODAY) == TODAY
    assert q.reference_date(None, TODAY) == TODAY
    born_after_activity = replace(BASE, subject=subject(date_of_birth=date(2024, 6, 1)))
    assert "Q17" not in {r.id for r in q.fired(born_after_activity, None, date(2024, 6, 1))}


def test_m2_date() -> None:
    assert q.m2_date("02292024") == date(2024, 2, 29)
    for raw in ("00000000", "", "02302024", "0229202", "ABCDEFGH", None):
        assert q.m2_date(raw) is None


def test_report_counts_and_keeps_five_samples() -> None:
    report = q.QualityReport()
    for line in range(2, 10):
        report.hit("Q07", line)
    report.hit("Q07", 9)             # a line holds several records: sampled once
    report.hit("Q40", 3)
    report.records_checked = 12
    rules = {r["id"]: r for r in report.rules()}
    assert [r["id"] for r in report.rules()] == [r.id for r in q.RULES]
    assert rules["Q07"]["count"] == 9 and rules["Q07"]["sample_lines"] == [2, 3, 4, 5, 6]
    assert rules["Q40"] == {**q.BY_ID["Q40"].as_dict(), "count": 1, "sample_lines": [3]}
    assert rules["Q01"]["count"] == 0 and rules["Q01"]["sample_lines"] == []
    again = q.QualityReport.from_stored(report.stored())
    assert again == report
    assert q.QualityReport.from_stored(None) == q.QualityReport()


def test_docs_list_every_rule_as_the_code_has_it() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "furnishers.md").read_text()
    start, end = doc.index(q.DOC_START), doc.index(q.DOC_END)
    assert doc[start + len(q.DOC_START):end].strip() == q.rules_markdown().strip(), \
        "regenerate the table in docs/furnishers.md from quality.rules_markdown()"
    for rule in q.RULES:
        assert f"| {rule.id} |" in doc
