"""The load benchmark still runs: two seconds at 20 requests/s against a real ``openbureau
serve`` on a scratch PostgreSQL database, every request answered. Counts only; never times."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.conftest import PG_ADMIN_URL, postgres_or_skip

bench = pytest.importorskip("bench.load")


@pytest.mark.postgres
@pytest.mark.slow
def test_every_request_of_a_short_step_is_answered() -> None:
    postgres_or_skip()
    with bench.served(30, admin_url=PG_ADMIN_URL, log=lambda *_: None) as target:
        assert target.listed > 0
        bench.warm_up(target, each=1)
        step = bench.run_step(target, rate=20, seconds=2)
    assert step.sent == 40
    assert step.answered == 40
    assert step.unfinished == 0
    assert len(step.lateness_ms) == 40
    assert {k: len(v) for k, v in step.latency_ms.items()} == {
        k: 40 // len(bench.MIX) * n for k, n in Counter(bench.MIX).items()}
    assert {k: dict(v) for k, v in step.errors.items() if v} == {}
    result = bench.Result([step], facts=target.facts, seeded=target.seeded, people=30,
                          listed=target.listed)
    text = bench.render(result)
    assert "| 20 | POST /v1/member/inquiries | 16 |" in text


def test_profile_summary_counts_samples() -> None:
    collapsed = "\n".join([
        "thread;run (uvicorn/main.py:1);serve (openbureau/cli.py:336) 5",
        "thread;pull (openbureau/api/routers/member.py:18);Connection.wait "
        "(psycopg/connection.py:495) 3",
        "thread;pull (openbureau/api/routers/member.py:18);month_end "
        "(openbureau/services/reports.py:199) 2",
    ])
    p = bench.summarise(collapsed, 50)
    assert p is not None
    assert p.samples == 10
    assert p.in_sql == pytest.approx(0.3)
    assert p.project[0] == ("pull (openbureau/api/routers/member.py:18)", pytest.approx(0.5))
    assert all("cli.py" not in f for f, _ in p.project)
