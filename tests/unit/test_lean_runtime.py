"""The API server installs lean (issue 13): the runtime imports neither ``openbureau.modelling``
nor a library of the ``train`` extra, the CLI reaches modelling only inside its model commands,
and the batch engine scores as the reference does without numba. The import-linter contract in
pyproject.toml says the same of the import graph; these check what it cannot see (where in the
CLI an import sits, what importing the entry points actually loads)."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[2]
MODELLING = ("numba", "scipy", "pandas", "sklearn", "optbinning", "fairlearn", "matplotlib",
             "splink")


def test_the_modelling_libraries_are_an_extra_not_a_dependency():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    base = " ".join(project["dependencies"]).lower()
    train = " ".join(project["optional-dependencies"]["train"]).lower()
    for name in ("numba", "scipy", "pandas", "scikit-learn", "optbinning", "fairlearn"):
        assert name not in base and name in train, name
    assert "openbureau[train]" in project["optional-dependencies"]["dev"]


def test_the_cli_imports_modelling_only_inside_a_model_command():
    tree = ast.parse((ROOT / "src/openbureau/cli.py").read_text(encoding="utf-8"))
    commands = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.ImportFrom) and (inner.module or "").startswith(
                        "openbureau.modelling"):
                    commands.setdefault(node.name, set()).add(inner.module)
        elif isinstance(node, ast.ImportFrom | ast.Import):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
                [a.name for a in node.names]
            assert not any(n.startswith("openbureau.modelling") for n in names), names
    assert set(commands) == {"model_train", "model_evaluate", "model_export_pmml",
                             "model_fairness", "model_lda_search"}, commands


def test_the_entry_points_load_without_the_modelling_libraries():
    """With every library of the ``train`` extra made unimportable, the API, the pages, the CLI
    and the services import, and nothing of openbureau.modelling is loaded."""
    code = f"""
import sys
for name in {MODELLING!r}:
    sys.modules[name] = None          # import fails, as where it is not installed
import openbureau.api, openbureau.web, openbureau.cli, openbureau.bootstrap
import openbureau.services.rescore, openbureau.services.demo, openbureau.services.demo_showcase
import openbureau.services.model_reports, openbureau.services.scoring_hooks
import openbureau.adapters.scoring_engines, openbureau.scoring.simulator
import openbureau.scoring.scored, openbureau.scoring.vectorised
import openbureau.api.app
loaded = [m for m in sys.modules if m.startswith("openbureau.modelling")]
assert not loaded, loaded
"""
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env={"PYTHONPATH": str(ROOT / "src"), "PATH": ""})
    assert r.returncode == 0, r.stderr
