"""Property-based API testing with schemathesis against the in-process app's ``/openapi.json``.

Every JSON API operation (``/v1/...`` and the operations endpoints) is called with generated
input -- valid and invalid -- as each caller that may use it, as no one, and as a caller of
another role. No answer may be a 5xx, and every answer must match the OpenAPI document: a
documented status code, content type, headers and body schema. Bounded (a few examples per
operation, no deadline) so CI runs it in a couple of minutes. The HTML pages are left to the
web tests: they are forms with CSRF tokens, not part of the JSON contract.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from openbureau.adapters.database import make_engine, upgrade
from openbureau.bootstrap import bootstrap
from openbureau.domain.roles import SYSTEM
from openbureau.services import access, furnishing, models
from tests.conftest import make_settings
from tests.integration.test_route_roles import ALLOWED

NID = "900100200"
EXAMPLES = 15
# "schema-valid data must be accepted" does not hold for business rules JSON Schema cannot
# state (a password of at least 10 characters is in the schema; "give one of name, id_suffix,
# court", a restriction in this deployment's catalogue, an upheld objection naming its remedy
# are not). Their 422 answers are still checked against the schema like every other answer.
EXCLUDED = [positive_data_acceptance]
ROLES = ("furnisher", "member", "court", "operator", "auditor")


@dataclass
class World:
    app: Any
    headers: dict[str, dict[str, str]]       # caller -> headers; "none" sends no credential


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from openbureau.api import create_app
    from openbureau.domain.roles import Principal, Role

    tmp: Path = tmp_path_factory.mktemp("schemathesis")
    engine = make_engine(f"sqlite:///{tmp / 'api.db'}")
    upgrade(engine)
    bureau = bootstrap(make_settings(tmp / "var"), engine=engine)
    models.ensure_shipped(bureau.uow(), bureau.deps)
    keys = {role: access.create_organisation(bureau.uow(), bureau.deps,
                                             SYSTEM, f"Fuzz {role}", role) for role in ROLES}
    furnisher = Principal(Role.FURNISHER, keys["furnisher"].id, keys["furnisher"].name)
    furnishing.furnish(bureau.uow(), bureau.deps, furnisher, furnishing.candidates_from_json([{
        "subject": {"national_id": NID, "name": "Ada Lovelace", "date_of_birth": "1985-12-10"},
        "account_ref": "CARD-1", "as_of": "2026-10-31", "kind": "revolving",
        "opened_on": "2019-04-01", "credit_limit": 500000, "balance": 120000,
        "amount_past_due": 0, "status": "current", "ecoa": "individual", "currency": "USD"}]))
    code = access.invite_consumer(bureau.uow(), bureau.deps, SYSTEM, NID)["enrolment_code"]
    access.enrol(bureau.uow(), bureau.deps, NID, date(1985, 12, 10), code, "a long enough password")
    token = access.sign_in(bureau.uow(), bureau.deps, NID, "a long enough password")
    headers = {role: {"Authorization": f"Bearer {k.key}"} for role, k in keys.items()}
    headers["consumer"] = {"Authorization": f"Bearer {token}"}
    headers["none"] = {}
    yield World(create_app(bureau=bureau), headers)
    engine.dispose()


@pytest.fixture(scope="module")
def api_schema(world: World) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", world.app)


def _operations() -> list[tuple[str, str]]:
    """The JSON API's operations, read from the OpenAPI document (no database needed)."""
    from openbureau.api import create_app

    paths = create_app().openapi()["paths"]
    return [(method.upper(), path) for path, ops in paths.items() for method in ops
            if re.match(r"^/(v1/|healthz$|readyz$|metrics$)", path)]


def callers(method: str, path: str) -> list[str]:
    """Who may call it, no one, and one caller of another role."""
    allowed = sorted(ALLOWED[(method, path)])
    known = [c for c in (*ROLES, "consumer") if c in allowed]
    other = next((c for c in (*ROLES, "consumer") if c not in allowed), None)
    return [*known, "none", *([other] if other else [])]


# schemathesis' own pytest plugin (``from_fixture``) does not work with pytest 9 yet, so each
# operation is a plain parametrized test driving schemathesis' hypothesis strategies.
@pytest.mark.parametrize(("method", "path"), _operations(),
                         ids=[f"{m} {p}" for m, p in _operations()])
def test_api_answers_within_its_schema(method: str, path: str, api_schema: Any,
                                       world: World) -> None:
    operation = api_schema[path][method]
    who = callers(method, path)

    @given(case=st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                          operation.as_strategy(GenerationMode.NEGATIVE)))
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def answers(case: Any) -> None:
        for caller in who:
            case.call_and_validate(headers=world.headers[caller], excluded_checks=EXCLUDED)

    answers()
