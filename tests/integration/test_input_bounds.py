"""One validation for every entry point (docs/security.md): what the API refuses, the pages and
the services refuse too -- amounts, case numbers, currencies, dates, names that are no name --
with the message next to the field, never a 500, and nothing stored or published."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from openbureau.domain.errors import ValidationFailed
from openbureau.domain.roles import Principal, Role
from openbureau.services import registry
from tests.conftest import NOW, auth
from tests.integration.test_furnishing_api import record
from tests.integration.test_registry import ADA, counts, list_judgment, search
from tests.integration.test_web_pages import (  # noqa: F401 - the fixture
    HTML,
    NID,
    consumer_file,
    csrf_of,
    sign_in_org,
)

TODAY = NOW.date()
INVISIBLE = "\u200b\u200f\u200e\u2066\u2069"      # zero-width space, RTL/LTR marks, an isolate
OTHER = "900100777"                                # a debtor nobody holds a file on yet


def published(client) -> list[dict[str, object]]:
    r = search(client, name="Grace Hopper")
    assert r.status_code == 200, r.text
    return r.json()["items"]  # type: ignore[no-any-return]


# -- the court's listing form -------------------------------------------------------------------

GOOD_FORM = {"case_number": "(2026) 01 Zhi 88", "national_id": OTHER, "name": "Grace Hopper",
             "date_of_birth": "1976-12-09", "amount": "1234.50", "currency": "USD",
             "judgment_date": "2026-09-01", "ground": "refuses_to_perform",
             "legal_basis": "Civil Procedure Law art. 262"}

FORM_REFUSALS = [
    pytest.param({"amount": "-5"}, "j-amount", "must not be negative", id="negative"),
    pytest.param({"amount": "1e20"}, "j-amount", "at most two decimals", id="exponent"),
    pytest.param({"amount": "inf"}, "j-amount", "at most two decimals", id="inf"),
    pytest.param({"amount": "nan"}, "j-amount", "at most two decimals", id="nan"),
    pytest.param({"amount": "12.345"}, "j-amount", "at most two decimals", id="fraction"),
    pytest.param({"amount": "99999999999999999999"}, "j-amount", "at most", id="too-large"),
    pytest.param({"case_number": "   "}, "j-case", "is required", id="blank-case"),
    pytest.param({"case_number": "\u200b\u200b"}, "j-case", "invisible", id="invisible-case"),
    pytest.param({"case_number": "X" * 65}, "j-case", "at most 64", id="long-case"),
    pytest.param({"currency": "$$"}, "j-cur", "ISO 4217", id="dollar-signs"),
    pytest.param({"judgment_date": "1066-10-14"}, "j-date", "1900-01-01", id="ancient-judgment"),
    pytest.param({"judgment_date": "2031-01-01"}, "j-date", "in the future",
                 id="future-judgment"),
    pytest.param({"date_of_birth": "1800-01-01"}, "j-dob", "1900-01-01", id="ancient-birth"),
    pytest.param({"date_of_birth": "2030-01-01"}, "j-dob", "today", id="unborn"),
    pytest.param({"name": INVISIBLE}, "j-name", "invisible", id="invisible-name"),
    pytest.param({"name": "\u3164"}, "j-name", "a letter", id="filler-name"),
    pytest.param({"name": "Grace\u202eHopper"}, "j-name", "invisible", id="bidi-override"),
    pytest.param({"legal_basis": "art. 262\x00"}, "j-basis", "control", id="nul-basis"),
]


@pytest.fixture
def court_page(client, orgs) -> str:
    assert sign_in_org(client, orgs["court"]) == "/court"
    return csrf_of(client.get("/court/judgments/new", headers=HTML).text)


@pytest.mark.parametrize(("over", "input_id", "message"), FORM_REFUSALS)
def test_the_court_form_refuses_what_the_api_refuses(client, bureau, court_page, over, input_id,
                                                      message):
    before = counts(bureau)
    r = client.post("/court/judgments", headers=HTML,
                    data={**GOOD_FORM, **over, "csrf_token": court_page})
    assert r.status_code == 422, r.text
    assert "The listing was refused" in r.text
    # the message is next to its field, which points at it
    field_message = r.text.split(f'id="{input_id}-error">', 1)[1].split("</p>", 1)[0]
    assert message in field_message, field_message
    assert f'aria-describedby="{input_id}-error"' in r.text \
        or f'{input_id}-help {input_id}-error' in r.text
    assert counts(bureau) == before
    assert published(client) == []


def test_the_court_form_lists_a_good_judgment_in_major_units(client, bureau, court_page):
    r = client.post("/court/judgments", headers=HTML, follow_redirects=False,
                    data={**GOOD_FORM, "currency": "usd", "csrf_token": court_page})
    assert r.status_code == 303, r.text
    [item] = published(client)
    assert (item["amount"], item["currency"], item["case_number"]) == (
        123450, "USD", "(2026) 01 Zhi 88")


# -- the same through the API and the service ----------------------------------------------------

API_REFUSALS = [
    pytest.param({"case_number": "   "}, "case_number", id="blank-case"),
    pytest.param({"case_number": "\u200b"}, "case_number", id="invisible-case"),
    pytest.param({"debtor": {**ADA, "national_id": OTHER, "name": INVISIBLE}}, "debtor.name",
                 id="invisible-name"),
    pytest.param({"debtor": {**ADA, "national_id": OTHER, "name": "---"}}, "debtor.name",
                 id="no-letter"),
    pytest.param({"debtor": {**ADA, "national_id": OTHER, "date_of_birth": "2030-01-01"}},
                 "debtor.date_of_birth", id="unborn"),
    pytest.param({"debtor": {**ADA, "national_id": OTHER, "date_of_birth": "1850-01-01"}},
                 "debtor.date_of_birth", id="ancient-birth"),
    pytest.param({"judgment_date": "1066-10-14"}, "judgment_date", id="ancient-judgment"),
    pytest.param({"until": "2999-01-01"}, "until", id="until-far-ahead"),
    pytest.param({"ground": "refuses_to_perform",     # listed until performed
                  "restrictions": [{"category": "air_travel", "until": "2999-01-01"}]},
                 "restrictions[0].until", id="restriction-far-ahead"),
    pytest.param({"legal_basis": "art. 1\x00"}, "legal_basis", id="nul-basis"),
    # a negative amount, 1e20 and "$$" the API's schema refused already
]


@pytest.mark.parametrize(("over", "field"), API_REFUSALS)
def test_the_api_refuses_and_names_the_field(client, orgs, bureau, over, field):
    before = counts(bureau)
    r = list_judgment(client, orgs, **{"debtor": {**ADA, "national_id": OTHER,
                                                  "name": "Grace Hopper"}, **over})
    assert r.status_code == 422, r.text
    fields = [e["field"].removeprefix("body.") for e in r.json()["errors"]]
    assert any(f == field or f.startswith(field) for f in fields), fields
    assert counts(bureau) == before
    assert published(client) == []


SERVICE_REFUSALS = [
    pytest.param({"amount": -5}, "amount", id="negative"),
    pytest.param({"amount": 10**20}, "amount", id="too-large"),
    pytest.param({"amount": 12.5}, "amount", id="fraction"),
    pytest.param({"currency": "$$"}, "currency", id="dollar-signs"),
    pytest.param({"case_number": ""}, "case_number", id="blank-case"),
    pytest.param({"judgment_date": date(1, 1, 1)}, "judgment_date", id="year-one"),
    pytest.param({"until": TODAY + timedelta(days=365 * 50)}, "until", id="until-far-ahead"),
    pytest.param({"debtor": registry.Debtor("person", OTHER, "\u200f", None)}, "debtor.name",
                 id="invisible-name"),
    pytest.param({"debtor": registry.Debtor("person", "", "Grace Hopper", date(1976, 12, 9))},
                 "debtor.national_id", id="no-identifier"),
]


def _court(bureau, orgs) -> Principal:
    orgs["court"]                   # created on first use
    from openbureau.services import access

    return next(Principal(Role.COURT, o["id"], o["name"])
                for o in access.list_organisations(bureau.uow(), bureau.deps)
                if o["role"] == "court")


@pytest.mark.parametrize(("over", "field"), SERVICE_REFUSALS)
def test_the_service_refuses_whatever_calls_it(client, orgs, bureau, over, field):
    """A command, a page or any future entry point calls this; it is where the rule is."""
    before = counts(bureau)
    args = {"case_number": "C-1", "debtor": registry.Debtor("person", OTHER, "Grace Hopper",
                                                            date(1976, 12, 9)),
            "amount": 100, "currency": "USD", "judgment_date": date(2026, 9, 1),
            "ground": "evades_enforcement", "legal_basis": "art. 1", "restrictions_asked": [],
            **over}
    with pytest.raises(ValidationFailed) as exc:
        registry.list_judgment(bureau.uow(), bureau.deps, _court(bureau, orgs),
                               **args)  # type: ignore[arg-type]
    assert field in [e.field for e in exc.value.errors]
    assert counts(bureau) == before
    assert published(client) == []


def test_objection_decisions_and_corrections_are_bounded_like_listings(client, orgs, bureau):
    from openbureau.services import objections
    from tests.integration.test_registry import _object, listed
    from tests.integration.test_reports import consumer_token

    listing = listed(client, orgs)
    filed = _object(client, consumer_token(bureau), listing["listing_id"]).json()
    decide = f"/v1/court/objections/{filed['objection_id']}/decision"
    r = client.post(decide, headers=auth(orgs["court"]),
                    json={"outcome": "rejected", "note": "   "})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "note"
    court = _court(bureau, orgs)
    for correction, field in ((objections.Correction(amount=-1), "correction.amount"),
                              (objections.Correction(until=date(2999, 1, 1)),
                               "correction.until")):
        with pytest.raises(ValidationFailed) as exc:
            objections.decide(bureau.uow(), bureau.deps, court, filed["objection_id"],
                              "upheld", "paid", "correct", correction)
        assert [e.field for e in exc.value.errors] == [field]
    [still] = client.get("/v1/court/objections", headers=auth(orgs["court"])).json()["items"]
    assert still["status"] == "open"


# -- names that are no name: the record schema, look-ups, organisations --------------------------

@pytest.mark.parametrize("name", [INVISIBLE, "\u200d", "\u2067\u2069 ", "\ufeff",
                                  "Ada\u202eecalevoL", "Ada\u200bLovelace", "..."])
def test_a_furnished_record_needs_a_real_name(client, orgs, bureau, name):
    r = client.post("/v1/furnisher/accounts:batch", headers=auth(orgs["furnisher"]),
                    json={"records": [record(subject={"national_id": OTHER, "name": name,
                                                      "date_of_birth": "1976-12-09"})]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["accepted"] == 0
    assert [e["field"] for e in body["rejected"][0]["errors"]] == ["subject.name"]


def test_names_in_any_script_are_kept(client, orgs):
    names = ["王伟", "Zoë Łukasz", "José\u0301 O'Brien", "علی\u200cرضا", "Nguyễn Thị"]
    r = client.post("/v1/furnisher/accounts:batch", headers=auth(orgs["furnisher"]),
                    json={"records": [record(account_ref=f"A-{i}", subject={
                        "national_id": f"90010080{i}", "name": n}) for i, n in enumerate(names)]})
    assert r.json() == {"accepted": len(names), "rejected": [], "warnings": []}


@pytest.mark.parametrize(("subject", "over", "field"), [
    ({"date_of_birth": "1899-12-31"}, {}, "subject.date_of_birth"),
    ({}, {"as_of": "2101-01-31"}, "as_of"),
    ({}, {"opened_on": "0001-01-01"}, "opened_on"),
])
def test_furnished_dates_are_bounded(client, orgs, subject, over, field):
    rec = record(**over)
    rec["subject"] = {**rec["subject"], **subject}  # type: ignore[dict-item]
    r = client.post("/v1/furnisher/accounts:batch", headers=auth(orgs["furnisher"]),
                    json={"records": [rec]})
    assert r.json()["accepted"] == 0
    assert field in [e["field"] for e in r.json()["rejected"][0]["errors"]]


@pytest.mark.parametrize(("subject", "field"), [
    ({"national_id": NID, "name": INVISIBLE}, "subject.name"),
    ({"national_id": NID, "name": "Ada Lovelace", "date_of_birth": "2030-01-01"},
     "subject.date_of_birth"),
    ({"national_id": NID, "name": "Ada Lovelace", "date_of_birth": "1800-01-01"},
     "subject.date_of_birth"),
])
@pytest.mark.usefixtures("consumer_file")
def test_look_ups_refuse_what_names_nobody(client, orgs, subject, field):
    for path, body in (("/v1/member/inquiries", {"purpose": "credit_application"}),
                       ("/v1/member/restriction-checks", {"category": "air_travel"})):
        r = client.post(path, headers=auth(orgs["member"]), json={"subject": subject, **body})
        assert r.status_code == 422, r.text
        assert [e["field"] for e in r.json()["errors"]] == [field]


@pytest.mark.usefixtures("consumer_file")
def test_the_inquiry_page_refuses_an_invisible_name_next_to_the_field(client, orgs):
    sign_in_org(client, orgs["member"])
    form = client.get("/member", headers=HTML)
    r = client.post("/member/inquiries", headers=HTML,
                    data={"national_id": NID, "name": INVISIBLE, "purpose": "credit_application",
                          "csrf_token": csrf_of(form.text)})
    assert r.status_code == 422, r.text
    assert 'id="s-name-error"' in r.text and "invisible" in r.text
    assert 'aria-describedby="s-name-error"' in r.text


def test_an_organisation_needs_a_real_name(client, orgs):
    r = client.post("/v1/admin/organisations", headers=auth(orgs["operator"]),
                    json={"name": "\u200f\u200e", "role": "member"})
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "name"


# -- free text: the page's limits are the API's --------------------------------------------------

def test_the_offer_form_refuses_a_blank_title_next_to_it(client, orgs, bureau):
    sign_in_org(client, orgs["member"])
    page = client.get("/member/offers", headers=HTML)
    r = client.post("/member/offers", headers=HTML,
                    data={"title": "   ", "description": "2% off", "min_score": "700",
                          "category": "credit_card", "csrf_token": csrf_of(page.text)})
    assert r.status_code == 422, r.text
    assert 'id="o-title-error">is required' in r.text


@pytest.mark.usefixtures("consumer_file")
def test_the_dispute_form_keeps_to_the_apis_length(client, bureau):
    from sqlalchemy import func, select

    from openbureau.adapters.tables import disputes
    from tests.integration.test_web_pages import sign_in_consumer

    sign_in_consumer(client)
    page = client.get("/me/report", headers=HTML)
    ref = page.text.split("/me/disputes/new?", 1)[1].split("ref=", 1)[1].split("&", 1)[0]
    r = client.post("/me/disputes", headers=HTML,
                    data={"kind": "account", "ref": ref, "reason": "x" * 2001,
                          "csrf_token": csrf_of(page.text)})
    assert r.status_code == 422, r.text
    assert 'id="reason-error">must be at most 2000 characters' in r.text
    with bureau.uow() as uow:
        assert uow.execute(select(func.count()).select_from(disputes)).scalar_one() == 0
