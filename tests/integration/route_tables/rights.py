from tests.integration.route_tables.common import STAFF  # noqa: F401

_FURNISHER = frozenset({"furnisher"})
_MEMBER = frozenset({"member"})
_CONSUMER = frozenset({"consumer"})

RIGHTS: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/v1/furnisher/disputes"): _FURNISHER,
    ("POST", "/v1/furnisher/disputes/{dispute_id}/response"): _FURNISHER,
    ("POST", "/v1/member/decisions"): _MEMBER,
    ("POST", "/v1/member/offers"): _MEMBER,
    ("GET", "/v1/member/offers"): _MEMBER,
    ("POST", "/v1/me/disputes"): _CONSUMER,
    ("GET", "/v1/me/disputes"): _CONSUMER,
    ("POST", "/v1/me/disputes/{dispute_id}/information"): _CONSUMER,
    ("POST", "/v1/me/statements"): _CONSUMER,
    ("PUT", "/v1/me/freeze"): _CONSUMER,
    ("DELETE", "/v1/me/freeze"): _CONSUMER,
    ("POST", "/v1/me/fraud-alerts"): _CONSUMER,
    ("PUT", "/v1/me/offers-consent"): _CONSUMER,
    ("GET", "/v1/me/offers"): _CONSUMER,
    ("GET", "/v1/court/disputes"): frozenset({"court"}),
    ("POST", "/v1/court/disputes/{dispute_id}/response"): frozenset({"court"}),
    ("GET", "/v1/admin/disputes"): STAFF,
    ("POST", "/v1/admin/disputes/{dispute_id}/response"): frozenset({"operator"}),
    # identity protections (services/protections.py)
    ("POST", "/v1/me/identity-theft-reports"): _CONSUMER,
    ("GET", "/v1/me/identity-theft-reports"): _CONSUMER,
    ("GET", "/v1/furnisher/identity-notices"): _FURNISHER,
}
