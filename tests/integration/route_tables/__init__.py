"""Who may call each route, per feature; ``test_route_roles`` joins them and checks every
route of the app against the union. Each feature's table lives in its own module."""

from tests.integration.route_tables.common import ANYONE, CALLERS, EVERYONE, ORG, STAFF
from tests.integration.route_tables.consents import CONSENTS
from tests.integration.route_tables.registry import REGISTRY
from tests.integration.route_tables.rights import RIGHTS
from tests.integration.route_tables.scoring import SCORING
from tests.integration.route_tables.web import WEB

__all__ = ["ANYONE", "CALLERS", "CONSENTS", "EVERYONE", "ORG", "REGISTRY", "RIGHTS", "SCORING",
           "STAFF", "WEB"]
