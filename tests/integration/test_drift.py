"""Population stability: PSI per attribute and for the score, stored scores vs training."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from sqlalchemy import insert

from openbureau.adapters.tables import scores, subjects
from openbureau.modelling.modelcard import _drift_section
from openbureau.scoring.drift import (
    bucket_labels,
    drift_report,
    expected_shares,
    psi,
    score_distribution,
    status_of,
    with_training_shares,
)
from openbureau.scoring.spec import Scorecard, dump_spec, load_spec
from tests.conftest import NOW, auth

# the newest shipped spec: the one a fresh database activates
SHIPPED = sorted((Path(__file__).parents[2] / "src" / "openbureau" / "scoring" / "models")
                 .glob("*.json"))[-1]
N = 400


def _representative(attr, k: int):  # type: ignore[no-untyped-def]
    """A value in bucket ``k`` of ``bucket_labels(attr)``."""
    ns, nc = len(attr.special), len(attr.categories)
    if k < ns:
        return attr.special[k].values[0]
    if k < ns + nc:
        return attr.categories[k - ns].values[0]
    if k == len(bucket_labels(attr)) - 1:
        return None
    b = attr.bins[k - ns - nc]
    lo = b.lower if b.lower is not None else (attr.domain_min or 0.0)
    return lo if b.upper is None else (lo + b.upper) / 2


def _training_like(card: Scorecard, n: int = N) -> tuple[list[dict], list[int]]:
    """``n`` rows whose bucket shares follow the training shares (largest remainder)."""
    columns = {}
    for attr in card.attributes:
        share = expected_shares(attr)
        assert share is not None
        counts = _largest_remainder(share, n)
        columns[attr.name] = [_representative(attr, k) for k, c in enumerate(counts)
                              for _ in range(c)]
    rows = [{name: col[i] for name, col in columns.items()} for i in range(n)]
    dist = card.training["score_distribution"]
    lows = [card.scaling.min, *dist["edges"]]
    return rows, [lows[k] for k, c in enumerate(_largest_remainder(dist["shares"], n))
                  for _ in range(c)]


def _largest_remainder(share: list[float], n: int) -> list[int]:
    """``n`` split by ``share`` in whole counts that add up to ``n``."""
    counts = [math.floor(s * n) for s in share]
    order = sorted(range(len(share)), key=lambda i: share[i] * n - counts[i], reverse=True)
    for i in order[: n - sum(counts)]:
        counts[i] += 1
    return counts


def test_shipped_spec_records_training_shares_with_the_same_points():
    card = load_spec(SHIPPED)
    for attr in card.attributes:
        share = expected_shares(attr)
        assert share is not None and abs(sum(share) - 1) < 1e-5, attr.name
    assert card.attribute("monthly_income").missing_training_share == pytest.approx(0.197, 1e-2)
    assert len(card.training["score_distribution"]["shares"]) == 10
    # and round-trips byte for byte
    assert dump_spec(card) == SHIPPED.read_text()


def test_psi_basics():
    assert psi([0.5, 0.5], [0.5, 0.5]) == 0
    assert psi([0.5, 0.5], [0.9, 0.1]) == pytest.approx(0.4 * math.log(1.8) + 0.4 * math.log(5))
    assert math.isfinite(psi([0.5, 0.5], [1.0, 0.0]))
    assert [status_of(v) for v in (0.01, 0.2, 0.4, None)] == [
        "stable", "moderate shift", "significant shift", "unknown"]
    dist = score_distribution(list(range(350, 950)))
    assert len(dist["edges"]) == 9 and sum(dist["shares"]) == pytest.approx(1)


def test_with_training_shares_keeps_points():
    card = load_spec(SHIPPED)
    rows, _ = _training_like(card)
    again = with_training_shares(card, rows)
    for a, b in zip(card.attributes, again.attributes, strict=True):
        assert [x.points for x in a.bins] == [x.points for x in b.bins]
        assert expected_shares(b) == pytest.approx(expected_shares(a), abs=1 / N)


def test_report_stable_then_shifted():
    card = load_spec(SHIPPED)
    rows, values = _training_like(card)
    report = drift_report(card, rows, values)
    assert report["score"]["status"] == "stable"
    assert all(a["status"] == "stable" for a in report["attributes"]), [
        (a["name"], a["psi"]) for a in report["attributes"]]
    shifted = [{**r, "revolving_utilization": 1.5} for r in rows]
    report = drift_report(card, shifted, [v - 120 for v in values])
    ru = next(a for a in report["attributes"] if a["name"] == "revolving_utilization")
    assert ru["status"] == "significant shift" and report["worst_attribute"] == ru["name"]
    assert report["score"]["status"] == "significant shift"
    assert "## Drift" in "\n".join(_drift_section(card, report))


def _store(bureau, rows: list[dict], values: list[int], version: str) -> None:
    with bureau.uow() as uow:
        for i, (attrs, value) in enumerate(zip(rows, values, strict=False)):
            sid = uow.execute(insert(subjects).values(
                id_hmac=f"drift{i:059d}", id_ciphertext=b"x", id_suffix="0000",
                name=f"Drift {i}", kind="person", created_at=NOW,
                item_ref=f"SDRIFT{i:08d}")).inserted_primary_key[0]
            uow.execute(insert(scores).values(
                subject_id=sid, model_version=version, value=value, reasons=[],
                attributes=attrs, computed_at=NOW))
        uow.commit()


def test_admin_drift_endpoint(client, orgs, bureau):
    card = load_spec(SHIPPED)
    rows, values = _training_like(card)
    shifted = [{**r, "dpd_90_plus_24m": 2} for r in rows]
    _store(bureau, shifted, values, card.version)
    for role in ("operator", "auditor"):
        r = client.get("/v1/admin/drift", headers=auth(orgs[role]))
        assert r.status_code == 200, r.text
    body = r.json()
    assert body["model_version"] == card.version and body["population"] == len(rows)
    assert body["score"]["status"] == "stable"
    by_name = {a["name"]: a for a in body["attributes"]}
    assert by_name["dpd_90_plus_24m"]["status"] == "significant shift"
    assert by_name["revolving_utilization"]["status"] == "stable"
    assert client.get("/v1/admin/drift", headers=auth(orgs["member"])).status_code == 403
    assert client.get("/v1/admin/drift?model_version=nope",
                      headers=auth(orgs["operator"])).status_code == 404


def test_score_psi_history_month_by_month(client, orgs, bureau, clock):
    card = load_spec(SHIPPED)
    rows, values = _training_like(card)
    _store(bureau, rows, values, card.version)
    clock.advance(days=62)
    body = client.get("/v1/admin/drift", headers=auth(orgs["auditor"])).json()
    months = [h["month"] for h in body["history"]]
    assert months == sorted(months) and len(months) >= 3
    assert all(h["subjects"] == len(rows) for h in body["history"])
    assert all(h["score_psi"] is not None for h in body["history"])


def _edges(attr) -> list:  # type: ignore[no-untyped-def]
    """Values on and around every boundary of an attribute's card, and some it refuses."""
    if attr.kind == "categorical":
        return [None, "not a category", *[v for c in attr.categories for v in c.values]]
    out: list = [None, *[v for sv in attr.special for v in sv.values]]
    for b in attr.bins:
        for edge in (b.lower, b.upper):
            if edge is not None:
                out += [edge, edge - 1e-9, edge + 1e-9, math.nextafter(edge, -math.inf)]
    for bound in (attr.domain_min, attr.domain_max):
        if bound is not None:
            out += [bound, bound - 1, bound + 1]
    return out + [0, 1, 2.5, 1e9, -1e9]


def test_database_counts_the_buckets_as_bucket_of_does(bureau, clock):
    from openbureau.services import model_reports

    card = load_spec(SHIPPED)
    columns = {a.name: _edges(a) for a in card.attributes}
    n = max(len(v) for v in columns.values())
    rows = [{name: values[i % len(values)] for name, values in columns.items()}
            for i in range(n)]
    values = [350 + (i * 37) % 601 for i in range(n)]
    _store(bureau, rows, values, card.version)
    in_python = drift_report(card, rows, values)
    in_sql = model_reports.drift(bureau.uow(), bureau.deps)
    assert any(a["outside_card"] for a in in_python["attributes"])
    for key in ("population", "score", "attributes", "worst_attribute"):
        assert in_sql[key] == in_python[key], key


def test_drift_is_not_reported_below_the_minimum_population(client, orgs, bureau):
    """One scored file has every attribute "significantly shifted": below the minimum the
    report says why instead of giving a PSI (API and the operator's page)."""
    card = load_spec(SHIPPED)
    rows, values = _training_like(card)
    least = bureau.settings.drift_min_population
    _store(bureau, rows[:least - 1], values[:least - 1], card.version)
    body = client.get("/v1/admin/drift", headers=auth(orgs["operator"])).json()
    assert body["population"] == least - 1 and body["reported"] is False
    assert f"at least {least:,}" in body["reason"]
    assert body["score"]["psi"] is None and body["worst_attribute"] is None
    assert {a["status"] for a in body["attributes"]} == {"too few to compare"}
    assert all(h["score_psi"] is None for h in body["history"])
    from tests.integration.test_web_pages import HTML, sign_in_org
    sign_in_org(client, orgs["operator"])
    page = client.get("/admin/model", headers=HTML)
    assert f"Drift is not reported on {least - 1:,} scored files" in page.text
    assert "significant shift" not in page.text.split("The published model card")[0]
    _store_more = [{**r} for r in rows[least - 1:least]]
    with bureau.uow() as uow:      # one more file reaches the minimum
        sid = uow.execute(insert(subjects).values(
            id_hmac="drift-extra".ljust(64, "0"), id_ciphertext=b"x", id_suffix="0000",
            name="Drift extra", kind="person", created_at=NOW,
            item_ref="SDRIFTEXTRA")).inserted_primary_key[0]
        uow.execute(insert(scores).values(subject_id=sid, model_version=card.version,
                                          value=values[least - 1], reasons=[],
                                          attributes=_store_more[0], computed_at=NOW))
        uow.commit()
    body = client.get("/v1/admin/drift", headers=auth(orgs["operator"])).json()
    assert body["reported"] is True and body["score"]["psi"] is not None
