"""The court defaulter registry: listing grounds, the restriction catalogue and the listing rules.

A court lists a judgment debtor on a legal ground and may order restrictions from the catalogue
the deployment configures. Whatever the configuration says, a restriction that binds anyone but
the debtor (the 2015 list's "children at high-fee private schools", a company's officers or staff)
is refused with the reason, and so is a consequence no court ordered (a category outside the
catalogue).

Listing states::

    active ──> satisfied | settled | terminated     (performance, settlement, termination)
           ──> vacated                              (the court withdraws the listing)
           ──> expired                              (the term ended; ``deadlines run``)
           ──> removed                              (an objection upheld by removal)
    an objection upheld by correction keeps the listing active with the corrected terms.

Objections: ``open -> upheld | rejected``; a rejected correction may be taken to the next court
up as a ``reconsideration`` within the profile's request window.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from openbureau.domain import bounds
from openbureau.domain.errors import Conflict, FieldError, ProhibitedData, ValidationFailed


class Ground(StrEnum):
    REFUSES_TO_PERFORM = "refuses_to_perform"
    OBSTRUCTS_ENFORCEMENT = "obstructs_enforcement"
    EVADES_ENFORCEMENT = "evades_enforcement"
    FALSE_ASSET_REPORT = "false_asset_report"
    BREACHES_CONSUMPTION_RESTRICTION = "breaches_consumption_restriction"
    BREACHES_SETTLEMENT = "breaches_settlement"


# Plain non-performance is listed until the debtor performs; every other ground runs a term.
UNTIL_PERFORMED = frozenset({Ground.REFUSES_TO_PERFORM})

DEFAULT_CATALOGUE: tuple[str, ...] = (
    "air_travel", "first_class_rail", "star_hotels", "property_purchase", "luxury_rental",
    "vehicle_purchase", "leisure_travel", "high_premium_insurance",
)

DEBTOR = "debtor"

# Categories known to bind someone other than the debtor, with the reason given to the caller.
THIRD_PARTY_CATEGORIES: dict[str, str] = {
    "children_private_school": "it binds the debtor's children (schooling at high-fee private "
                               "schools), not the debtor",
}
# Words that, in a category name, mean it binds another person.
_THIRD_PARTY_WORDS: dict[str, str] = {
    "child": "the debtor's children", "children": "the debtor's children",
    "kids": "the debtor's children", "son": "the debtor's children",
    "daughter": "the debtor's children", "spouse": "the debtor's spouse",
    "partner": "the debtor's partner", "family": "the debtor's family",
    "relative": "the debtor's relatives", "relatives": "the debtor's relatives",
    "parents": "the debtor's parents", "dependants": "the debtor's dependants",
    "dependents": "the debtor's dependants", "household": "the debtor's household",
    "officer": "an organisation's officers", "officers": "an organisation's officers",
    "director": "an organisation's directors", "directors": "an organisation's directors",
    "representative": "an organisation's legal representative",
    "staff": "an organisation's staff", "employee": "an organisation's staff",
    "employees": "an organisation's staff", "guarantor": "a guarantor",
    "associates": "the debtor's associates", "contacts": "the debtor's contacts",
}


def third_party_reason(category: str) -> str | None:
    """Why ``category`` binds someone other than the debtor, or None when it binds the debtor."""
    known = THIRD_PARTY_CATEGORIES.get(category)
    if known is not None:
        return known
    for word in category.lower().replace("-", "_").split("_"):
        who = _THIRD_PARTY_WORDS.get(word)
        if who is not None:
            return f"it binds {who}, not the debtor"
    return None


class ListingStatus(StrEnum):
    ACTIVE = "active"
    SATISFIED = "satisfied"
    SETTLED = "settled"
    TERMINATED = "terminated"
    VACATED = "vacated"
    EXPIRED = "expired"
    REMOVED = "removed"


class Satisfaction(StrEnum):
    PERFORMANCE = "performance"
    SETTLEMENT = "settlement"
    TERMINATION = "termination"


SATISFACTION_STATUS: dict[Satisfaction, ListingStatus] = {
    Satisfaction.PERFORMANCE: ListingStatus.SATISFIED,
    Satisfaction.SETTLEMENT: ListingStatus.SETTLED,
    Satisfaction.TERMINATION: ListingStatus.TERMINATED,
}

_LISTING_MOVES: dict[ListingStatus, frozenset[ListingStatus]] = {
    ListingStatus.ACTIVE: frozenset(ListingStatus) - {ListingStatus.ACTIVE},
}


def move_listing(current: str, target: ListingStatus) -> ListingStatus:
    """The listing's next status, or Conflict when ``current`` does not allow ``target``."""
    try:
        status = ListingStatus(current)
    except ValueError:
        raise Conflict(f"listing status {current!r} is unknown") from None
    if target not in _LISTING_MOVES.get(status, frozenset()):
        raise Conflict(f"the listing is {status.value}; it cannot become {target.value} "
                       "(only an active listing can be lifted, vacated or removed)")
    return target


class ObjectionKind(StrEnum):
    CORRECTION = "correction"
    RECONSIDERATION = "reconsideration"


class ObjectionStatus(StrEnum):
    OPEN = "open"
    UPHELD = "upheld"
    REJECTED = "rejected"


class Outcome(StrEnum):
    UPHELD = "upheld"
    REJECTED = "rejected"


class Remedy(StrEnum):
    CORRECT = "correct"
    REMOVE = "remove"


def decide_objection(current: str, outcome: Outcome) -> ObjectionStatus:
    if current != ObjectionStatus.OPEN:
        raise Conflict(f"the objection is already {current}; it can be decided once")
    return ObjectionStatus(outcome.value)


@dataclass(frozen=True)
class Catalogue:
    """The restriction categories a deployment's courts may order. Categories that bind someone
    other than the debtor are never part of it, whatever the configuration lists."""

    categories: frozenset[str]

    @classmethod
    def configured(cls, names: Iterable[str] | None) -> Catalogue:
        chosen = DEFAULT_CATALOGUE if names is None else tuple(names)
        return cls(frozenset(n for n in chosen if third_party_reason(n) is None))

    def check(self, category: str, scope: str = DEBTOR, field: str = "category") -> None:
        """Raise ProhibitedData (binds another person) or ValidationFailed (not catalogued)."""
        error = self.error_for(category, scope, field)
        if error is not None:
            raise (ProhibitedData if error.category else ValidationFailed)([error])

    def error_for(self, category: str, scope: str = DEBTOR,
                  field: str = "category") -> FieldError | None:
        if scope != DEBTOR:
            return FieldError(field, f"restriction {category!r} with scope {scope!r} is refused: "
                              "a restriction binds the judgment debtor alone, never another "
                              "person", category="third_party")
        reason = third_party_reason(category)
        if reason is not None:
            return FieldError(field, f"restriction {category!r} is refused whatever the "
                              f"configuration says: {reason}; restrictions bind the judgment "
                              "debtor alone", category="third_party")
        if category not in self.categories:
            return FieldError(field, f"restriction {category!r} is not in this deployment's "
                              "catalogue; no consequence a court did not order from it is "
                              "applied (catalogue: " + ", ".join(sorted(self.categories)) + ")")
        return None


@dataclass(frozen=True)
class OrderedRestriction:
    category: str
    until: date | None


@dataclass(frozen=True)
class ListingOrder:
    case_number: str
    amount: int
    currency: str
    ground: Ground
    legal_basis: str
    until: date | None
    restrictions: tuple[OrderedRestriction, ...]


@dataclass(frozen=True)
class RequestedRestriction:
    category: str
    until: date | None = None
    scope: str = DEBTOR


LEGAL_BASIS_MAX = 2000


def listing_order(*, case_number: str, amount: int, currency: str, ground: str | None,
                  legal_basis: str | None, judgment_date: date, today: date, until: date | None,
                  restrictions: Iterable[RequestedRestriction], catalogue: Catalogue,
                  term_days: int, known: Iterable[FieldError] = ()) -> ListingOrder:
    """Validate a court's listing request; every refusal is named in one ValidationFailed,
    with the ``known`` ones found before (the debtor's identity).

    The terms are bounded whatever the entry point (``bounds``): a case number, an amount of
    0 to 10^15 minor units, an ISO 4217 currency, a judgment date from 1900 to today, an end of
    term after today and at most ``bounds.UNTIL_HORIZON_YEARS`` ahead. The listing's term: the
    court's ``until`` if given, else none for plain non-performance (listed until performed),
    else ``term_days`` from today. A restriction's ``until`` defaults to the listing's and may
    not outlast it.
    """
    errors: list[FieldError] = list(known)
    case_number = case_number.strip()
    for field, problem in (("case_number", bounds.case_number_error(case_number)),
                           ("amount", bounds.amount_error(amount)),
                           ("currency", bounds.currency_error(currency))):
        if problem is not None:
            errors.append(FieldError(field, problem))
    g: Ground | None = None
    if not ground:
        errors.append(FieldError("ground", "is required: a listing names its legal ground (one "
                                 "of " + "|".join(x.value for x in Ground) + ")"))
    else:
        try:
            g = Ground(ground)
        except ValueError:
            errors.append(FieldError("ground", "must be one of "
                                     + "|".join(x.value for x in Ground)))
    basis = (legal_basis or "").strip()
    if not basis:
        errors.append(FieldError("legal_basis", "is required: a listing names the legal "
                                 "provision it rests on"))
    elif (problem := bounds.text_error(basis, LEGAL_BASIS_MAX)) is not None:
        errors.append(FieldError("legal_basis", problem))
    if judgment_date > today:
        errors.append(FieldError("judgment_date", "is in the future"))
    elif (problem := bounds.day_error(judgment_date)) is not None:
        errors.append(FieldError("judgment_date", problem))
    if until is not None and (problem := bounds.until_error(until, today)) is not None:
        errors.append(FieldError("until", problem))
    if until is None and g is not None and g not in UNTIL_PERFORMED:
        until = today + timedelta(days=term_days)
    ordered: list[OrderedRestriction] = []
    seen: set[str] = set()
    for i, r in enumerate(restrictions):
        field = f"restrictions[{i}]"
        error = catalogue.error_for(r.category, r.scope, f"{field}.category")
        if error is not None:
            errors.append(error)
            continue
        if r.category in seen:
            errors.append(FieldError(f"{field}.category", f"{r.category!r} is ordered twice"))
            continue
        seen.add(r.category)
        r_until = r.until if r.until is not None else until
        if r_until is not None and (problem := bounds.until_error(r_until, today)) is not None:
            if r.until is not None:     # a listing's own bad until is named once, as "until"
                errors.append(FieldError(f"{field}.until", problem))
        elif until is not None and r_until is not None and r_until > until:
            errors.append(FieldError(f"{field}.until", "may not outlast the listing "
                                     f"(until {until.isoformat()})"))
        ordered.append(OrderedRestriction(r.category, r_until))
    if errors:
        raise (ProhibitedData if any(e.category for e in errors) else ValidationFailed)(errors)
    assert g is not None
    return ListingOrder(case_number, amount, currency, g, basis, until, tuple(ordered))


def in_force(until: date | None, today: date) -> bool:
    """A listing or restriction with this end date still binds on ``today``."""
    return until is None or until >= today


def reconsideration_open(rejected_at: datetime, now: datetime, request_days: int) -> bool:
    return now <= rejected_at + timedelta(days=request_days)
