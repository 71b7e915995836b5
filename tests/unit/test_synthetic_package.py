"""The synthetic population is its own package and declares what it imports: every third-party
module it imports is a runtime dependency in pyproject.toml (scipy was not)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[2]
PACKAGE = ROOT / "src" / "openbureau" / "synthetic"


def _imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def test_synthetic_declares_its_imports():
    declared = {re.split(r"[\[<>=;! ]", d, maxsplit=1)[0].lower().replace("-", "_")
                for d in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
                ["dependencies"]}
    imported = set().union(*(_imported(p) for p in PACKAGE.glob("*.py")))
    third_party = imported - set(sys.stdlib_module_names) - {"openbureau"}
    assert third_party and third_party <= declared, third_party - declared


def test_services_hold_no_population():
    assert not (ROOT / "src" / "openbureau" / "services" / "population.py").exists()
    assert _imported(PACKAGE / "population.py") & {"sqlalchemy", "psycopg"} == set()
