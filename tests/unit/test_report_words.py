"""The report's words without a database: why an account is on a file (``domain.why``), the
tiles and the history sentence (``domain.report_summary``), and the match a record placed by
its keys is recorded with (``MatchModel.agreeing``: the model's own weights)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from openbureau.adapters import i18n
from openbureau.domain import report_summary, why
from openbureau.domain.record_types import SubjectIdentity
from openbureau.identity import features, model, rules
from openbureau.services.resolution import link_of, look_up_link


def cell(code: str, label: str = "Current") -> dict[str, str]:
    return {"code": code, "label": label}


def test_history_counts_on_time_late_and_missing_months():
    grid = [cell("-", "No data")] * 20 + [cell("0"), cell("1", "30 days past due"),
                                          cell("E", "Zero balance, current"), cell("P", "Paid")]
    h = report_summary.history(grid)
    assert (h["months_reported"], h["on_time"]) == (4, 3)
    assert h["text"] == ("3 of 4 months with data on time; 1 month 30 days past due; "
                         "20 months without data.")
    assert report_summary.history([cell("-")] * 24)["text"] == (
        "No payment data for the last 24 months.")


def account(**over: object) -> dict[str, object]:
    a: dict[str, object] = {
        "status": "current", "closed_on": None, "currency": "USD", "balance": 0,
        "kind": "revolving", "credit_limit": 1000, "amount_past_due": 0,
        "opened_on": date(2020, 1, 15), "payment_history": [cell("0")] * 24}
    a.update(over)
    return a


def report(*accounts: dict[str, object], **over: object) -> dict[str, object]:
    r: dict[str, object] = {"accounts": list(accounts), "inquiries": [], "disputes": [],
                            "public_records": [], "fraud_alerts": [], "frozen": False,
                            "score": None}
    r.update(over)
    return r


NOW = datetime(2026, 12, 7, tzinfo=UTC)


def test_on_time_share_is_never_100_while_a_month_was_late():
    grid = [cell("0")] * 293 + [cell("1", "30 days past due")]
    t = report_summary.tiles(report(account(payment_history=grid)), NOW)
    assert t["on_time"] == {"percent": 99, "months": 294, "on_time_months": 293}


def test_tiles_utilisation_balances_attention_and_age():
    t = report_summary.tiles(report(
        account(balance=300, credit_limit=1000),
        account(balance=500, credit_limit=1000, status="dpd30", amount_past_due=50),
        account(kind="installment", balance=9000, credit_limit=None,
                opened_on=date(2016, 5, 31)),
        account(balance=100, credit_limit=2000, status="closed", closed_on=date(2025, 1, 1)),
        inquiries=[{"kind": "inquiry", "purpose": "credit_application",
                    "when": datetime(2026, 1, 1, tzinfo=UTC)},
                   {"kind": "inquiry", "purpose": "account_review",
                    "when": datetime(2026, 1, 1, tzinfo=UTC)},
                   {"kind": "inquiry", "purpose": "credit_application",
                    "when": datetime(2025, 11, 1, tzinfo=UTC)}],
        disputes=[{"status": "open"}, {"status": "verified"}], frozen=True), NOW)
    assert (t["accounts_open"], t["accounts_total"]) == (3, 4)
    assert t["balances"] == [{"currency": "USD", "amount": 9900}]
    assert t["utilisation"] == {"percent": 40, "balance": 800, "limit": 2000, "currency": "USD"}
    assert t["hard_inquiries"] == 1             # one application in 12 months; a review is soft
    assert t["age_of_credit"]["text"] == "10 years, 6 months"
    assert [(x["kind"], x["count"]) for x in t["attention"]] == [
        ("past_due", 1), ("disputes", 1), ("frozen", 1)]
    assert report_summary.tiles(report(), NOW)["attention"] == []


AT = datetime(2026, 11, 1, 12, tzinfo=UTC)


def test_why_in_words_for_each_way_an_account_came():
    m = model.load()
    file = model.FileIdentity()
    file.add(features.of(SubjectIdentity("900100200", "ADA KING LOVELACE", date(1985, 12, 10))))
    rec = features.of(SubjectIdentity("900100200", "ADA LOVELACE", date(1985, 12, 11)))
    w = why.explain(link_of("match", AT, m.score_file(rec, file), m))
    assert w["how"] == "match" and w["linked_on"] == "2026-11-01"
    assert w["text"].startswith("Matched to your file by the bureau's identity-matching model. "
                                "Matched on: national id (exact)")
    assert "birth date (one part different)" in w["text"]
    assert f"match weight {w['weight']:.1f}; the bureau links a record at 12 or more" in w["text"]
    assert [f["weight"] for f in w["fields"]] == sorted((f["weight"] for f in w["fields"]),
                                                        reverse=True)
    assert "middle" not in {f["field"] for f in w["fields"]}     # one side had none
    assert why.explain(link_of("new_file", AT, None, m))["text"].startswith(
        "Your file was opened from this account's first record")
    assert why.explain(link_of("operator", AT))["fields"] == []
    assert why.explain(None) == {"how": "unrecorded", "text": why.UNRECORDED,
                                 "linked_on": None, "weight": None, "threshold": None,
                                 "model_version": None, "fields": []}


def test_why_of_a_listing_and_an_inquiry_in_their_own_words():
    m = model.load()
    ada = SubjectIdentity("900100200", "Ada Lovelace", date(1985, 12, 10))
    keys = rules.Decision(rules.Outcome.LINK, 1, None, "keys", (), (1,))
    listing = why.explain(look_up_link(keys, ada, AT, m), item="public_record")
    assert listing["text"].startswith("The court named its debtor by an identity that the "
                                      "bureau's identity-matching model matched to your file.")
    assert "as the court sent them" in listing["text"]          # placed by its keys
    assert {f["field"] for f in listing["fields"]} == {"nid", "first", "surname", "dob"}
    inquiry = why.explain(look_up_link(keys, ada, AT, m), item="inquiry")
    assert inquiry["text"].startswith("The organisation asked about a person by the identity")
    assert "as the organisation sent them" in inquiry["text"]
    assert "registration number" in why.explain({"how": "identifier", "at": "2026-11-01"},
                                                item="public_record")["text"]
    assert why.explain(None, item="inquiry")["text"] == why.UNRECORDED_OF["inquiry"]
    zh = i18n.language("zh-CN")
    assert why.explain(None, zh, "public_record")["text"].startswith("此名单记录")
    assert why.explain({"how": "new_file", "at": "2026-11-01"}, zh,
                       "public_record")["text"].startswith("您的档案是根据此名单记录建立的")


@pytest.mark.parametrize("who", [
    SubjectIdentity("900100200", "ADA KING LOVELACE", date(1985, 12, 10)),
    SubjectIdentity("900100200", "LOVELACE, ADA JR", None),
    SubjectIdentity("900100200", "x", date(1985, 12, 10), surname="Łukasiewicz",
                    first_name="Jan", middle_name=None, generation_code="SR"),
    SubjectIdentity("900100200", "王 伟", date(1990, 1, 1)),
])
def test_a_record_placed_by_its_keys_gets_the_models_own_weights(who):
    m = model.load()
    f = features.of(who)
    full = m.score(f, f)
    first, middle, surname, gen = features.name_parts(who)
    placed = m.agreeing(first, surname, bool(middle), bool(gen), who.date_of_birth is not None)
    assert placed.parts == tuple(p for p in full.parts if p.comparison not in ("addr", "phone"))
    assert placed.weight == pytest.approx(full.weight)


def test_fold_of_ascii_is_its_lower_case():
    assert features.fold("O'Brien-SMITH Jr.") == "o'brien-smith jr."
    assert features.fold("ŁUKASZ Straße") == "lukasz strasse"
