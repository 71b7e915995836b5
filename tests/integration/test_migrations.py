"""The migrations against the tables the code declares (SQLite and PostgreSQL): at head they
match ``adapters/tables.py`` (``alembic check``), and every one of them can be undone and
redone: upgrade, downgrade to base (nothing of the schema left), upgrade again, still matching."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from alembic import command
from sqlalchemy import Engine, inspect, text

from openbureau.adapters.database import alembic_config


def alembic(engine: Engine, run: Callable[..., Any], *args: str) -> None:
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        run(cfg, *args)


def leftovers(engine: Engine) -> list[str]:
    """What of the schema is still there, besides Alembic's own version table."""
    with engine.connect() as conn:
        found = [f"table {t}" for t in inspect(conn).get_table_names() if t != "alembic_version"]
        if engine.dialect.name == "postgresql":
            found += [f"{kind} {name}" for kind, name in conn.execute(text(
                "SELECT 'type', t.typname FROM pg_type t JOIN pg_namespace n "
                "ON n.oid = t.typnamespace WHERE n.nspname = 'public' "
                "AND t.typtype IN ('e', 'd') "
                "UNION ALL SELECT 'function', p.proname FROM pg_proc p JOIN pg_namespace n "
                "ON n.oid = p.pronamespace WHERE n.nspname = 'public' "
                "UNION ALL SELECT 'sequence', c.relname FROM pg_class c JOIN pg_namespace n "
                "ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'S'"))]
    return found


def test_migrations_match_the_tables(empty_engine):
    alembic(empty_engine, command.upgrade, "head")
    alembic(empty_engine, command.check)      # raises when autogenerate would write anything


def test_upgrade_downgrade_upgrade(empty_engine):
    alembic(empty_engine, command.upgrade, "head")
    assert leftovers(empty_engine)
    alembic(empty_engine, command.downgrade, "base")
    assert leftovers(empty_engine) == []
    alembic(empty_engine, command.upgrade, "head")
    alembic(empty_engine, command.check)
