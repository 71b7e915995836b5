"""The data-quality report of a file, end to end (SQLite and PostgreSQL): a Metro 2 file and a
CSV file with known problems are uploaded; the report counts each rule exactly, with its sample
lines; warned records are kept, rejected ones refused; only the furnisher that sent the file
sees its report (404 for another); the furnisher's pages list the files and show the table."""

from __future__ import annotations

from openbureau.domain.quality import RULES
from openbureau.domain.roles import SYSTEM
from openbureau.services import access
from tests.conftest import auth
from tests.integration.test_web_pages import HTML, sign_in_org
from tests.unit.test_metro2 import fixed_file, header, record
from tests.unit.test_metro2 import person_base as base

ACTIVITY = "05312024"


def upload(client, key: str, name: str, body: bytes) -> dict:
    r = client.post("/v1/furnisher/files", headers=auth(key), files={"file": (name, body)})
    assert r.status_code == 202, r.text
    file_id = r.json()["file_id"]
    status = client.get(f"/v1/furnisher/files/{file_id}", headers=auth(key)).json()
    assert status["status"] == "done", status
    return status


def quality(client, key: str, file_id: str) -> dict:
    r = client.get(f"/v1/furnisher/files/{file_id}/quality", headers=auth(key))
    assert r.status_code == 200, r.text
    return r.json()


def fired(report: dict) -> dict[str, tuple[int, list[int]]]:
    return {r["id"]: (r["count"], r["sample_lines"]) for r in report["rules"] if r["count"]}


def metro2_file() -> bytes:
    paid_with_balance = {"status": "13", "payment_rating": "0", "balance": "000000100",
                         "date_closed": "05012024", "scheduled_payment": "000000000"}
    recs = [
        record(base(account_number="ACC-1", ssn="111223331")),                       # 2 clean
        record(base(account_number="ACC-2", ssn="111223332", **paid_with_balance)),  # 3 Q07
        record(base(account_number="ACC-3", ssn="111223333",
                    past_due="000000050")),                                # 4 Q01 (reject)
        record(base(account_number="ACC-4", ssn="111223334", status="97",
                    past_due="000001234", dofd="01012024",
                    history="L" * 24)),                                    # 5 Q38 (warn)
        record(base(account_number="ACC-5", ssn="111223335", **paid_with_balance)),  # 6 Q07
        record(base(account_number="ACC-6", ssn="000000000", surname="ROE", first="MARY",
                    dob="03031970")),                                      # 7 Q20 (no SSN)
    ]
    return fixed_file(recs).replace(header(), header(activity=ACTIVITY), 1)


CSV = (
    b"subject_national_id,subject_name,subject_date_of_birth,account_ref,as_of,kind,opened_on,"
    b"closed_on,credit_limit,balance,amount_past_due,status,date_of_first_delinquency,ecoa,"
    b"currency\n"
    b"900000001,ANA LOPEZ,1980-01-01,C-1,2026-10-31,revolving,2020-01-01,,500000,1000,0,current,,"
    b"individual,USD\n"                                                     # 2 clean
    b"900000002,BEN LEE,1981-02-02,C-2,2026-10-31,revolving,2020-01-01,,500000,1000,0,paid,,"
    b"individual,USD\n"                                                     # 3 Q07, Q11
    b"900000003,CY DIAZ,1982-03-03,C-3,2026-10-31,revolving,2020-01-01,,500000,1000,500,dpd30,,"
    b"individual,USD\n"                                                     # 4 Q02 (reject)
    b"900000004,DEE NG,1983-04-04,C-4,2027-01-31,revolving,2020-01-01,,500000,1000,0,current,,"
    b"individual,USD\n"                                                     # 5 Q16
    b"900000005,ED FOX,1984-05-05,C-5,2026-10-31,installment,2020-01-01,,,1000,0,current,,"
    b"individual,USD\n"                                                     # 6 Q28
)


def test_metro2_file_report(client, orgs, bureau):
    key = orgs["furnisher"]
    status = upload(client, key, "bank.m2", metro2_file())
    assert (status["records"], status["accepted"], status["rejected"]) == (6, 5, 1), status
    report = quality(client, key, status["file_id"])
    assert report["file_id"] == status["file_id"]
    assert report["records_checked"] == 6
    assert [r["id"] for r in report["rules"]] == [r.id for r in RULES]
    assert fired(report) == {"Q01": (1, [4]), "Q07": (2, [3, 6]), "Q20": (1, [7]),
                             "Q38": (1, [5])}
    q01 = next(r for r in report["rules"] if r["id"] == "Q01")
    assert q01["severity"] == "reject" and q01["fields"] == ["amount_past_due", "status"]
    assert any("rule Q01" in e["message"] and e["line"] == 4 for e in status["errors"])


def test_csv_file_report(client, orgs, bureau):
    key = orgs["furnisher"]
    status = upload(client, key, "bank.csv", CSV)
    assert (status["records"], status["accepted"], status["rejected"]) == (5, 4, 1), status
    report = quality(client, key, status["file_id"])
    assert report["records_checked"] == 5
    assert fired(report) == {"Q02": (1, [4]), "Q07": (1, [3]), "Q11": (1, [3]),
                             "Q16": (1, [5]), "Q28": (1, [6])}
    # Metro 2-only rules never fire on a CSV file
    assert not any(r["count"] for r in report["rules"] if r["id"] >= "Q38")


def test_another_furnisher_gets_404(client, orgs, bureau):
    status = upload(client, orgs["furnisher"], "bank.csv", CSV)
    other = access.create_organisation(bureau.uow(), bureau.deps,
                                       SYSTEM, "Other furnisher", "furnisher").key
    r = client.get(f"/v1/furnisher/files/{status['file_id']}/quality", headers=auth(other))
    assert r.status_code == 404
    r = client.get("/v1/furnisher/files/999999/quality", headers=auth(orgs["furnisher"]))
    assert r.status_code == 404
    r = client.get(f"/v1/furnisher/files/{status['file_id']}/quality",
                   headers=auth(orgs["member"]))
    assert r.status_code == 403


def test_furnisher_pages_list_files_and_show_the_table(client, orgs, bureau):
    key = orgs["furnisher"]
    status = upload(client, key, "bank.csv", CSV)
    sign_in_org(client, key)
    files = client.get("/furnisher/files", headers=HTML)
    assert files.status_code == 200, files.text
    link = f'href="/furnisher/files/{status["file_id"]}/quality"'
    assert link in files.text and "bank.csv" in files.text
    page = client.get(f"/furnisher/files/{status['file_id']}/quality", headers=HTML)
    assert page.status_code == 200, page.text
    assert "Records checked: 5" in page.text
    assert page.text.count("<tr") == len(RULES) + 1          # header row + one per rule
    assert "<td>Q07</td>" in page.text and "<td>Q16</td>" in page.text
    other = access.create_organisation(bureau.uow(), bureau.deps,
                                       SYSTEM, "Other furnisher", "furnisher").key
    client.cookies.clear()
    sign_in_org(client, other)
    assert client.get(f"/furnisher/files/{status['file_id']}/quality",
                      headers=HTML).status_code == 404
