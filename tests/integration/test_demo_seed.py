"""Seeding the demo population through furnishing, and the Parquet export."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select

from openbureau.adapters.tables import (
    account_months,
    accounts,
    audit_events,
    organisations,
    subjects,
)
from openbureau.domain import national_ids
from openbureau.services import demo
from openbureau.synthetic.population import FURNISHERS, generate


def _counts(bureau) -> tuple[int, ...]:
    with bureau.uow() as uow:
        return tuple(uow.execute(select(func.count()).select_from(t)).scalar_one()
                     for t in (subjects, accounts, account_months, audit_events, organisations))


def test_seed_furnishes_everyone_and_reseeding_changes_nothing(bureau):
    seen: list[int] = []
    first = demo.seed(bureau.uow(), bureau.deps, 30, seed=7, progress=seen.append)
    expected = sum(len(p.records) for p in generate(30, seed=7))
    assert first["people"] == 30 and seen[-1] == 30
    assert first["accepted"] == first["records"] == expected and first["rejected"] == 0
    assert first["furnishers_created"] == len(FURNISHERS)
    before = _counts(bureau)
    assert before[0] == 30 and before[2] == expected
    again = demo.seed(bureau.uow(), bureau.deps, 30, seed=7)
    assert again["furnishers_created"] == 0 and again["changed_subjects"] == 0
    assert _counts(bureau) == before


@pytest.mark.parametrize("profile_name", ["cn-cri"])
def test_under_cn_cri_the_demo_people_carry_resident_ids_and_every_record_is_taken(
        bureau, profile_name):
    out = demo.seed(bureau.uow(), bureau.deps, 30, seed=7)
    assert out["people"] == 30 and out["rejected"] == 0 and out["accepted"] == out["records"]
    people = list(generate(30, seed=7, locale="zh_CN"))
    assert out["records"] == sum(len(p.records) for p in people)
    for p in people:
        who = p.records[0].subject
        assert national_ids.cn_resident_error(who.national_id, who.date_of_birth) is None
        assert " " not in who.name          # family name first, written together
    assert len({p.records[0].subject.national_id for p in people}) == 30
    assert _counts(bureau)[0] == 30


def test_write_parquet_buckets_and_counts(tmp_path):
    totals = demo.write_parquet(tmp_path, 300, seed=7, row_group_size=1000)
    people = pq.read_table(tmp_path / "people")
    months = pq.read_table(tmp_path / "months")
    assert people.num_rows == totals["people"] == 300
    assert months.num_rows == totals["months"] == sum(len(p.records) for p in generate(300))
    assert pq.read_table(tmp_path / "accounts").num_rows == totals["accounts"]
    assert {int(p.name.split("=")[1]) for p in (tmp_path / "months").iterdir()} <= set(range(16))
    ids = people.column("national_id").to_pylist()
    for nid, bucket in zip(ids, people.column("bucket").to_pylist(), strict=True):
        assert demo.bucket_of(nid) == bucket
