"""One contract, two implementations, for the furnishing repositories: the record store's
accounts and months, identity observations and keys, identity resolution's reads and writes,
and furnishing files' intake behave alike in SQL (SQLite and PostgreSQL) and in memory
(tests/fakes.py) -- what tests/unit/test_furnishing_service.py and test_files_service.py rely
on."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tests.conftest import NOW
from tests.integration.test_repositories import repos  # noqa: F401  (the fixture)


def _account(ids: dict[str, int], ref: str, **over: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "account_ref": ref, "subject_id": ids["bob"], "item_ref": f"acc_{ref.lower()}",
        "link": {"how": "new_file"}, "kind": "revolving", "ecoa": "individual",
        "currency": "USD", "opened_on": date(2020, 1, 1), "closed_on": None,
        "credit_limit": 1000, "original_amount": None, "date_of_first_delinquency": None,
        "compliance_code": "XB", "latest_as_of": date(2026, 10, 31), "deleted_at": None,
        "delete_code": None, "identification_number": None, "original_creditor": None,
        "creditor_classification": None, "purchase_indicator": None, "purchase_name": None,
        "mortgage": None, "specialised_payment": None}
    row.update(over)
    return row


def _month(acc_id: int, as_of: date, balance: int, **over: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "account_id": acc_id, "as_of": as_of, "status": "current", "balance": balance,
        "amount_past_due": 0, "credit_limit": 1000, "scheduled_payment": None,
        "monthly_income": None, "consent_ref": None, "payment_history": None,
        "special_comment": None}
    row.update(over)
    return row


def test_the_record_store_adds_accounts_upserts_months_and_follows_alike(repos):  # noqa: F811
    new_uow, ids = repos
    oct31, nov30 = date(2026, 10, 31), date(2026, 11, 30)
    with new_uow() as uow:
        made = uow.account_store.add(ids["bank"], [_account(ids, "LOAN-7"),
                                                   _account(ids, "CARD-8")], NOW)
        assert set(made) == {("LOAN-7", ids["bob"]), ("CARD-8", ids["bob"])}
        loan = made[("LOAN-7", ids["bob"])]
        assert uow.account_store.upsert_months(
            [_month(loan, oct31, 100), _month(loan, nov30, 90)], None, NOW, True) == {
            (loan, oct31), (loan, nov30)}
        uow.commit()
    with new_uow() as uow:
        store = uow.account_store
        # unchanged: left alone; changed: updated; a deleting record's month: always
        assert store.upsert_months([_month(loan, oct31, 100)], None, NOW, True) == set()
        assert store.upsert_months([_month(loan, oct31, 95)], None, NOW, True) == {
            (loan, oct31)}
        assert store.upsert_months([_month(loan, nov30, 90)], None, NOW, False) == {
            (loan, nov30)}
        (state,) = store.states(ids["bank"], ["LOAN-7"])
        assert (state.id, state.account_ref, state.subject_id, state.latest_as_of,
                state.compliance_code) == (loan, "LOAN-7", ids["bob"], oct31, "XB")
        follow = {k: v for k, v in _account(ids, "LOAN-7", latest_as_of=nov30,
                                            compliance_code=None,
                                            original_creditor="OLD BANK").items()
                  if k not in ("account_ref", "subject_id", "item_ref", "link")}
        store.follow({loan: {**follow, "updated_at": NOW}})
        uow.commit()
    with new_uow() as uow:
        states = {s.account_ref: s for s in uow.account_store.states(
            ids["bank"], ["LOAN-7", "CARD-8", "NONE"])}
        assert set(states) == {"LOAN-7", "CARD-8"}
        assert (states["LOAN-7"].latest_as_of, states["LOAN-7"].compliance_code,
                states["LOAN-7"].original_creditor) == (nov30, None, "OLD BANK")
        assert states["CARD-8"].compliance_code == "XB"


def test_observations_are_kept_widened_and_keyed_alike(repos):  # noqa: F811
    new_uow, ids = repos
    ada, bank = ids["ada"], ids["bank"]
    may, jun = date(2026, 5, 31), date(2026, 6, 30)

    def row(kind: str, h: str) -> dict[str, Any]:
        return {"subject_id": ada, "kind": kind, "value_hmac": h,
                "value_ciphertext": b"enc:x", "line": 3, "first_seen_on": may,
                "last_seen_on": may, "item_ref": f"idn_{h}"}

    with new_uow() as uow:
        assert uow.observations.kept(bank, [ada]) == {}
        uow.observations.keep(bank, None, NOW, {("key-1", ada)},
                              [row("name", "h-name"), row("phone", "h-phone")], [])
        uow.commit()
    with new_uow() as uow:
        kept = uow.observations.kept(bank, [ada])
        assert set(kept) == {(ada, "name", "h-name"), (ada, "phone", "h-phone")}
        assert uow.observations.kept(bank, [ids["bob"]]) == {}
        name = kept[(ada, "name", "h-name")]
        # one widened by id; one sent again as new (another ingest kept it meanwhile)
        uow.observations.keep(bank, None, NOW + timedelta(days=1), {("key-1", ada)},
                              [{**row("phone", "h-phone"), "last_seen_on": jun,
                                "item_ref": "idn_again"}],
                              [{"b_id": name.id, "b_first": may - timedelta(days=31),
                                "b_last": jun}])
        uow.commit()
    with new_uow() as uow:
        kept = uow.observations.kept(bank, [ada])
        assert {k[2]: (o.first_seen_on, o.last_seen_on) for k, o in kept.items()} == {
            "h-name": (may - timedelta(days=31), jun), "h-phone": (may, jun)}
        assert uow.resolution.holders(["key-1", "key-2"]) == {"key-1": {ada}}


def test_resolution_reads_and_writes_files_alike(repos):  # noqa: F811
    new_uow, ids = repos
    with new_uow() as uow:
        res = uow.resolution
        made = res.add_files([{"id_hmac": "hm-carol", "id_ciphertext": b"enc:111",
                               "id_suffix": "0111", "name": "Carol", "date_of_birth": None,
                               "item_ref": "sub_repo_c"}], NOW)
        carol = made["sub_repo_c"]
        uow.commit()
    with new_uow() as uow:
        res = uow.resolution
        assert res.taken_ids(["hm-carol", "hm-nobody"]) == {"hm-carol"}
        assert res.refs([carol, ids["ada"]]) == {carol: "sub_repo_c", ids["ada"]: "sub_repo_a"}
        assert res.opened_with([carol]) == [(carol, "Carol", None, b"enc:111")]
        # the file whose public national id it is holds that key
        assert res.holders([], "hm-carol") == {"hm-carol": {carol}}
        assert res.holders([]) == {}
        # and the look-up reads that file with its holders
        held, owner = res.holders_and_owner(["hm-none"], "hm-carol")
        assert held == {"hm-carol": {carol}}
        assert owner is not None
        assert (owner.id, owner.item_ref, owner.name, owner.id_ciphertext) == (
            carol, "sub_repo_c", "Carol", b"enc:111")
        assert res.holders_and_owner([], "hm-nobody") == ({}, None)
        assert res.account_files(ids["bank"], ["CARD-1", "NONE"]) == {"CARD-1": {ids["ada"]}}
        assert res.account_files(ids["bank"] + 1000, ["CARD-1"]) == {}


def test_furnishing_files_are_received_started_finished_and_resumed_alike(repos):  # noqa: F811
    new_uow, ids = repos
    with new_uow() as uow:
        first = uow.furnishing_files.add(ref="file_r1", furnisher_id=ids["bank"],
                                         filename="a.csv", format="csv", sha256="0" * 64,
                                         now=NOW)
        second = uow.furnishing_files.add(ref="file_r2", furnisher_id=ids["bank"],
                                          filename="b.m2", format="metro2", sha256="1" * 64,
                                          now=NOW)
        uow.furnishing_files.start(first)
        uow.commit()
    with new_uow() as uow:
        files = uow.furnishing_files
        seen = files.by_ref("file_r1")
        assert seen is not None
        assert (seen.id, seen.furnisher, seen.status, seen.attempts) == (
            first, "Repo Bank", "running", 1)
        assert files.by_ref("file_r1", ids["bank"] + 1000) is None
        assert files.by_ref("file_nothing") is None
        assert [f.ref for f in files.pending()] == ["file_r1", "file_r2"]
        files.finish(first, NOW, status="done", records=3, accepted=2, rejected=1,
                     errors=[{"line": 2, "field": "balance", "message": "bad"}],
                     errors_total=1, warnings=[], warnings_total=0)
        uow.commit()
    with new_uow() as uow:
        files = uow.furnishing_files
        done = files.by_ref("file_r1", ids["bank"])
        assert done is not None
        assert (done.furnisher, done.status, done.records, done.accepted, done.rejected,
                done.errors_total, done.warning_messages, done.warnings) == (
            None, "done", 3, 2, 1, 1, [], 0)
        assert [f.ref for f in files.pending()] == ["file_r2"]
        assert files.statuses([first, second, second + 1000]) == {first: "done",
                                                                  second: "queued"}
