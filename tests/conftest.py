"""Shared fixtures: a migrated database per engine (SQLite and PostgreSQL), rolled back per test.

PostgreSQL tests are skipped when no server answers, unless ``REQUIRE_POSTGRES=1``; data tests
skip without ``../shared/data`` unless ``REQUIRE_DATA=1``; browser tests likewise with
``REQUIRE_BROWSER=1``.
"""

from __future__ import annotations

import base64
import os
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import sessionmaker

from openbureau.adapters.database import make_engine, upgrade
from openbureau.bootstrap import Bureau, bootstrap
from openbureau.clock import FixedClock
from openbureau.config import Settings
from openbureau.domain.national_ids import cn_check_character
from openbureau.domain.roles import SYSTEM

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
PG_ADMIN_URL = os.environ.get("OPENBUREAU_TEST_PG_URL", "postgresql://root@127.0.0.1:5432/test")
TEST_KEYS = {"pii_key": base64.b64encode(b"p" * 32).decode(),
             "hmac_key": base64.b64encode(b"h" * 32).decode(),
             "audit_key": base64.b64encode(b"a" * 32).decode()}
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def require_or_skip(env: str, why: str) -> None:
    if os.environ.get(env) == "1":
        pytest.fail(f"{why} (and {env}=1 makes this mandatory)")
    pytest.skip(why)


def postgres_or_skip() -> None:
    """Skip (or fail, with REQUIRE_POSTGRES=1) when the test PostgreSQL does not answer."""
    try:
        admin = make_engine(PG_ADMIN_URL)
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
        admin.dispose()
    except Exception as exc:  # noqa: BLE001
        require_or_skip("REQUIRE_POSTGRES", f"PostgreSQL unreachable: {type(exc).__name__}")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not (SHARED_DATA / "gmsc.csv.gz").exists():
        require_or_skip("REQUIRE_DATA", f"shared datasets not found at {SHARED_DATA}")
    return SHARED_DATA


def make_settings(var_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {"environment": "test", "var_dir": var_dir, **TEST_KEYS}
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def _postgres_engine() -> Iterator[Engine]:
    admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"ob_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001
        admin.dispose()
        require_or_skip("REQUIRE_POSTGRES", f"PostgreSQL unreachable at {PG_ADMIN_URL}: "
                        f"{type(exc).__name__}")
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    engine = make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[Engine]:
    """A database migrated to head, with the shipped models registered."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("db") / "openbureau.db"
        eng = make_engine(f"sqlite:///{path}")
        gen: Iterator[Engine] | None = None
    else:
        gen = _postgres_engine()
        eng = next(gen)
    upgrade(eng)
    from openbureau.services import models

    bureau = bootstrap(make_settings(tmp_path_factory.mktemp("var")), engine=eng)
    models.ensure_shipped(bureau.uow(), bureau.deps)
    yield eng
    if gen is not None:
        next(gen, None)
    else:
        eng.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database, not migrated (for migration tests)."""
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
        yield eng
        eng.dispose()
    else:
        gen = _postgres_engine()
        yield next(gen)
        next(gen, None)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def profile_name() -> str:
    return "us-fcra"


def resident_id(date_of_birth: str | None, seq: str = "001", region: str = "110101") -> str:
    """A valid 18-character resident identity number (GB 11643-1999) of that birth date."""
    first17 = region + (date_of_birth or "1980-01-01").replace("-", "") + seq[-3:].rjust(3, "0")
    return first17 + cn_check_character(first17)


@pytest.fixture(autouse=True)
def _resident_ids_under_cn_cri(request: pytest.FixtureRequest,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    """cn-cri takes no national id but a resident identity number whose check character and
    birth date are right. Under it, the suite's people -- the identity dicts the test modules
    keep (``ADA``, ``BOB``, ``SUBJECT``...) and the scenario's ``NID`` -- carry one, made from
    their 9-digit number's last three digits and their birth date; tests written for cn-cri
    name it with ``resident_id``."""
    if "profile_name" not in request.fixturenames or \
            request.getfixturevalue("profile_name") != "cn-cri":
        return
    for name, module in list(sys.modules.items()):
        if not name.startswith("tests.") or module is None:
            continue
        for attr, value in list(vars(module).items()):
            if (isinstance(value, dict) and {"national_id", "name"} <= value.keys()
                    and str(value["national_id"]).isdigit() and len(value["national_id"]) == 9):
                monkeypatch.setitem(value, "national_id", resident_id(
                    value.get("date_of_birth"), value["national_id"]))
            elif attr == "NID" and isinstance(value, str) and isinstance(
                    vars(module).get("DOB"), str):
                monkeypatch.setattr(module, "NID", resident_id(module.DOB, value))


@pytest.fixture
def bureau(engine: Engine, tmp_path: Path, clock: FixedClock, profile_name: str
           ) -> Iterator[Bureau]:
    """The wired bureau on a connection whose outer transaction is rolled back after the test;
    services' commits become savepoints (warehouse's pattern)."""
    conn = engine.connect()
    outer = conn.begin()
    factory = sessionmaker(bind=conn, join_transaction_mode="create_savepoint",
                           expire_on_commit=False)
    b = bootstrap(make_settings(tmp_path / "var", profile=profile_name), engine=engine,
                  session_factory=factory, clock=clock)
    try:
        yield b
    finally:
        outer.rollback()
        conn.close()


@pytest.fixture
def client(bureau: Bureau):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from openbureau.api import create_app

    with TestClient(create_app(bureau=bureau)) as c:
        yield c


class _Orgs(dict[str, str]):
    """API keys by role; each organisation is created on first use (argon2 is slow on purpose,
    so tests create only the ones they touch)."""

    ROLES = ("furnisher", "member", "court", "operator", "auditor")

    def __init__(self, bureau: Bureau) -> None:
        super().__init__()
        self._bureau = bureau

    def __missing__(self, role: str) -> str:
        from openbureau.services import access

        if role not in self.ROLES:
            raise KeyError(role)
        key = access.create_organisation(self._bureau.uow(), self._bureau.deps,
                                         SYSTEM, f"Test {role}", role).key
        self[role] = key
        return key

    def items(self):  # type: ignore[override]
        return [(role, self[role]) for role in self.ROLES]


@pytest.fixture
def orgs(bureau: Bureau) -> dict[str, str]:
    """One organisation of each role, created on first use; their API keys by role."""
    return _Orgs(bureau)


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
