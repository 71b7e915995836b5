from tests.integration.route_tables.common import STAFF  # noqa: F401

WEB: dict[tuple[str, str], frozenset[str]] = {
}
