from tests.integration.route_tables.common import STAFF  # noqa: F401

REGISTRY: dict[tuple[str, str], frozenset[str]] = {
}
