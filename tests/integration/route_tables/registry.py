from tests.integration.route_tables.common import ANYONE, STAFF  # noqa: F401

COURT = frozenset({"court"})

REGISTRY: dict[tuple[str, str], frozenset[str]] = {
    ("POST", "/v1/court/judgments"): COURT,
    ("GET", "/v1/court/judgments"): COURT,
    ("POST", "/v1/court/judgments/{listing_id}/satisfaction"): COURT,
    ("POST", "/v1/court/judgments/{listing_id}/vacate"): COURT,
    ("GET", "/v1/court/objections"): COURT,
    ("POST", "/v1/court/objections/{objection_id}/decision"): COURT,
    ("POST", "/v1/member/restriction-checks"): frozenset({"member"}),
    ("POST", "/v1/me/objections"): frozenset({"consumer"}),
    ("GET", "/v1/public/defaulters"): ANYONE,
}
