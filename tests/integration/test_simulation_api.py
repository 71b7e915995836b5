"""``POST /v1/me/score/simulations``: a consumer's what-if score on their own file."""

from __future__ import annotations

from sqlalchemy import insert, select

from openbureau.adapters.scoring_engines import score_reference
from openbureau.adapters.tables import audit_events, disputes
from openbureau.bootstrap import bootstrap
from openbureau.domain.roles import SYSTEM
from openbureau.scoring.sources import Subjects
from openbureau.scoring.spec import load_spec
from openbureau.services import models
from tests.conftest import NOW, auth
from tests.integration.test_reports import (
    consumer_token,
    furnish,
    income_consent,
    record,
    subject_id,
)

URL = "/v1/me/score/simulations"


def _file(client, orgs) -> None:
    furnish(client, orgs, record(balance=450_000))
    furnish(client, orgs,
            record(balance=450_000, monthly_income=400_000,
                   consent_ref=income_consent(client, orgs)),
            record(account_ref="LOAN-1", kind="installment", credit_limit=None,
                   original_amount=1_000_000, balance=600_000, status="dpd30",
                   amount_past_due=20_000, date_of_first_delinquency="2026-09-30"))


def _item_refs(client, token) -> dict[str, str]:
    report = client.get("/v1/me/report", headers=auth(token)).json()
    return {a["account_ref"]: a["item_ref"] for a in report["accounts"]}


def test_pay_down_raises_the_score_and_names_the_factor(client, orgs, bureau):
    _file(client, orgs)
    token = consumer_token(bureau)
    refs = _item_refs(client, token)
    r = client.post(URL, headers=auth(token), json={"changes": [
        {"kind": "pay_down", "item_ref": refs["CARD-1"], "amount": 440_000}]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["after"]["value"] > body["before"]["value"]
    assert body["change"] == body["after"]["value"] - body["before"]["value"]
    assert [m["code"] for m in body["moved"]] == ["R01"]
    assert body["attributes_before"]["revolving_utilization"] == 0.9
    assert {"code", "text", "points_lost"} <= set(body["before"]["reasons"][0])
    assert body["before"]["band"] in {"poor", "fair", "good", "very good", "excellent"}
    # the "before" score is the reference engine's score of the stored file
    card = load_spec(models.active_spec(bureau.uow(), bureau.deps))
    sid = subject_id(bureau)
    with bureau.uow() as uow:
        [scored] = score_reference(uow.session.connection(), card, NOW.date(),
                                   Subjects(ids=(sid,)))
        assert scored.value == body["before"]["value"]
        assert uow.execute(select(audit_events.c.action)
                           .where(audit_events.c.action == "score.simulate")).first()


def test_late_payments_count_until_24_months_pass(client, orgs, bureau):
    _file(client, orgs)
    token = consumer_token(bureau)
    loan = _item_refs(client, token)["LOAN-1"]
    now = client.post(URL, headers=auth(token), json={"changes": [
        {"kind": "bring_current", "item_ref": loan}]}).json()
    assert now["moved"] == [] and now["change"] == 0
    later = client.post(URL, headers=auth(token), json={"changes": [
        {"kind": "bring_current", "item_ref": loan}, {"kind": "time_passes", "months": 24}]})
    assert later.status_code == 200, later.text
    assert "R02" in [m["code"] for m in later.json()["moved"]]
    assert later.json()["change"] > 0


def test_validation_errors_name_index_and_field(client, orgs, bureau):
    _file(client, orgs)
    token = consumer_token(bureau)
    r = client.post(URL, headers=auth(token), json={"changes": [
        {"kind": "time_passes", "months": 3},
        {"kind": "pay_down", "item_ref": "not-mine", "amount": 10},
        {"kind": "launder"}]})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    fields = [e["field"] for e in r.json()["errors"]]
    assert fields == ["changes[1].item_ref", "changes[2].kind"]
    r = client.post(URL, headers=auth(token), json={"changes": "pay everything"})
    assert r.status_code == 422


def test_a_disputed_account_is_left_out_of_the_simulation(client, orgs, bureau):
    _file(client, orgs)
    token = consumer_token(bureau)
    refs = _item_refs(client, token)
    sid = subject_id(bureau)
    with bureau.uow() as uow:
        uow.execute(insert(disputes).values(
            subject_id=sid, item_kind="account", item_ref=refs["LOAN-1"], ref="dsp_sim1",
            reason="not mine", status="open", opened_at=NOW, due_at=NOW))
        uow.commit()
    body = client.post(URL, headers=auth(token), json={"changes": []}).json()
    assert body["attributes_before"]["dpd_30_59_24m"] == 0
    assert body["attributes_before"]["open_trades"] == 1


def test_consumers_only(client, orgs):
    for role in ("member", "operator", "auditor"):
        r = client.post(URL, headers=auth(orgs[role]), json={"changes": []})
        assert r.status_code == 403


def test_a_model_activated_by_another_process_is_the_one_simulations_use(client, orgs, bureau):
    """Issue 13: under ``serve --workers N`` one worker's ``model activate`` is seen by every
    other at once -- which version is active is asked of the database each time; only specs,
    which never change once registered, are remembered by version."""
    _file(client, orgs)
    token = consumer_token(bureau)
    first = client.post(URL, headers=auth(token), json={"changes": []}).json()
    assert models.active_version(bureau.uow(), bureau.deps) == first["model_version"]
    # another server process: its own memories, the same database
    other = bootstrap(bureau.settings, engine=bureau.engine,
                      session_factory=bureau.session_factory, clock=bureau.clock)
    spec = {**models.active_spec(other.uow(), other.deps), "version": "gmsc-test-sim"}
    models.register(other.uow(), other.deps, SYSTEM, spec)
    models.activate(other.uow(), other.deps, SYSTEM, "gmsc-test-sim")
    assert models.active_version(bureau.uow(), bureau.deps) == "gmsc-test-sim"
    assert models.active_spec(bureau.uow(), bureau.deps) == spec
    second = client.post(URL, headers=auth(token), json={"changes": []}).json()
    assert first["model_version"] != "gmsc-test-sim"
    assert second["model_version"] == "gmsc-test-sim"
    assert second["before"] == first["before"]           # the same card under a new name
    # and back: the first process's own activation is seen by the other just the same
    models.activate(bureau.uow(), bureau.deps, SYSTEM, first["model_version"])
    assert models.active_version(other.uow(), other.deps) == first["model_version"]
