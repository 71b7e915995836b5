"""What a server process does beyond answering: its access log holds nothing personal, and it
freezes its start-up heap so that full garbage collections stay short."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import auth


def test_the_access_log_has_method_path_status_and_time_only(client, orgs, caplog):
    caplog.set_level(logging.INFO, logger="openbureau.access")
    assert client.get("/v1/public/defaulters", params={"name": "Quillfeather"}).status_code == 200
    assert client.get("/v1/me/score", headers=auth("not-a-token")).status_code == 401
    lines = [r.getMessage() for r in caplog.records if r.name == "openbureau.access"]
    assert len(lines) == 2
    assert lines[0].startswith('"GET /v1/public/defaulters" 200 ') and lines[0].endswith(" ms")
    assert lines[1].startswith('"GET /v1/me/score" 401 ')
    text = "\n".join(lines)
    assert "Quillfeather" not in text and "testclient" not in text and "not-a-token" not in text


def test_the_access_log_is_silent_above_info(client, caplog):
    caplog.set_level(logging.WARNING, logger="openbureau.access")
    assert client.get("/healthz").status_code == 200
    assert not [r for r in caplog.records if r.name == "openbureau.access"]


@pytest.mark.parametrize("serving", [True, False])
def test_a_serving_app_freezes_its_start_up_heap(tmp_path, serving):
    """In a process of its own: a freeze lasts for the process's life."""
    script = textwrap.dedent(f"""
        import gc
        from fastapi.testclient import TestClient
        from openbureau.adapters.database import make_engine, upgrade
        from openbureau.api import create_app
        from openbureau.bootstrap import bootstrap
        from tests.conftest import make_settings
        from pathlib import Path
        tmp = Path({str(tmp_path)!r})
        engine = make_engine(f"sqlite:///{{tmp / 'db.sqlite'}}")
        upgrade(engine)
        bureau = bootstrap(make_settings(tmp / "var"), engine=engine)
        with TestClient(create_app(bureau=bureau, serving={serving})) as c:
            assert c.get("/healthz").status_code == 200
            print(gc.get_freeze_count())
    """)
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    frozen = int(r.stdout.strip().splitlines()[-1])
    assert (frozen > 50_000) if serving else (frozen == 0)
