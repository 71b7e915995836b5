"""The registry's rules without a database: catalogue, third parties, terms, state machines."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from openbureau.domain import registry as reg
from openbureau.domain.errors import Conflict, ProhibitedData, ValidationFailed

TODAY = date(2026, 11, 1)
DEFAULT = reg.Catalogue.configured(None)


def order(**over: object) -> reg.ListingOrder:
    args: dict[str, object] = {
        "case_number": "(2026) Jing 0105 Zhi 1", "amount": 5_000_000, "currency": "CNY",
        "ground": "evades_enforcement", "legal_basis": "SPC 2017 art. 1", "judgment_date":
        date(2026, 6, 1), "today": TODAY, "until": None,
        "restrictions": [reg.RequestedRestriction("air_travel")], "catalogue": DEFAULT,
        "term_days": 730}
    args.update(over)
    return reg.listing_order(**args)  # type: ignore[arg-type]


def test_default_catalogue_is_api_md_list():
    assert DEFAULT.categories == frozenset(reg.DEFAULT_CATALOGUE)
    assert len(reg.DEFAULT_CATALOGUE) == 8


@pytest.mark.parametrize("category", ["children_private_school", "child_tuition",
                                      "spouse_air_travel", "family_star_hotels",
                                      "officers_air_travel", "legal_representative_travel",
                                      "staff_vehicle_purchase"])
def test_third_party_categories_are_refused_even_when_configured(category):
    configured = reg.Catalogue.configured([*reg.DEFAULT_CATALOGUE, category])
    assert category not in configured.categories
    with pytest.raises(ProhibitedData) as exc:
        configured.check(category)
    assert "not the debtor" in exc.value.errors[0].message
    assert exc.value.errors[0].category == "third_party"


def test_scope_other_than_the_debtor_is_refused():
    with pytest.raises(ProhibitedData, match="binds the judgment debtor alone"):
        DEFAULT.check("air_travel", scope="legal_representative")
    DEFAULT.check("air_travel")


def test_uncatalogued_category_is_refused_with_the_catalogue():
    with pytest.raises(ValidationFailed) as exc:
        DEFAULT.check("golf_club")
    assert not isinstance(exc.value, ProhibitedData)
    assert "air_travel" in exc.value.errors[0].message
    narrow = reg.Catalogue.configured(["air_travel"])
    with pytest.raises(ValidationFailed):
        narrow.check("star_hotels")


def test_term_by_ground():
    assert order().until == TODAY + timedelta(days=730)
    assert order(ground="refuses_to_perform").until is None
    assert order(until=date(2027, 5, 1)).until == date(2027, 5, 1)
    o = order(restrictions=[reg.RequestedRestriction("air_travel"),
                            reg.RequestedRestriction("star_hotels", date(2027, 1, 1))])
    assert [(r.category, r.until) for r in o.restrictions] == [
        ("air_travel", TODAY + timedelta(days=730)), ("star_hotels", date(2027, 1, 1))]


@pytest.mark.parametrize(("over", "field"), [
    ({"ground": None}, "ground"),
    ({"ground": "rude"}, "ground"),
    ({"legal_basis": " "}, "legal_basis"),
    ({"legal_basis": None}, "legal_basis"),
    ({"judgment_date": date(2026, 12, 1)}, "judgment_date"),
    ({"until": TODAY}, "until"),
    ({"restrictions": [reg.RequestedRestriction("air_travel"),
                       reg.RequestedRestriction("air_travel")]}, "restrictions[1].category"),
    ({"until": date(2027, 1, 1),
      "restrictions": [reg.RequestedRestriction("air_travel", date(2027, 6, 1))]},
     "restrictions[0].until"),
])
def test_listing_refusals_name_the_field(over, field):
    with pytest.raises(ValidationFailed) as exc:
        order(**over)
    assert field in [e.field for e in exc.value.errors]


def test_every_refusal_is_reported_at_once():
    with pytest.raises(ProhibitedData) as exc:
        order(ground=None, legal_basis=None,
              restrictions=[reg.RequestedRestriction("children_private_school")])
    assert [e.field for e in exc.value.errors] == ["ground", "legal_basis",
                                                   "restrictions[0].category"]


def test_listing_state_machine():
    for target in (reg.ListingStatus.SATISFIED, reg.ListingStatus.SETTLED,
                   reg.ListingStatus.TERMINATED, reg.ListingStatus.VACATED,
                   reg.ListingStatus.EXPIRED, reg.ListingStatus.REMOVED):
        assert reg.move_listing("active", target) is target
        with pytest.raises(Conflict):
            reg.move_listing(target.value, reg.ListingStatus.VACATED)
    with pytest.raises(Conflict):
        reg.move_listing("active", reg.ListingStatus.ACTIVE)
    assert reg.SATISFACTION_STATUS[reg.Satisfaction.SETTLEMENT] is reg.ListingStatus.SETTLED


def test_objection_is_decided_once():
    assert reg.decide_objection("open", reg.Outcome.UPHELD) is reg.ObjectionStatus.UPHELD
    with pytest.raises(Conflict):
        reg.decide_objection("rejected", reg.Outcome.UPHELD)


def test_windows():
    at = datetime(2026, 11, 1, tzinfo=UTC)
    assert reg.reconsideration_open(at, at + timedelta(days=10), 10)
    assert not reg.reconsideration_open(at, at + timedelta(days=10, seconds=1), 10)
    assert reg.in_force(None, TODAY) and reg.in_force(TODAY, TODAY)
    assert not reg.in_force(TODAY - timedelta(days=1), TODAY)
