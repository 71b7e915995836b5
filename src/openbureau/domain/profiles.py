"""Jurisdiction profiles: deadlines and retention as data, chosen per deployment.

The numbers come from DESIGN.md's table (FCRA, China's 2013 Regulation, GDPR); check the primary
texts before changing them. Code reads them from the active profile, never from constants.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TypedDict

from openbureau.domain.wording import N_


class Purpose(StrEnum):
    CREDIT_APPLICATION = "credit_application"
    ACCOUNT_REVIEW = "account_review"
    COLLECTION = "collection"
    TENANCY_APPLICATION = "tenancy_application"
    INSURANCE_UNDERWRITING = "insurance_underwriting"
    EMPLOYMENT = "employment"
    COURT_ORDER = "court_order"
    CONSUMER_REQUEST = "consumer_request"


class UnverifiedOutcome(StrEnum):
    SUPPRESS = "suppress"          # deleted / suppressed from report and score
    UNCONFIRMED = "unconfirmed"    # kept, marked unconfirmed, with the objection
    RESTRICT = "restrict"          # processing restricted: hidden from members and the score


ALL_PURPOSES = frozenset(Purpose)
# Purposes that do not open new credit: a freeze does not block them.
FREEZE_EXEMPT = frozenset({Purpose.ACCOUNT_REVIEW, Purpose.COLLECTION, Purpose.COURT_ORDER,
                           Purpose.CONSUMER_REQUEST})


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    dispute_days: int
    dispute_extension_days: int          # when the consumer adds information
    furnisher_notice_business_days: int
    unverified_outcome: UnverifiedOutcome
    negative_retention_days: int          # from the date of first delinquency
    bankruptcy_retention_days: int
    inquiry_display_days: int | None      # None: all inquiries are shown
    employment_inquiry_display_days: int | None
    free_reports_per_year: int | None     # None: on request, no limit
    permissible_purposes: frozenset[Purpose]
    consent_required: frozenset[Purpose]
    key_factors: int
    extra_factor_for_inquiries: bool
    freeze_available: bool
    fraud_alert_initial_days: int | None
    fraud_alert_extended_days: int | None
    listing_term_days: int                # court listings on grounds other than non-performance
    objection_review_days: int
    reconsideration_request_days: int
    reconsideration_decision_days: int
    # whether a consumer may revoke a consent given to a member (ahead of its expiry)
    consent_revocable: bool = True
    # the language a person reads when neither their setting nor their browser names one
    # (a BCP 47 tag of ``adapters.i18n.LOCALES``)
    language: str = "en"
    # business days to block the items of a consumer's identity-theft report (None: the law
    # sets no such deadline; the block is then due within ``dispute_days``, as a dispute)
    identity_theft_block_business_days: int | None = None
    # identity (domain/national_ids.py, identity/rules.py): the national id's scheme, whether
    # every record and look-up must carry one, whether the name must agree with it
    national_id_scheme: str = "any"
    national_id_required: bool = False
    name_must_agree_with_id: bool = False

    def consent_needed(self, purpose: Purpose) -> bool:
        return purpose in self.consent_required

    def shows_inquiry(self, purpose: Purpose, age_days: int) -> bool:
        limit = (self.employment_inquiry_display_days if purpose is Purpose.EMPLOYMENT
                 else self.inquiry_display_days)
        return limit is None or age_days <= limit


_YEAR = 365


class _CourtTerms(TypedDict):
    listing_term_days: int
    objection_review_days: int
    reconsideration_request_days: int
    reconsideration_decision_days: int


_COURT = _CourtTerms(listing_term_days=2 * _YEAR, objection_review_days=15,
                     reconsideration_request_days=10, reconsideration_decision_days=15)

PROFILES: dict[str, Profile] = {
    "us-fcra": Profile(
        name="us-fcra", title=N_("United States: FCRA / ECOA"),
        dispute_days=30, dispute_extension_days=15, furnisher_notice_business_days=5,
        unverified_outcome=UnverifiedOutcome.SUPPRESS,
        negative_retention_days=7 * _YEAR, bankruptcy_retention_days=10 * _YEAR,
        inquiry_display_days=_YEAR, employment_inquiry_display_days=2 * _YEAR,
        free_reports_per_year=52,
        permissible_purposes=ALL_PURPOSES, consent_required=frozenset({Purpose.EMPLOYMENT}),
        key_factors=4, extra_factor_for_inquiries=True, freeze_available=True,
        fraud_alert_initial_days=_YEAR, fraud_alert_extended_days=7 * _YEAR,
        consent_revocable=True,
        # FCRA 605B(a): block "not later than 4 business days after the date of receipt" of
        # an identity theft report
        identity_theft_block_business_days=4, **_COURT),
    "cn-cri": Profile(
        name="cn-cri", title=N_("China: Credit Reporting Industry Regulation (2013)"),
        dispute_days=20, dispute_extension_days=0, furnisher_notice_business_days=5,
        unverified_outcome=UnverifiedOutcome.UNCONFIRMED,
        negative_retention_days=5 * _YEAR, bankruptcy_retention_days=5 * _YEAR,
        inquiry_display_days=None, employment_inquiry_display_days=None,
        free_reports_per_year=2,
        # art. 18: written consent and an agreed purpose for every query, "except where the law
        # provides that a query may be made without consent" (a court's order). A member
        # asking "at the consumer's request" still holds the consumer's written consent.
        # The Regulation says nothing of withdrawing consent; PIPL (2021) art. 15 lets a
        # person withdraw consent given: revocable (docs/rights.md)
        permissible_purposes=ALL_PURPOSES, consent_required=ALL_PURPOSES - {Purpose.COURT_ORDER},
        key_factors=4, extra_factor_for_inquiries=False, freeze_available=False,
        fraud_alert_initial_days=None, fraud_alert_extended_days=None, consent_revocable=True,
        # no block statute: an identity-theft report is an objection (art. 25), due within
        # the 20 days of dispute_days
        identity_theft_block_business_days=None,
        # records and queries name a person by the resident identity number (GB 11643-1999,
        # check character ISO 7064 MOD 11-2) and the name together; a record whose number is
        # on file under another name is a review item, never linked (docs/identity.md)
        national_id_scheme="cn_resident", national_id_required=True,
        name_must_agree_with_id=True, language="zh-CN",
        **_COURT),
    "eu-gdpr": Profile(
        name="eu-gdpr", title=N_("European Union: GDPR (German retention code)"),
        dispute_days=30, dispute_extension_days=60, furnisher_notice_business_days=5,
        unverified_outcome=UnverifiedOutcome.RESTRICT,
        negative_retention_days=3 * _YEAR, bankruptcy_retention_days=3 * _YEAR,
        inquiry_display_days=_YEAR, employment_inquiry_display_days=_YEAR,
        free_reports_per_year=None,
        permissible_purposes=ALL_PURPOSES, consent_required=frozenset({Purpose.EMPLOYMENT}),
        key_factors=4, extra_factor_for_inquiries=True, freeze_available=False,
        fraud_alert_initial_days=None, fraud_alert_extended_days=None,
        consent_revocable=True,   # GDPR art. 7(3)
        # no block statute: restriction while accuracy is contested (art. 18(1)(a)), due
        # within the month of dispute_days (art. 12(3))
        identity_theft_block_business_days=None, **_COURT),
}


def get_profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown profile {name!r}; choose one of {', '.join(PROFILES)}") from None
