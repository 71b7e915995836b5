"""What the demo shows each role, staged once after seeding: every step goes through the
service a real caller uses, so the demo's pages hold what real use would leave behind.

- the demo consumer: a file with one 30-days-late month on a Demo First Bank account (to
  dispute), moderate card balances, a court listing with a restriction (to see and object to),
  an adverse-action notice from Demo Member (to read), and offers around their score (to
  qualify for, once they opt in);
- Demo First Bank (the demo furnisher): an open dispute from another person to answer;
- Demo Court: listings of two people with collection accounts, one of them objected to;
- the operator: every file scored by a rescoring job, so drift and fairness have a population.

People are chosen from the synthetic population by what their records show (``pick``), so the
same (n, seed) always stages the same people.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from openbureau.domain.errors import OpenBureauError
from openbureau.domain.records import AccountKind, AccountRecord, AccountStatus, SubjectIdentity
from openbureau.domain.registry import RequestedRestriction
from openbureau.domain.roles import SYSTEM, Principal, Role
from openbureau.scoring.spec import SCORE_MAX, SCORE_MIN
from openbureau.services import (
    access,
    decisions,
    disputes,
    inquiries,
    objections,
    registry,
    rescore,
    rights,
)
from openbureau.services.ports import Deps, UnitOfWork
from openbureau.services.stored import FileHolder
from openbureau.synthetic.population import Person

DEMO_FURNISHER = "FB"          # the furnisher whose key `demo credentials` prints
MEMBER, COURT = "Demo Member", "Demo Court"   # demo_logins' names for those roles
CASE_PREFIX = "(2026) Demo Enf."
_BAD = frozenset({AccountStatus.DPD60, AccountStatus.DPD90, AccountStatus.DPD120,
                  AccountStatus.DPD150, AccountStatus.DPD180, AccountStatus.CHARGED_OFF,
                  AccountStatus.COLLECTION})


@dataclass
class Picks:
    """The people the showcase uses, by national id, with the account each is about."""
    consumer: tuple[SubjectIdentity, str] | None = None        # (who, late FB account_ref)
    disputer: tuple[SubjectIdentity, str] | None = None
    debtors: list[tuple[SubjectIdentity, int, str]] = field(default_factory=list)

    def done(self) -> bool:
        return (self.consumer is not None and self.disputer is not None
                and len(self.debtors) >= 2)


def _late_fb_account(records: list[AccountRecord], months: int) -> str | None:
    """A Demo First Bank account with a 30-days-late month within the last ``months`` reported
    months and current at its newest, on a file with nothing worse than 30 days late."""
    if any(r.status in _BAD or r.kind is AccountKind.COLLECTION for r in records):
        return None
    newest = max(r.as_of for r in records)
    latest: dict[str, AccountRecord] = {}
    for r in records:
        if r.account_ref not in latest or r.as_of > latest[r.account_ref].as_of:
            latest[r.account_ref] = r
    for r in records:
        if (r.status is AccountStatus.DPD30 and r.account_ref.startswith(DEMO_FURNISHER)
                and (newest - r.as_of).days <= months * 31
                and latest[r.account_ref].status is AccountStatus.CURRENT):
            return r.account_ref
    return None


def _utilisation(records: list[AccountRecord]) -> float | None:
    newest = max(r.as_of for r in records)
    cards = [r for r in records if r.as_of == newest and r.kind is AccountKind.REVOLVING
             and r.credit_limit and r.status is not AccountStatus.CLOSED]
    limits = sum(r.credit_limit or 0 for r in cards)
    return sum(r.balance for r in cards) / limits if limits else None


def pick(picks: Picks, person: Person) -> None:
    """Consider one person of the population for the showcase (call for each, in order)."""
    if picks.done():
        return
    records = person.records
    if not records:
        return
    accounts_held = {r.account_ref for r in records}
    if picks.consumer is None and len(accounts_held) >= 3:
        late = _late_fb_account(records, 12)
        util = _utilisation(records)
        if late and util is not None and 0.1 <= util <= 0.5:
            picks.consumer = (person.subject, late)
            return
    if picks.disputer is None:
        late = _late_fb_account(records, 24)
        if late:
            picks.disputer = (person.subject, late)
            return
    if len(picks.debtors) < 2:
        coll = [r for r in records if r.kind is AccountKind.COLLECTION and r.balance > 0]
        if coll:
            picks.debtors.append((person.subject, coll[-1].balance, coll[-1].currency))


def _org(uow: UnitOfWork, deps: Deps, name: str, role: Role) -> Principal:
    with uow:
        row = uow.credentials.organisation(name)
    if row is None:
        return Principal(role, access.create_organisation(uow, deps,
                                                          SYSTEM, name, role.value).id, name)
    if row.role != role.value:
        raise ValueError(f"organisation {name!r} exists but is not a {role.value}")
    return Principal(role, row.id, name)


def _subject(uow: UnitOfWork, deps: Deps, who: SubjectIdentity) -> FileHolder:
    assert who.national_id is not None
    with uow:
        row = uow.credentials.holder(deps.vault.lookup_hash(who.national_id))
    if row is None:
        raise LookupError("a person the showcase picked has no file")
    return row


def _as_consumer(uow: UnitOfWork, deps: Deps, who: SubjectIdentity) -> Principal:
    row = _subject(uow, deps, who)
    return Principal(Role.CONSUMER, row.id, row.name, row.item_ref)


def _item_ref(uow: UnitOfWork, deps: Deps, who: SubjectIdentity, account_ref: str) -> str:
    sid = _subject(uow, deps, who).id
    with uow:
        return uow.demo.account_item_ref(sid, account_ref)


def _list(uow: UnitOfWork, deps: Deps, court: Principal, n: int, who: SubjectIdentity,
          amount: int, currency: str, restriction: str) -> dict[str, Any]:
    assert who.national_id is not None
    today = deps.clock.now().date()
    return registry.list_judgment(
        uow, deps, court, case_number=f"{CASE_PREFIX} {n}",
        debtor=registry.Debtor("person", who.national_id, who.name, who.date_of_birth),
        amount=amount, currency=currency, judgment_date=today - timedelta(days=40 + 20 * n),
        ground="refuses_to_perform", legal_basis="Civil Procedure Law art. 262",
        restrictions_asked=[RequestedRestriction(restriction)])


def staged(uow: UnitOfWork, deps: Deps) -> bool:
    """Whether the showcase is already in this database (its first listing exists)."""
    with uow:
        return uow.demo.has_case(f"{CASE_PREFIX} 1")


def stage(uow: UnitOfWork, deps: Deps, picks: Picks, password: str,
          progress: Any = None) -> dict[str, Any]:
    """Stage the showcase for ``picks`` (once: nothing is done when it is already there);
    the demo consumer is enrolled with ``password``. Returns what was done, for the CLI."""
    out: dict[str, Any] = {"staged": False}
    if staged(uow, deps) or picks.consumer is None:
        return out
    member = _org(uow, deps, MEMBER, Role.MEMBER)
    court = _org(uow, deps, COURT, Role.COURT)

    # every file scored, as the nightly job would (drift and fairness need a population)
    job = rescore.start(uow, deps, rescore.default_engine(deps))
    job = rescore.run(uow, deps, job["id"], progress=progress)
    out["scored"] = job["done"]

    who, _late = picks.consumer
    assert who.national_id is not None and who.date_of_birth is not None
    invite = access.invite_consumer(uow, deps, SYSTEM, who.national_id)
    access.enrol(uow, deps, who.national_id, who.date_of_birth, invite["enrolment_code"],
                 password)
    consumer = _as_consumer(uow, deps, who)
    out["consumer"] = who.name

    listings = [_list(uow, deps, court, 1, who, 45000, "USD", "leisure_travel")]
    for i, (debtor, amount, currency) in enumerate(picks.debtors[:2], start=2):
        listings.append(_list(uow, deps, court, i, debtor, amount, currency,
                              "air_travel" if i == 2 else "star_hotels"))
    out["listings"] = len(listings)
    if len(picks.debtors) >= 1:
        objections.object_to_listing(
            uow, deps, _as_consumer(uow, deps, picks.debtors[0][0]),
            listings[1]["listing_id"],
            "The debt was settled with the creditor last month; the receipt is attached to "
            "my letter to the court.")
        out["objections"] = 1

    if picks.disputer is not None:
        other, account = picks.disputer
        disputes.open_dispute(uow, deps, _as_consumer(uow, deps, other),
                              "account",
                              _item_ref(uow, deps, other, account),
                              "I paid this month on time; my bank statement shows the payment.",
                              None)
        out["disputes"] = 1

    # a decline the consumer can read, from the score the member was given
    try:
        pulled = inquiries.pull_report(uow, deps, member, who, "credit_application", None)
        decisions.record_decision(uow, deps, member, pulled["inquiry_id"], "declined")
        score = (pulled.get("score") or {}).get("value")
        out["adverse_action_notices"] = 1
    except OpenBureauError:          # a profile that needs the consumer's consent first
        with uow:
            score = rights.current_score(uow, consumer.id)
    if score is not None:
        for title, description, min_score, category in _offers(int(score)):
            rights.create_offer(uow, deps, member, title, description, min_score, category)
        out["offers"] = 2
    out["staged"] = True
    return out


def _offers(score: int) -> Iterable[tuple[str, str, int, str]]:
    """One offer the consumer qualifies for, one a little above their score (to aim at)."""
    yield ("Everyday card, no annual fee", "A credit card with a 2,000.00 USD limit and no "
           "annual fee.", max(SCORE_MIN, score - 40), "credit_card")
    yield ("Low-rate personal loan", "A personal loan of up to 15,000.00 USD at a lower rate "
           "for files in good standing.", min(SCORE_MAX, score + 30), "personal_loan")


def enrolled_consumer(uow: UnitOfWork, deps: Deps) -> FileHolder | None:
    """The first consumer enrolled (the showcase's), or None."""
    with uow:
        return uow.demo.enrolled_person()
