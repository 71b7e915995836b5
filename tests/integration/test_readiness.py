"""``/readyz`` and the answer to a database that went away (``api/app.py``,
``api/problems.py``), on both databases: the readiness check asks the database through the
unit of work's ``health`` repository, and the driver's errors the adapters name
(``adapters.database.DATABASE_ERRORS``) are answered 503 when they say it is unavailable."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import exc as sa_exc

from openbureau.api import create_app


def test_ready_when_the_database_answers_and_a_model_is_active(client):
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.json() == {"status": "ready", "database": True, "model": True}


def test_not_ready_without_an_active_model(bureau):
    from openbureau.adapters.tables import models

    with TestClient(create_app(bureau=bureau)) as c:
        with bureau.uow() as uow:
            uow.execute(models.update().values(active=False))
            uow.commit()
        r = c.get("/readyz")        # asked of the database: nothing this process forgets
    assert r.status_code == 503
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["errors"] == [{"field": "model", "message": "unavailable"}]


@pytest.mark.parametrize("error", [
    sa_exc.OperationalError("SELECT 1", {}, ConnectionRefusedError("refused")),
    sa_exc.TimeoutError("QueuePool limit reached"),
], ids=["connection refused", "pool timeout"])
def test_a_database_that_went_away_is_a_503_to_retry(bureau, error):
    app = create_app(bureau=bureau)

    def away() -> None:
        raise error

    app.add_api_route("/v1/test/database-away", away)
    with TestClient(app) as c:
        r = c.get("/v1/test/database-away")
    assert r.status_code == 503
    assert r.headers["Retry-After"] == "5"
    assert r.json()["type"] == "https://openbureau.dev/problems/database-unavailable"
