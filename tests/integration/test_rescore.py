"""Online rescoring on furnishing, the score in reports and at ``/v1/me/score``, and batch
rescoring jobs (resumable, one model per job) on the operational database and DuckDB."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select, update

from openbureau.adapters import scoring_engines as E
from openbureau.adapters.tables import account_months, models, rescore_jobs, scores
from openbureau.scoring.sources import Subjects
from openbureau.services import rescore, scoring_hooks
from openbureau.services.models import active_version
from tests.conftest import auth
from tests.integration.test_engines_agree import spark  # noqa: F401 - the session fixture
from tests.integration.test_reports import (
    consumer_token,
    furnish,
    income_consent,
    record,
    subject_id,
)


def start(bureau, engine=None):
    """Start (or resume) a job on the database's own engine unless ``engine``."""
    return rescore.start(bureau.uow(), bureau.deps,
                         engine or rescore.default_engine(bureau.deps))


def run(bureau, job_id, **options):
    return rescore.run(bureau.uow(), bureau.deps, job_id, **options)


def person(i: int) -> dict[str, object]:
    return {"national_id": f"9001003{i:02d}", "name": f"Person {i}", "date_of_birth": "1980-01-01"}


def _scores(bureau, sid=None):
    with bureau.uow() as uow:
        q = select(scores).order_by(scores.c.id)
        if sid is not None:
            q = q.where(scores.c.subject_id == sid)
        return [r._mapping for r in uow.execute(q)]


def test_furnishing_rescores_online_and_keeps_history(bureau, client, orgs):
    furnish(client, orgs, record())
    sid = subject_id(bureau)
    first = _scores(bureau, sid)
    assert len(first) == 1
    assert first[0]["model_version"] == active_version(bureau.uow(), bureau.deps)
    assert 350 <= first[0]["value"] <= 950
    assert first[0]["attributes"]["revolving_utilization"] == pytest.approx(0.24)
    furnish(client, orgs, record(balance=490000, as_of="2026-10-31"))
    again = _scores(bureau, sid)
    assert len(again) == 2                             # history kept
    assert again[1]["attributes"]["revolving_utilization"] == pytest.approx(0.98)
    assert again[1]["value"] < again[0]["value"]
    furnish(client, orgs, record(balance=490000, as_of="2026-10-31"))
    assert len(_scores(bureau, sid)) == 2             # an identical re-send changes nothing


def test_online_score_equals_the_reference(bureau, client, orgs):
    furnish(client, orgs, record())
    furnish(client, orgs, record(account_ref="LOAN-1", kind="mortgage", credit_limit=None,
                                 balance=9_000_000, scheduled_payment=150000,
                                 monthly_income=600000,
                                 consent_ref=income_consent(client, orgs)))
    sid = subject_id(bureau)
    stored = _scores(bureau, sid)[-1]
    with bureau.uow() as uow:
        card = scoring_hooks.active_card(bureau.deps, uow)
    with bureau.uow() as uow:
        ref = E.score_reference(uow.session.connection(), card, bureau.clock.now().date(),
                                Subjects(ids=(sid,)))
    assert stored["value"] == ref[0].value
    assert stored["attributes"]["real_estate_trades"] == 1
    assert stored["attributes"]["debt_ratio"] == pytest.approx(150000 / 600000)
    assert stored["attributes"]["monthly_income"] == 6000.0


def test_me_score_and_report_carry_the_score_object(bureau, client, orgs):
    furnish(client, orgs, record())
    headers = auth(consumer_token(bureau))
    body = client.get("/v1/me/score", headers=headers).json()
    score = body["score"]
    assert set(score) >= {"value", "band", "model_version", "computed_at", "reasons",
                          "attributes"}
    assert score["band"] == scoring_hooks.band(score["value"])
    assert [h["value"] for h in body["history"]] == [score["value"]]
    report = client.get("/v1/me/report", headers=headers).json()
    assert report["score"]["value"] == score["value"]


@pytest.mark.parametrize(("value", "band"), [(350, "poor"), (549, "poor"), (550, "fair"),
                                             (599, "fair"), (600, "good"), (649, "good"),
                                             (650, "very good"), (699, "very good"),
                                             (700, "excellent"), (950, "excellent")])
def test_bands(value, band):
    assert scoring_hooks.band(value) == band


def test_score_computed_on_the_fly_when_none_stored(bureau, client, orgs):
    furnish(client, orgs, record())
    sid = subject_id(bureau)
    with bureau.uow() as uow:
        uow.execute(scores.delete())
        uow.commit()
    with bureau.uow() as uow:
        live = scoring_hooks.current_score(bureau.deps, uow, sid)
    assert live is not None and live["model_version"] == active_version(bureau.uow(), bureau.deps)
    assert _scores(bureau, sid) == []                 # reading does not write


def test_out_of_domain_file_gets_no_score(bureau, client, orgs):
    furnish(client, orgs, record())
    sid = subject_id(bureau)
    with bureau.uow() as uow:                         # a value the card was not built for
        uow.execute(update(account_months).values(balance=-100))
        uow.commit()
    with bureau.uow() as uow:
        assert scoring_hooks.rescore_subjects(bureau.deps, uow, {sid}) == 0
        assert scoring_hooks.current_score(bureau.deps, uow, sid) is not None   # the stored one
        uow.execute(scores.delete())
        assert scoring_hooks.current_score(bureau.deps, uow, sid) is None


# -- batch -------------------------------------------------------------------------------------

@pytest.fixture
def population(bureau, client, orgs):
    furnish(client, orgs, *[record(subject=person(i), account_ref=f"C{i}",
                                   balance=10000 * i) for i in range(7)])
    with bureau.uow() as uow:
        uow.execute(scores.delete())                  # start from no scores
        uow.commit()
    return 7


def test_batch_job_is_resumable_and_scores_everyone_once(bureau, population):
    job = start(bureau)
    half = run(bureau, job["id"], batch=3, stop_after=1)
    assert (half["status"], half["done"]) == ("running", 3)
    assert len(_scores(bureau)) == 3
    again = start(bureau)
    assert again["id"] == job["id"] and again["last_subject_id"] == half["last_subject_id"]
    done = run(bureau, job["id"], batch=3)
    assert (done["status"], done["done"], done["progress"]) == ("done", population, 1.0)
    rows = _scores(bureau)
    assert len(rows) == population == len({r["subject_id"] for r in rows})
    active = active_version(bureau.uow(), bureau.deps)
    assert {(r["job_id"], r["model_version"]) for r in rows} == {(job["id"], active)}


def test_duckdb_batch_gives_the_database_scores(bureau, population):
    db_job = run(bureau, start(bureau)["id"])
    duck_job = run(bureau, start(bureau, "duckdb")["id"], batch=2)
    assert duck_job["status"] == "done" and duck_job["id"] != db_job["id"]
    by_job: dict[int, dict[int, int]] = {}
    for r in _scores(bureau):
        by_job.setdefault(r["job_id"], {})[r["subject_id"]] = r["value"]
    assert by_job[db_job["id"]] == by_job[duck_job["id"]]
    assert len(by_job[db_job["id"]]) == population


def test_a_new_model_supersedes_an_unfinished_job(bureau, population):
    job = start(bureau)
    run(bureau, job["id"], batch=2, stop_after=1)
    with bureau.uow() as uow:                         # a second model becomes active
        spec = dict(uow.execute(select(models.c.spec).where(models.c.active)).scalar_one())
        spec["version"] = "test-2026.12.0"
        spec["intercept_points"] = spec["intercept_points"] + 10
        uow.execute(models.insert().values(version=spec["version"], spec=spec, active=False,
                                           created_at=uow.clock.now()))
        uow.commit()
    from openbureau.domain.roles import SYSTEM
    from openbureau.services import models as registry

    registry.activate(bureau.uow(), bureau.deps, SYSTEM, "test-2026.12.0")
    new = start(bureau)
    assert new["id"] != job["id"] and new["model_version"] == "test-2026.12.0"
    assert rescore.get_job(bureau.uow(), bureau.deps, job["id"])["status"] == "superseded"
    assert run(bureau, job["id"])["status"] == "superseded"     # never mixes models
    run(bureau, new["id"])
    with bureau.uow() as uow:
        per_job = dict(uow.execute(select(scores.c.job_id, func.count(
            func.distinct(scores.c.model_version))).group_by(scores.c.job_id)).all())
    assert set(per_job.values()) == {1}


def test_engine_must_match_the_database(bureau):
    other = "postgres" if rescore.default_engine(bureau.deps) == "sqlite" else "sqlite"
    from openbureau.domain.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        start(bureau, other)
    with pytest.raises(ValidationFailed):
        start(bureau, "oracle")


def test_admin_rescoring_job_endpoints(bureau, client, orgs, population):
    r = client.post("/v1/admin/rescoring-jobs", headers=auth(orgs["operator"]),
                    json={"batch": 4})
    assert r.status_code == 202, r.text
    job_id = r.json()["id"]
    listed = client.get("/v1/admin/rescoring-jobs", headers=auth(orgs["auditor"])).json()
    mine = next(j for j in listed if j["id"] == job_id)
    assert (mine["status"], mine["done"], mine["total"]) == ("done", population, population)
    assert client.post("/v1/admin/rescoring-jobs", headers=auth(orgs["auditor"]),
                       json={}).status_code == 403
    bad = client.post("/v1/admin/rescoring-jobs", headers=auth(orgs["operator"]),
                      json={"engine": "oracle"})
    assert bad.status_code == 422


def test_as_of_of_a_job_is_its_start_day(bureau, population):
    job = start(bureau)
    assert job["started_at"].date() == date(2026, 11, 1)
    with bureau.uow() as uow:
        assert uow.execute(select(rescore_jobs.c.total).where(
            rescore_jobs.c.id == job["id"])).scalar_one() == population


# -- Spark and DuckDB over a Parquet export ----------------------------------------------------

def _by_job(bureau) -> dict[int, dict[int, tuple[int, str]]]:
    out: dict[int, dict[int, tuple[int, str]]] = {}
    for r in _scores(bureau):
        out.setdefault(r["job_id"], {})[r["subject_id"]] = (r["value"], r["model_version"])
    return out


@pytest.mark.spark
@pytest.mark.usefixtures("spark")
def test_spark_batch_resumes_and_gives_the_database_and_duckdb_scores(bureau, population,
                                                                      tmp_path):
    db_job = run(bureau, start(bureau)["id"])
    duck_job = run(bureau, start(bureau, "duckdb")["id"], batch=3)
    job = start(bureau, "spark")
    lines: list[str] = []
    half = run(bureau, job["id"], batch=3, stop_after=1, workdir=tmp_path,
                       status=lines.append)
    assert (half["status"], half["done"]) == ("running", 3)
    assert (tmp_path / f"job-{job['id']}" / "export" / "_openbureau.json").exists()
    assert any(line.startswith("scored 7 credit files with spark") for line in lines)
    again = start(bureau, "spark")
    assert again["id"] == job["id"]
    lines.clear()
    done = run(bureau, job["id"], batch=3, workdir=tmp_path, status=lines.append)
    assert (done["status"], done["done"]) == ("done", population)
    assert any(line.startswith("scored 4 credit files with spark") for line in lines)  # resumed
    by_job = _by_job(bureau)
    assert by_job[job["id"]] == by_job[db_job["id"]] == by_job[duck_job["id"]]
    assert len(by_job[job["id"]]) == population               # everyone once, one model
