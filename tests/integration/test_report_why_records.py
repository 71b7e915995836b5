"""Why each court listing and inquiry is on this file (issue 14 item 7), on SQLite and
PostgreSQL: how the court's debtor or the member's applicant was found to be this file's person
-- the identity-matching model's match with each field's level and weight, the court's
identifier with the name agreeing, a file opened from the listing -- kept in
``public_records.link`` and ``inquiries.link`` where they are placed, and shown in the report's
JSON (the same shape as an account's ``why``), on the page and in the PDF; the identity the
court or member gave, national id masked, in the person's own report only."""

from __future__ import annotations

from sqlalchemy import select, update

from openbureau.adapters.tables import inquiries, public_records
from openbureau.domain import why
from openbureau.identity import model
from tests.conftest import auth
from tests.integration.test_registry import ACME, judgment
from tests.integration.test_report_glance import ADA, APPLICANT, Ada, rec, send

THRESHOLD = model.load().thresholds.link
# the court names her as its judgment does: no middle name, no address
DEBTOR = {"national_id": ADA["national_id"], "name": "Ada Lovelace",
          "date_of_birth": "1985-12-10"}


def _file(client, orgs, bureau) -> Ada:
    send(client, orgs["furnisher"], rec(ADA, "CARD-1"))
    return Ada(client, bureau)


def _fields(w: dict) -> dict[str, tuple[str, float, bool]]:
    return {f["field"]: (f["level"], f["weight"], f["agreed"]) for f in w["fields"]}


def test_a_listing_says_which_of_the_debtors_identity_matched(client, orgs, bureau, tmp_path):
    ada = _file(client, orgs, bureau)
    r = client.post("/v1/court/judgments", headers=auth(orgs["court"]),
                    json=judgment(debtor=DEBTOR, currency="USD"))
    assert r.status_code == 201, r.text
    [listing] = ada.report()["public_records"]
    w = listing["why"]
    assert w["how"] == "match", w
    assert w["text"].startswith("The court named its debtor by an identity that the bureau's "
                                "identity-matching model matched to your file.")
    fields = _fields(w)
    assert fields["nid"][0] == "exact" and fields["nid"][2]
    assert fields["dob"][0] == "exact" and fields["surname"][0] == "exact"
    assert w["weight"] >= w["threshold"] == THRESHOLD
    assert "Matched on: national id (exact)" in w["text"]
    assert w["model_version"] == model.VERSION
    assert w["given"] == {"name": "Ada Lovelace", "date_of_birth": "1985-12-10",
                          "national_id_masked": "*****0200", "address": None}
    # the page and the PDF say it in words
    page = ada.page()
    assert "Why is this listing on my file?" in page
    assert "The court named its debtor" in page and "national id *****0200" in page
    flat = ada.pdf(tmp_path)
    assert "Why this listing is on your file:" in flat
    assert "The court named its debtor" in flat
    # stored: levels and weights, and the identity given only encrypted
    with bureau.uow() as uow:
        [link] = uow.execute(select(public_records.c.link)).scalars().all()
    assert "Lovelace" not in str(link) and ADA["national_id"] not in str(link)


def test_an_inquiry_says_which_identity_the_member_gave_and_how_it_matched(client, orgs, bureau,
                                                                        tmp_path):
    ada = _file(client, orgs, bureau)
    r = client.post("/v1/member/inquiries", headers=auth(orgs["member"]),
                    json={"subject": APPLICANT, "purpose": "credit_application"})
    assert r.status_code == 201, r.text
    inquiry_id = r.json()["inquiry_id"]
    # the member's own report of the file: the why, never the identity another member gave
    member_view = {q["item_ref"]: q for q in r.json()["report"]["inquiries"]}
    assert member_view[inquiry_id]["why"]["how"] == "match"
    assert member_view[inquiry_id]["why"]["given"] is None
    r = client.post("/v1/member/restriction-checks", headers=auth(orgs["member"]),
                    json={"subject": APPLICANT, "category": "air_travel"})
    assert r.status_code == 200, r.text
    rep = ada.report()
    by_kind = {q["kind"]: q["why"] for q in rep["inquiries"]}
    w = by_kind["inquiry"]
    assert w["how"] == "match"
    assert w["text"].startswith("The organisation asked about a person by the identity it "
                                "gave, and the bureau's identity-matching model matched that "
                                "identity to your file.")
    fields = _fields(w)
    assert fields["nid"][0] == "exact" and fields["first"][0] == "exact"
    assert "middle" not in fields          # she gave none: not compared
    assert w["weight"] >= THRESHOLD
    assert w["given"]["name"] == "Ada Lovelace"
    assert w["given"]["national_id_masked"] == "*****0200"
    assert by_kind["restriction_check"]["how"] == "match"
    assert by_kind["restriction_check"]["given"]["name"] == "Ada Lovelace"
    page = ada.page()
    assert "Why is this inquiry on my file?" in page
    assert "The organisation asked about a person" in page
    flat = ada.pdf(tmp_path)
    assert "Why this inquiry is on your file:" in flat


def test_an_organisations_listings_a_new_file_then_its_identifier(client, orgs, bureau):
    for case in ("(2026) Jing 1", "(2026) Jing 2"):
        r = client.post("/v1/court/judgments", headers=auth(orgs["court"]),
                        json=judgment(case_number=case, debtor=dict(ACME)))
        assert r.status_code == 201, r.text
    with bureau.uow() as uow:
        links = dict(uow.execute(select(public_records.c.case_number,
                                        public_records.c.link)).all())
    first = why.explain(links["(2026) Jing 1"], item="public_record")
    second = why.explain(links["(2026) Jing 2"], item="public_record")
    assert first["how"] == "new_file" and "opened from this listing" in first["text"]
    assert second["how"] == "identifier"
    assert "registration number" in second["text"] and second["fields"] == []
    assert second["linked_on"] == links["(2026) Jing 2"]["at"]


def test_items_placed_before_the_link_was_kept_say_so(client, orgs, bureau):
    ada = _file(client, orgs, bureau)
    client.post("/v1/court/judgments", headers=auth(orgs["court"]),
                json=judgment(debtor=DEBTOR, currency="USD"))
    client.post("/v1/member/inquiries", headers=auth(orgs["member"]),
                json={"subject": APPLICANT, "purpose": "credit_application"})
    with bureau.uow() as uow:
        uow.execute(update(public_records).values(link=None))
        uow.execute(update(inquiries).values(link=None))
        uow.commit()
    rep = ada.report()
    [listing] = rep["public_records"]
    assert listing["why"]["how"] == "unrecorded"
    assert listing["why"]["text"] == why.UNRECORDED_OF["public_record"]
    assert listing["why"]["given"] is None and listing["why"]["fields"] == []
    [inquiry] = [q for q in rep["inquiries"] if q["kind"] == "inquiry"]
    assert inquiry["why"]["text"] == why.UNRECORDED_OF["inquiry"]
