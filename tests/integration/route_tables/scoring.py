from tests.integration.route_tables.common import STAFF  # noqa: F401

SCORING: dict[tuple[str, str], frozenset[str]] = {
    ("POST", "/v1/me/score/simulations"): frozenset({"consumer"}),
    ("GET", "/v1/me/score"): frozenset({"consumer"}),
    ("POST", "/v1/admin/rescoring-jobs"): frozenset({"operator"}),
    ("GET", "/v1/admin/rescoring-jobs"): STAFF,
    ("GET", "/v1/admin/drift"): STAFF,
    ("GET", "/v1/admin/fairness"): STAFF,
}
