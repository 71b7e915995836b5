"""The line, category by category: every prohibited category is refused through the JSON batch
and through a CSV upload, with a 422-style error naming the field and the category, and nothing
stored."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from openbureau.adapters.tables import account_months, furnishing_files, subjects
from openbureau.domain.prohibited import CATEGORIES, category_of
from tests.conftest import auth
from tests.integration.test_furnishing_api import record

CASES = [(c.key, sorted(c.words)[0]) for c in CATEGORIES]
CSV_HEAD = ("subject_national_id,subject_name,account_ref,as_of,kind,opened_on,balance,"
            "amount_past_due,status,ecoa,currency")
CSV_ROW = "900100200,Ada Lovelace,C1,2026-10-31,revolving,2019-04-01,100,0,current,individual,USD"


def stored(bureau) -> tuple[int, int, int]:
    with bureau.uow() as uow:
        return tuple(uow.execute(select(func.count()).select_from(t)).scalar_one()
                     for t in (subjects, account_months, furnishing_files))


@pytest.mark.parametrize(("category", "field"), CASES)
def test_category_refused_in_json_batch(client, orgs, bureau, category, field):
    r = client.post("/v1/furnisher/accounts:batch", headers=auth(orgs["furnisher"]),
                    json={"records": [record(**{field: "x"})]})
    assert r.status_code == 200
    body = r.json()
    assert body["accepted"] == 0
    errors = body["rejected"][0]["errors"]
    assert (errors[0]["field"], errors[0]["category"]) == (field, category)
    assert "prohibited data" in errors[0]["message"]
    assert stored(bureau) == (0, 0, 0)


@pytest.mark.parametrize(("category", "field"), CASES)
def test_category_refused_in_csv_upload(client, orgs, bureau, category, field):
    body = f"{CSV_HEAD},{field}\n{CSV_ROW},x\n".encode()
    r = client.post("/v1/furnisher/files", headers=auth(orgs["furnisher"]),
                    files={"file": ("accounts.csv", body, "text/csv")})
    assert r.status_code == 422
    problem = r.json()
    assert problem["status"] == 422 and problem["type"].endswith("prohibited-data")
    assert {"field": field, "category": category} in [
        {k: e.get(k) for k in ("field", "category")} for e in problem["errors"]]
    assert stored(bureau) == (0, 0, 0)


def test_unknown_field_is_refused_without_a_category(client, orgs):
    r = client.post("/v1/furnisher/accounts:batch", headers=auth(orgs["furnisher"]),
                    json={"records": [record(favourite_colour="blue")]})
    err = r.json()["rejected"][0]["errors"][0]
    assert err["field"] == "favourite_colour" and err.get("category") is None
    assert "unknown field" in err["message"]


@pytest.mark.parametrize("name", ["balance", "credit_limit", "account_ref", "amount_past_due",
                                  "scheduled_payment", "monthly_income", "consent_ref"])
def test_schema_fields_are_not_mistaken_for_categories(name):
    assert category_of(name) is None


@pytest.mark.parametrize(("name", "category"), [
    ("facebookFriends", "social_media"), ("Religion", "religious_views"),
    ("gps_location", "location"), ("alcohol_purchases", "lawful_purchases"),
    ("waste_sorting_score", "non_financial_conduct"), ("jaywalking", "non_financial_conduct"),
    ("visits_to_parents", "family_visits"), ("MaritalStatus", "protected_characteristics")])
def test_field_names_in_any_case_style_are_classified(name, category):
    hit = category_of(name)
    assert hit is not None and hit.key == category
