"""Files and disputes are named by opaque random refs, never by their sequential row ids
(finding 14; docs/security.md, "Opaque file and dispute ids"), and migration 0008 gives rows
that existed before it a ref."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from alembic import command
from sqlalchemy import select, text

from openbureau.adapters.database import alembic_config
from openbureau.adapters.tables import disputes, furnishing_files
from tests.conftest import auth
from tests.integration.test_disputes import open_dispute, setup_file
from tests.integration.test_intake_limits import CSV_HEAD, csv_row

UPLOAD = "/v1/furnisher/files"
CSV = CSV_HEAD + csv_row(1)


def test_file_ids_are_opaque(client, orgs, bureau):
    key = auth(orgs["furnisher"])
    ids = [client.post(UPLOAD, headers=key, files={"file": (f"{i}.csv", CSV)}).json()["file_id"]
           for i in range(2)]
    assert all(re.fullmatch(r"file_[0-9a-f]{16}", i) for i in ids), ids
    with bureau.uow() as uow:
        rows = dict(uow.execute(select(furnishing_files.c.ref, furnishing_files.c.id)).all())
    assert sorted(rows) == sorted(ids)
    for ref, row_id in rows.items():
        assert client.get(f"{UPLOAD}/{ref}", headers=key).json()["file_id"] == ref
        # the row id no longer names the file
        assert client.get(f"{UPLOAD}/{row_id}", headers=key).status_code == 404
        assert client.get(f"{UPLOAD}/{ref}/quality", headers=key).status_code == 200


def test_dispute_ids_are_opaque(client, orgs, bureau):
    token, ref = setup_file(client, orgs, bureau)
    opened = open_dispute(client, token, ref).json()
    dispute_id = opened["dispute_id"]
    assert re.fullmatch(r"dsp_[0-9a-f]{16}", dispute_id), opened
    with bureau.uow() as uow:
        row_id = uow.execute(select(disputes.c.id)
                             .where(disputes.c.ref == dispute_id)).scalar_one()
    furnisher = auth(orgs["furnisher"])
    listed = client.get("/v1/furnisher/disputes", headers=furnisher).json()["items"]
    assert [d["dispute_id"] for d in listed] == [dispute_id]
    mine = client.get("/v1/me/disputes", headers=auth(token)).json()
    assert dispute_id in str(mine)
    assert client.post(f"/v1/furnisher/disputes/{row_id}/response", headers=furnisher,
                       json={"outcome": "verified", "note": "ok"}).status_code == 404
    r = client.post(f"/v1/furnisher/disputes/{dispute_id}/response", headers=furnisher,
                    json={"outcome": "verified", "note": "checked"})
    assert r.status_code == 200 and r.json()["dispute_id"] == dispute_id


def test_migration_gives_existing_rows_a_ref(empty_engine):
    cfg = alembic_config(empty_engine.url.render_as_string(hide_password=False))
    now = datetime(2026, 11, 1, tzinfo=UTC)
    with empty_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0007")
        conn.execute(text("INSERT INTO organisations (id, name, role, created_at) "
                          "VALUES (1, 'F', 'furnisher', :t)"), {"t": now})
        for i in (1, 2):
            conn.execute(text(
                "INSERT INTO furnishing_files (id, furnisher_id, filename, format, sha256, "
                "status, records, accepted, rejected, errors, created_at) VALUES "
                "(:i, 1, 'a.csv', 'csv', 'x', 'done', 0, 0, 0, '[]', :t)"), {"i": i, "t": now})
        command.upgrade(cfg, "head")
        refs = list(conn.execute(text("SELECT ref FROM furnishing_files")).scalars())
    assert len(refs) == 2 and len(set(refs)) == 2
    assert all(re.fullmatch(r"file_[0-9a-f]{16}", r) for r in refs), refs
