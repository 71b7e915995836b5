"""The court defaulter registry over HTTP: listing, notices, restriction checks, lifting,
organisations, term expiry, objections under each profile, and the public search."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from openbureau.adapters.tables import (
    audit_events,
    inquiries,
    notices,
    objections,
    public_records,
    restrictions,
    subjects,
)
from openbureau.domain.profiles import get_profile
from openbureau.domain.roles import SYSTEM
from openbureau.services import access, deadlines
from tests.conftest import NOW, auth
from tests.integration.test_reports import consumer_token, furnish, record

ADA = {"national_id": "900100200", "name": "Ada Lovelace", "date_of_birth": "1985-12-10"}
ACME = {"kind": "organisation", "registration_number": "91110000ACME01", "name": "Acme Trading Ltd"}
BASIS = "SPC Provisions on Publishing the List of Judgment Defaulters (2017), art. 1"
TODAY = NOW.date()
TERM = timedelta(days=get_profile("us-fcra").listing_term_days)
STORED = (public_records, restrictions, notices, subjects, inquiries, objections)


def judgment(**over: object) -> dict[str, object]:
    body: dict[str, object] = {
        "case_number": "(2026) Jing 0105 Zhi 1234", "debtor": dict(ADA), "amount": 5_000_000,
        "currency": "CNY", "judgment_date": "2026-06-01", "ground": "evades_enforcement",
        "legal_basis": BASIS,
        "restrictions": [{"category": "air_travel"}, {"category": "star_hotels"}]}
    body.update(over)
    return body


def list_judgment(client, orgs, key: str | None = None, **over: object):
    return client.post("/v1/court/judgments", headers=auth(key or orgs["court"]),
                       json=judgment(**over))


def listed(client, orgs, **over: object) -> dict[str, object]:
    r = list_judgment(client, orgs, **over)
    assert r.status_code == 201, r.text
    return r.json()


def check(client, orgs, category: str = "air_travel", subject: dict | None = None):
    return client.post("/v1/member/restriction-checks", headers=auth(orgs["member"]),
                       json={"subject": subject or dict(ADA), "category": category})


def search(client, **params: str):
    return client.get("/v1/public/defaulters", params=params)


def counts(bureau) -> dict[str, int]:
    with bureau.uow() as uow:
        return {t.name: uow.execute(select(func.count()).select_from(t)).scalar_one()
                for t in STORED}


def set_settings(bureau, **values: object) -> None:
    bureau.settings = bureau.settings.model_copy(update=values)


# -- listing -----------------------------------------------------------------------------------

def test_listing_notifies_the_debtor_and_appears_in_the_report(client, orgs, bureau):
    body = listed(client, orgs)
    assert body["listing_id"].startswith("pr_")
    assert body["status"] == "active" and body["court"] == "Test court"
    assert body["debtor"] == {"kind": "person", "name": "Ada Lovelace",
                              "identifier_masked": "*****0200"}
    assert body["until"] == (TODAY + TERM).isoformat()       # not plain non-performance
    assert [(o["category"], o["ordered_on"], o["until"]) for o in body["restrictions"]] == [
        ("air_travel", TODAY.isoformat(), body["until"]),
        ("star_hotels", TODAY.isoformat(), body["until"])]
    with bureau.uow() as uow:
        notice = uow.execute(select(notices)).one()
        ev = uow.execute(select(audit_events).where(audit_events.c.action == "listing.create")
                         ).one()
    assert notice.kind == "listing" and notice.created_at == NOW
    assert notice.body["case_number"] == "(2026) Jing 0105 Zhi 1234"
    assert [o["category"] for o in notice.body["restrictions"]] == ["air_travel", "star_hotels"]
    assert ev.detail["restrictions"] == ["air_travel", "star_hotels"]
    assert "900100200" not in str(ev.detail)

    token = consumer_token(bureau)
    mine = client.get("/v1/me/notices", headers=auth(token)).json()["items"]
    assert [n["kind"] for n in mine] == ["listing"]
    report = client.get("/v1/me/report", headers=auth(token)).json()
    [pr] = report["public_records"]
    assert (pr["item_ref"], pr["ground"], pr["legal_basis"]) == (
        body["listing_id"], "evades_enforcement", BASIS)
    assert [o["category"] for o in pr["restrictions"]] == ["air_travel", "star_hotels"]


def test_plain_non_performance_runs_until_performed(client, orgs):
    body = listed(client, orgs, ground="refuses_to_perform")
    assert body["until"] is None
    assert [o["until"] for o in body["restrictions"]] == [None, None]


def test_court_lists_its_own_listings_with_status(client, orgs, bureau):
    other = access.create_organisation(bureau.uow(), bureau.deps,
                                       SYSTEM, "Other court", "court").key
    mine = listed(client, orgs)
    listed(client, orgs, case_number="B-2")
    assert list_judgment(client, orgs, key=other, case_number="C-9").status_code == 201
    client.post(f"/v1/court/judgments/{mine['listing_id']}/satisfaction",
                headers=auth(orgs["court"]), json={"kind": "performance"})
    r = client.get("/v1/court/judgments", headers=auth(orgs["court"]))
    assert r.status_code == 200
    assert sorted((x["case_number"], x["status"]) for x in r.json()["items"]) == [
        ("(2026) Jing 0105 Zhi 1234", "satisfied"), ("B-2", "active")]
    r = client.get("/v1/court/judgments", params={"status": "active"},
                   headers=auth(orgs["court"]))
    assert [x["case_number"] for x in r.json()["items"]] == ["B-2"]
    # another court cannot lift this court's listing
    r = client.post(f"/v1/court/judgments/{mine['listing_id']}/vacate", headers=auth(other),
                    json={"reason": "not ours"})
    assert r.status_code == 404


REFUSALS = [
    pytest.param({"restrictions": [{"category": "golf_club"}]}, 422, "Validation failed",
                 "restrictions[0].category", "not in this deployment's catalogue",
                 id="outside-catalogue"),
    pytest.param({"restrictions": [{"category": "air_travel"},
                                   {"category": "children_private_school"}]}, 422,
                 "Prohibited data", "restrictions[1].category", "binds the debtor's children",
                 id="children"),
    pytest.param({"restrictions": [{"category": "spouse_air_travel"}]}, 422, "Prohibited data",
                 "restrictions[0].category", "binds the debtor's spouse", id="spouse"),
    pytest.param({"restrictions": [{"category": "air_travel", "scope": "family"}]}, 422,
                 "Prohibited data", "restrictions[0].category",
                 "binds the judgment debtor alone", id="scope"),
    pytest.param({"ground": None}, 422, "Validation failed", "ground", "legal ground",
                 id="no-ground"),
    pytest.param({"ground": "bad_attitude"}, 422, "Validation failed", "ground",
                 "must be one of", id="unknown-ground"),
    pytest.param({"legal_basis": None}, 422, "Validation failed", "legal_basis",
                 "legal provision", id="no-legal-basis"),
    pytest.param({"legal_basis": "   "}, 422, "Validation failed", "legal_basis",
                 "legal provision", id="blank-legal-basis"),
    pytest.param({"restrictions": [{"category": "air_travel", "until": "2026-10-01"}]}, 422,
                 "Validation failed", "restrictions[0].until", "after today", id="past-until"),
]


@pytest.mark.parametrize(("over", "status", "title", "field", "message"), REFUSALS)
def test_refused_listings_store_nothing(client, orgs, bureau, over, status, title, field,
                                        message):
    before = counts(bureau)
    r = list_judgment(client, orgs, **over)
    assert r.status_code == status, r.text
    problem = r.json()
    assert problem["title"] == title
    assert any(e["field"] == field and message in e["message"] for e in problem["errors"]), \
        problem
    assert counts(bureau) == before


def test_third_party_restriction_refused_whatever_the_configuration(client, orgs, bureau):
    set_settings(bureau, restriction_catalogue=["air_travel", "children_private_school",
                                                "officers_air_travel"])
    before = counts(bureau)
    for category in ("children_private_school", "officers_air_travel"):
        r = list_judgment(client, orgs, restrictions=[{"category": category}])
        assert r.status_code == 422 and r.json()["title"] == "Prohibited data"
        assert "whatever the configuration says" in r.json()["errors"][0]["message"]
    assert counts(bureau) == before
    r = check(client, orgs, "children_private_school")
    assert r.status_code == 422
    assert counts(bureau) == before


def test_catalogue_is_configured_per_deployment(client, orgs, bureau):
    set_settings(bureau, restriction_catalogue=["air_travel", "yacht_purchase"])
    r = list_judgment(client, orgs, restrictions=[{"category": "star_hotels"}])
    assert r.status_code == 422 and "air_travel, yacht_purchase" in r.text
    body = listed(client, orgs, restrictions=[{"category": "yacht_purchase"}])
    assert [o["category"] for o in body["restrictions"]] == ["yacht_purchase"]


def test_duplicate_listing_and_mismatched_identity_conflict(client, orgs, bureau):
    listed(client, orgs)
    before = counts(bureau)
    assert list_judgment(client, orgs).status_code == 409
    r = list_judgment(client, orgs, case_number="X-2",
                      debtor={**ADA, "name": "Someone Else"})
    assert r.status_code == 422 and "900100200" not in r.text      # test_security_low
    assert counts(bureau) == before


# -- restriction checks ------------------------------------------------------------------------

def test_restriction_check_names_the_case_and_the_consumer_sees_it(client, orgs, bureau):
    body = listed(client, orgs)
    r = check(client, orgs)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["restricted"] is True
    assert out["orders"] == [{"case_number": "(2026) Jing 0105 Zhi 1234", "court": "Test court",
                              "ground": "evades_enforcement", "category": "air_travel",
                              "ordered_on": TODAY.isoformat(), "until": body["until"]}]
    other = check(client, orgs, "property_purchase").json()
    assert (other["restricted"], other["orders"]) == (False, [])
    with bureau.uow() as uow:
        row = uow.execute(select(inquiries).where(inquiries.c.item_ref == out["check_id"])).one()
    assert (row.kind, row.purpose, row.category) == ("restriction_check", "restriction_check",
                                                     "air_travel")
    token = consumer_token(bureau)
    accesses = client.get("/v1/me/accesses", headers=auth(token)).json()["items"]
    seen = {a["item_ref"]: a for a in accesses}
    assert seen[out["check_id"]]["kind"] == "restriction_check"
    assert seen[out["check_id"]]["who"] == "Test member"
    assert seen[out["check_id"]]["category"] == "air_travel"
    report = client.get("/v1/me/report", headers=auth(token)).json()
    assert out["check_id"] in {i["item_ref"] for i in report["inquiries"]}


def test_restriction_check_refusals_store_nothing(client, orgs, bureau):
    listed(client, orgs)
    before = counts(bureau)
    r = check(client, orgs, "golf_club")
    assert r.status_code == 422 and "not in this deployment's catalogue" in r.text
    r = check(client, orgs, subject={**ADA, "name": "Not Ada"})
    assert r.status_code == 404
    r = check(client, orgs, subject={"national_id": "111222333", "name": "Nobody"})
    assert r.status_code == 404
    assert counts(bureau) == before


@pytest.mark.parametrize(("kind", "status"), [("performance", "satisfied"),
                                              ("settlement", "settled"),
                                              ("termination", "terminated")])
def test_satisfaction_lifts_at_once(client, orgs, bureau, kind, status):
    body = listed(client, orgs)
    assert search(client, name="Lovelace").json()["items"] != []
    r = client.post(f"/v1/court/judgments/{body['listing_id']}/satisfaction",
                    headers=auth(orgs["court"]), json={"kind": kind})
    assert r.status_code == 200, r.text
    lifted = r.json()
    assert lifted["status"] == status and lifted["lifted_at"] is not None
    assert all(o["lifted_at"] is not None for o in lifted["restrictions"])
    assert check(client, orgs).json()["restricted"] is False
    assert search(client, name="Lovelace").json()["items"] == []
    with bureau.uow() as uow:
        kinds = uow.execute(select(notices.c.kind).order_by(notices.c.id)).scalars().all()
    assert kinds == ["listing", "listing_lifted"]
    again = client.post(f"/v1/court/judgments/{body['listing_id']}/satisfaction",
                        headers=auth(orgs["court"]), json={"kind": kind})
    assert again.status_code == 409
    token = consumer_token(bureau)
    assert client.get("/v1/me/report", headers=auth(token)).json()["public_records"] == []


def test_vacate_needs_a_reason(client, orgs, bureau):
    body = listed(client, orgs)
    url = f"/v1/court/judgments/{body['listing_id']}/vacate"
    assert client.post(url, headers=auth(orgs["court"]), json={"reason": ""}).status_code == 422
    assert client.post(url, headers=auth(orgs["court"]), json={"reason": "  "}).status_code == 422
    r = client.post(url, headers=auth(orgs["court"]), json={"reason": "judgment set aside"})
    assert r.status_code == 200
    assert (r.json()["status"], r.json()["lift_reason"]) == ("vacated", "judgment set aside")
    assert check(client, orgs).json()["restricted"] is False
    assert client.post(url, headers=auth(orgs["court"]),
                       json={"reason": "again"}).status_code == 409


def test_organisation_listing_binds_the_organisation_alone(client, orgs, bureau):
    furnish(client, orgs, record())                 # Ada, Acme's officer, has a credit file
    before = counts(bureau)
    r = list_judgment(client, orgs, debtor={**ACME, "legal_representative": "Ada Lovelace"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "debtor.legal_representative"
    r = list_judgment(client, orgs, debtor=dict(ACME),
                      restrictions=[{"category": "air_travel", "scope": "legal_representative"}])
    assert r.status_code == 422 and "binds the judgment debtor alone" in r.text
    assert counts(bureau) == before

    body = listed(client, orgs, debtor=dict(ACME))
    assert body["debtor"]["kind"] == "organisation"
    with bureau.uow() as uow:
        kind = uow.execute(select(subjects.c.kind).where(
            subjects.c.name == "Acme Trading Ltd")).scalar_one()
    assert kind == "organisation"
    org_subject = {"national_id": ACME["registration_number"], "name": ACME["name"]}
    assert check(client, orgs, subject=org_subject).json()["restricted"] is True
    officer = check(client, orgs)
    assert officer.status_code == 200
    assert officer.json() == {**officer.json(), "restricted": False, "orders": []}
    assert [x["name"] for x in search(client, name="Acme").json()["items"]] == [ACME["name"]]
    assert search(client, name="Lovelace").json()["items"] == []
    # the same identifier cannot be a person's file and an organisation's
    r = list_judgment(client, orgs, case_number="X-3",
                      debtor={"kind": "organisation", "registration_number": ADA["national_id"],
                              "name": ADA["name"]})
    assert r.status_code == 422         # and says nothing of the file (test_security_low)


def test_term_listing_expires_by_deadlines_run(client, orgs, bureau, clock):
    body = listed(client, orgs)
    listed(client, orgs, case_number="P-1", ground="refuses_to_perform",
           restrictions=[{"category": "vehicle_purchase"}])
    clock.advance(days=TERM.days)
    # the last day still binds
    assert deadlines.run(bureau.uow(), bureau.deps).listings_expired == 0
    assert check(client, orgs).json()["restricted"] is True
    clock.advance(days=1)
    assert deadlines.run(bureau.uow(), bureau.deps).listings_expired == 1
    with bureau.uow() as uow:
        status = uow.execute(select(public_records.c.status).where(
            public_records.c.item_ref == body["listing_id"])).scalar_one()
    assert status == "expired"
    assert check(client, orgs).json()["restricted"] is False
    assert check(client, orgs, "vehicle_purchase").json()["restricted"] is True
    found = search(client, name="Ada Lovelace").json()["items"]
    assert [x["case_number"] for x in found] == ["P-1"]


# -- objections --------------------------------------------------------------------------------

def _object(client, token: str, listing_id: str, kind: str = "correction"):
    return client.post("/v1/me/objections", headers=auth(token),
                       json={"listing_id": listing_id, "reason": "I paid in September",
                             "kind": kind})


def _same_time(got: str, want: datetime) -> bool:
    return datetime.fromisoformat(got.replace("Z", "+00:00")) == want


@pytest.mark.parametrize("profile_name", ["us-fcra", "cn-cri", "eu-gdpr"])
def test_objection_rejected_then_reconsidered_by_the_court_above(client, orgs, bureau, clock,
                                                                 profile_name):
    profile = get_profile(profile_name)
    high = access.create_organisation(bureau.uow(), bureau.deps, SYSTEM, "High court", "court").key
    body = listed(client, orgs)
    token = consumer_token(bureau)
    r = _object(client, token, body["listing_id"])
    assert r.status_code == 201, r.text
    filed = r.json()
    assert filed["court"] == "Test court" and filed["status"] == "open"
    assert _same_time(filed["due_at"], NOW + timedelta(days=profile.objection_review_days))
    assert _object(client, token, body["listing_id"]).status_code == 409    # one at a time
    assert _object(client, token, "pr_unknown").status_code == 404

    queue = client.get("/v1/court/objections", headers=auth(orgs["court"])).json()["items"]
    assert [(o["objection_id"], o["kind"], o["debtor"]) for o in queue] == [
        (filed["objection_id"], "correction", "Ada Lovelace")]
    assert client.get("/v1/court/objections", headers=auth(high)).json()["items"] == []

    clock.advance(days=3)
    r = client.post(f"/v1/court/objections/{filed['objection_id']}/decision",
                    headers=auth(orgs["court"]),
                    json={"outcome": "rejected", "note": "no proof of payment"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "rejected"
    again = client.post(f"/v1/court/objections/{filed['objection_id']}/decision",
                        headers=auth(orgs["court"]), json={"outcome": "rejected", "note": "x"})
    assert again.status_code == 409
    token = access.sign_in(bureau.uow(), bureau.deps,
                           ADA["national_id"], "correct horse battery")  # time passed
    notes = client.get("/v1/me/notices", headers=auth(token)).json()["items"]
    assert notes[0]["kind"] == "objection_decision" and "reconsideration" in notes[0]["body"]

    # no court above is configured: refused, nothing stored
    before = counts(bureau)
    r = _object(client, token, body["listing_id"], "reconsideration")
    assert r.status_code == 409 and "OPENBUREAU_COURT_PARENTS" in r.text
    assert counts(bureau) == before

    set_settings(bureau, court_parents={"Test court": "High court"})
    clock.advance(days=profile.reconsideration_request_days - 1)
    token = access.sign_in(bureau.uow(), bureau.deps, ADA["national_id"], "correct horse battery")
    r = _object(client, token, body["listing_id"], "reconsideration")
    assert r.status_code == 201, r.text
    recon = r.json()
    assert (recon["court"], recon["kind"]) == ("High court", "reconsideration")
    assert _same_time(recon["due_at"], clock.now()
                      + timedelta(days=profile.reconsideration_decision_days))
    queue = client.get("/v1/court/objections", headers=auth(high)).json()["items"]
    assert [o["objection_id"] for o in queue] == [recon["objection_id"]]
    # the listing court cannot decide what the court above hears
    r = client.post(f"/v1/court/objections/{recon['objection_id']}/decision",
                    headers=auth(orgs["court"]), json={"outcome": "rejected", "note": "x"})
    assert r.status_code == 404
    r = client.post(f"/v1/court/objections/{recon['objection_id']}/decision", headers=auth(high),
                    json={"outcome": "upheld", "remedy": "remove", "note": "paid in full"})
    assert r.status_code == 200, r.text
    assert check(client, orgs).json()["restricted"] is False
    assert search(client, name="Lovelace").json()["items"] == []
    listing = client.get("/v1/court/judgments", headers=auth(orgs["court"])).json()["items"][0]
    assert listing["status"] == "removed"
    assert _object(client, token, body["listing_id"]).status_code == 409


def test_reconsideration_window_closes(client, orgs, bureau, clock):
    access.create_organisation(bureau.uow(), bureau.deps, SYSTEM, "High court", "court")
    set_settings(bureau, court_parents={"Test court": "High court"})
    body = listed(client, orgs)
    token = consumer_token(bureau)
    assert _object(client, token, body["listing_id"], "reconsideration").status_code == 409
    filed = _object(client, token, body["listing_id"]).json()
    client.post(f"/v1/court/objections/{filed['objection_id']}/decision",
                headers=auth(orgs["court"]), json={"outcome": "rejected", "note": "no"})
    clock.advance(days=bureau.profile.reconsideration_request_days, seconds=1)
    token = access.sign_in(bureau.uow(), bureau.deps, ADA["national_id"], "correct horse battery")
    r = _object(client, token, body["listing_id"], "reconsideration")
    assert r.status_code == 409 and "within" in r.json()["detail"]


def test_upheld_objection_corrects_the_listing(client, orgs, bureau):
    body = listed(client, orgs)
    token = consumer_token(bureau)
    filed = _object(client, token, body["listing_id"]).json()
    url = f"/v1/court/objections/{filed['objection_id']}/decision"
    assert client.post(url, headers=auth(orgs["court"]),
                       json={"outcome": "upheld", "note": "x"}).status_code == 422
    r = client.post(url, headers=auth(orgs["court"]), json={
        "outcome": "upheld", "remedy": "correct", "note": "amount was wrong",
        "correction": {"amount": 1_000_000, "lift_restrictions": ["star_hotels"]}})
    assert r.status_code == 200, r.text
    listing = client.get("/v1/court/judgments", headers=auth(orgs["court"])).json()["items"][0]
    assert (listing["status"], listing["amount"]) == ("active", 1_000_000)
    assert check(client, orgs, "star_hotels").json()["restricted"] is False
    assert check(client, orgs, "air_travel").json()["restricted"] is True


def test_a_consumer_objects_only_to_their_own_listing(client, orgs, bureau):
    body = listed(client, orgs, debtor={"national_id": "800100300", "name": "Bob Other",
                                        "date_of_birth": "1970-01-01"})
    listed(client, orgs, case_number="A-1")
    token = consumer_token(bureau)
    assert _object(client, token, body["listing_id"]).status_code == 404


# -- public search -----------------------------------------------------------------------------

def test_public_search_shows_active_listings_masked(client, orgs, bureau):
    listed(client, orgs)
    r = search(client, name="lovelace")
    assert r.status_code == 200, r.text
    assert r.json()["items"] == [{
        "name": "Ada Lovelace", "identifier_masked": "*****0200", "court": "Test court",
        "case_number": "(2026) Jing 0105 Zhi 1234", "amount": 5_000_000, "currency": "CNY",
        "ground": "evades_enforcement", "listed_on": TODAY.isoformat()}]
    assert "900100200" not in r.text and "pr_" not in r.text
    assert len(search(client, name="Ada", id_suffix="0200").json()["items"]) == 1
    assert len(search(client, name="Ada", court="Test court").json()["items"]) == 1
    assert search(client, name="Ada", id_suffix="9999").json()["items"] == []
    assert search(client, name="Ada", court="Other court").json()["items"] == []
    # too little to name a person: refused (test_public_search_specificity.py)
    assert search(client).status_code == 422
    assert search(client, id_suffix="0200").status_code == 422
    assert search(client, court="Test court").status_code == 422


def test_public_search_is_rate_limited_per_client(client, orgs, bureau, clock):
    set_settings(bureau, public_search_per_minute=3)
    for _ in range(3):
        assert search(client, name="Quill").status_code == 200
    r = search(client, name="Quill")
    assert r.status_code == 429
    assert r.headers["Retry-After"] == "60"
    assert r.headers["content-type"].startswith("application/problem+json")
    clock.advance(seconds=45)
    assert search(client, name="Quill").headers["Retry-After"] == "15"
    clock.advance(seconds=15)
    assert search(client, name="Quill").status_code == 200


def test_ids_in_paths_are_opaque(client, orgs, bureau):
    listed(client, orgs)
    with bureau.uow() as uow:
        db_id = uow.execute(select(public_records.c.id)).scalar_one()
    r = client.post(f"/v1/court/judgments/{db_id}/satisfaction", headers=auth(orgs["court"]),
                    json={"kind": "performance"})
    assert r.status_code == 404


def test_listing_dates(client, orgs):
    r = list_judgment(client, orgs, judgment_date=(TODAY + timedelta(days=1)).isoformat())
    assert r.status_code == 422
    body = listed(client, orgs, until=(TODAY + timedelta(days=400)).isoformat())
    assert body["until"] == (TODAY + timedelta(days=400)).isoformat()
    assert date.fromisoformat(body["restrictions"][0]["until"]) == TODAY + timedelta(days=400)


def test_bad_debtor_identity_is_refused_and_stores_nothing(client, orgs, bureau):
    before = counts(bureau)
    r = list_judgment(client, orgs, debtor={**ADA, "national_id": "12"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "debtor.national_id"
    assert "12" not in r.json()["errors"][0]["message"]
    r = list_judgment(client, orgs, debtor={**ACME, "national_id": "900100200"})
    assert r.status_code == 422
    r = list_judgment(client, orgs, debtor={**ACME, "date_of_birth": "2001-01-01"})
    assert r.status_code == 422 and "no date of birth" in r.text
    assert counts(bureau) == before


def test_every_registry_use_case_is_audited(client, orgs, bureau):
    body = listed(client, orgs)
    check(client, orgs)
    token = consumer_token(bureau)
    filed = _object(client, token, body["listing_id"]).json()
    client.post(f"/v1/court/objections/{filed['objection_id']}/decision",
                headers=auth(orgs["court"]), json={"outcome": "rejected", "note": "no"})
    client.post(f"/v1/court/judgments/{body['listing_id']}/satisfaction",
                headers=auth(orgs["court"]), json={"kind": "settlement"})
    with bureau.uow() as uow:
        actions = uow.execute(select(audit_events.c.action).where(
            audit_events.c.action.like("listing.%") | audit_events.c.action.like("objection.%")
            | audit_events.c.action.like("restriction.%"))
            .order_by(audit_events.c.seq)).scalars().all()
    assert actions == ["listing.create", "restriction.check", "objection.correction",
                       "objection.decide", "listing.lift"]
    verify = client.get("/v1/admin/audit/verify", headers=auth(orgs["auditor"])).json()
    assert verify["ok"] is True
