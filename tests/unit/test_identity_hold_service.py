"""The identity review queue against the in-memory ports (tests/fakes.py): no database. The SQL
repository (``adapters/identity_holds.py``) is proven by test_identity_resolution.py,
test_identity_profiles.py and test_identity_protections.py on both databases, which also place
linked and new-file decisions (``furnishing.place_held``, on the SQL unit); here the record is
placed through the fake store."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from openbureau.clock import FixedClock
from openbureau.domain.errors import Conflict, NotFound, ValidationFailed
from openbureau.domain.profiles import get_profile
from openbureau.domain.roles import Principal, Role
from openbureau.identity.rules import NAME_DISAGREES
from openbureau.services import identity_holds
from tests.fakes import FakeIdentityVault, FakeStore, FakeUnitOfWork, fake_deps

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
HELD_AT = datetime(2026, 10, 30, 9, 0, tzinfo=UTC)
OPERATOR = Principal(Role.OPERATOR, 30, "Operator")
BANK = 10


class Operator:
    """The review queue's entry point: a fresh unit of work on the store per call, the deps
    (a vault that decrypts what the fakes encrypt; placing a held record recorded)."""

    def __init__(self) -> None:
        self.store, self.clock = FakeStore(), FixedClock(NOW)
        self.vault = FakeIdentityVault()
        self.deps = fake_deps(self.clock, vault=self.vault)

    def uow(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.store, self.clock)


@pytest.fixture
def bureau() -> Operator:
    b = Operator()
    b.store.add_organisation(BANK, "Bank", "furnisher")
    b.store.add_subject(5, id_hmac="h5")
    return b


def hold(bureau: Operator, ref: str, *, reason: str = "ambiguous", status: str = "held",
         kept: dict[str, Any] | None = None, candidates: list[dict[str, Any]] | None = None
         ) -> None:
    bureau.store.holds.append({
        "item_ref": ref, "furnisher_id": BANK, "file_id": 1, "line": 3,
        "account_ref_hmac": "acct-hash", "reason": reason, "weight": 4.5,
        "candidates": candidates or [{"file": "sub_5", "weight": 4.5, "fields": {}}],
        "record_ciphertext": bureau.vault.encrypt(json.dumps(kept or {"record": {}})),
        "status": status, "created_at": HELD_AT, "decided_at": None})


def test_the_queue_lists_holds_of_a_status_without_identity_values(bureau):
    hold(bureau, "hld_1")
    hold(bureau, "hld_2", status="withdrawn")
    (item,) = identity_holds.list_holds(bureau.uow(), bureau.deps)["items"]
    assert item == {"hold_ref": "hld_1", "furnisher": "Bank", "line": 3, "reason": "ambiguous",
                    "weight": 4.5, "candidates": [{"file": "sub_5", "weight": 4.5,
                                                   "fields": {}}],
                    "status": "held", "held_at": HELD_AT.isoformat(), "decided_at": None}
    withdrawn = identity_holds.list_holds(bureau.uow(), bureau.deps, "withdrawn")["items"]
    assert [i["hold_ref"] for i in withdrawn] == ["hld_2"]


def test_verification_counts_held_records_whose_name_disagrees_with_the_file(bureau):
    hold(bureau, "hld_1", reason=NAME_DISAGREES)
    hold(bureau, "hld_2", reason=NAME_DISAGREES, candidates=[{"file": "sub_9"}])
    hold(bureau, "hld_3", reason="ambiguous")
    with FakeUnitOfWork(bureau.store, bureau.clock) as uow:
        cn, us = get_profile("cn-cri"), get_profile("us-fcra")
        assert identity_holds.verification(uow, cn, "sub_5") == {"status": "review",
                                                                 "pending": 1}
        assert identity_holds.verification(uow, cn, "sub_7") == {"status": "agrees",
                                                                 "pending": 0}
        assert identity_holds.verification(uow, us, "sub_5") is None


def test_a_withdrawn_hold_is_decided_once_and_audited(bureau):
    hold(bureau, "hld_1")
    assert identity_holds.decide(bureau.uow(), bureau.deps, OPERATOR, "hld_1", "withdraw") == {
        "hold_ref": "hld_1", "status": "withdrawn", "file_ref": None}
    (row,) = bureau.store.holds
    assert (row["status"], row["decided_at"], row["decided_by"], row["subject_id"]) == (
        "withdrawn", NOW, OPERATOR.actor, None)
    assert bureau.store.actions() == ["identity.hold_withdrawn"]
    with pytest.raises(Conflict, match="already decided"):
        identity_holds.decide(bureau.uow(), bureau.deps, OPERATOR, "hld_1", "withdraw")


def test_a_link_names_a_file_that_exists(bureau):
    hold(bureau, "hld_1")
    with pytest.raises(NotFound, match="no such hold"):
        identity_holds.decide(bureau.uow(), bureau.deps, OPERATOR, "hld_9", "link", "sub_5")
    with pytest.raises(ValidationFailed):
        identity_holds.decide(bureau.uow(), bureau.deps, OPERATOR, "hld_1", "link")
    with pytest.raises(NotFound, match="no such file"):
        identity_holds.decide(bureau.uow(), bureau.deps, OPERATOR, "hld_1", "link", "sub_404")
    assert bureau.store.holds[0]["status"] == "held" and bureau.store.events == []


def test_a_link_to_a_file_whose_consumer_said_not_mine_is_refused(bureau):
    hold(bureau, "hld_1")
    bureau.store.cannot_links.append((5, BANK, "acct-hash", "dispute"))
    with pytest.raises(Conflict, match="not theirs"):
        identity_holds.decide(bureau.uow(), bureau.deps, OPERATOR, "hld_1", "link", "sub_5")
    assert bureau.store.holds[0]["status"] == "held"


def test_a_merged_files_ref_links_to_the_file_it_was_merged_into(bureau):
    bureau.store.add_subject(6, "Ada L.", id_hmac=None, merged_into_id=5)
    bureau.store.blocks.append((1, 5, "acc_x", BANK, "acct-hash", NOW))
    hold(bureau, "hld_1")
    # the merged file's ref answers for file 5, where the account is blocked
    with pytest.raises(Conflict, match="not theirs"):
        identity_holds.decide(bureau.uow(), bureau.deps, OPERATOR, "hld_1", "link", "sub_6")


def test_a_column_row_kept_without_its_record_can_only_be_withdrawn(bureau):
    hold(bureau, "hld_1", kept={"columns": ["x"]})
    with pytest.raises(Conflict, match="withdraw it"):
        identity_holds.decide(bureau.uow(), bureau.deps, OPERATOR, "hld_1", "link", "sub_5")
    assert bureau.store.holds[0]["status"] == "held"


RECORD = {"subject": {"national_id": "123456789", "name": "Jane Doe",
                      "date_of_birth": "1980-02-28"},
          "account_ref": "ACC-1", "as_of": "2026-09-30", "kind": "revolving",
          "opened_on": "2020-01-15", "balance": 1000, "amount_past_due": 0,
          "status": "current", "ecoa": "individual", "currency": "USD"}


def placed(bureau: Operator) -> list[tuple[str, int, int]]:
    """The accounts the fake store holds: (account number, file, furnisher)."""
    return [(a.account_ref, a.subject_id, a.furnisher_id) for a in bureau.store.accounts.values()]


def test_a_link_places_the_record_on_the_file_then_records_the_decision(bureau):
    hold(bureau, "hld_1", kept={"record": RECORD})
    assert identity_holds.decide(bureau.uow(), bureau.deps, OPERATOR, "hld_1", "link",
                                 "sub_5") == {"hold_ref": "hld_1", "status": "linked",
                                              "file_ref": "sub_5"}
    assert placed(bureau) == [("ACC-1", 5, BANK)]
    (row,) = bureau.store.holds
    assert (row["status"], row["subject_id"], row["decided_by"]) == ("linked", 5, OPERATOR.actor)
    # the record stored as furnishing stores it, then the decision
    assert bureau.store.actions() == ["furnish.account", "identity.hold_linked"]


def test_a_new_file_is_opened_from_the_records_identity(bureau):
    hold(bureau, "hld_1", kept={"record": RECORD})
    out = identity_holds.decide(bureau.uow(), bureau.deps, OPERATOR, "hld_1", "new_file")
    assert out["status"] == "new_file" and out["file_ref"].startswith("sub_")
    ((_, target, _),) = placed(bureau)
    assert target != 5 and bureau.store.holds[0]["subject_id"] == target


def test_a_hold_whose_record_cannot_be_placed_goes_back_in_the_queue(bureau):
    hold(bureau, "hld_1", kept={"record": RECORD})

    class AwayVault(FakeIdentityVault):       # the record's store fails while placing it
        def lookup_hash(self, national_id: str) -> str:
            raise RuntimeError("the store is away")

    deps = fake_deps(bureau.clock, vault=AwayVault())
    with pytest.raises(RuntimeError, match="away"):
        identity_holds.decide(bureau.uow(), deps, OPERATOR, "hld_1", "link", "sub_5")
    assert bureau.store.holds[0]["status"] == "held" and bureau.store.events == []
    # and may be decided again
    identity_holds.decide(bureau.uow(), bureau.deps, OPERATOR, "hld_1", "withdraw")
    assert bureau.store.holds[0]["status"] == "withdrawn"
