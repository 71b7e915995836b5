"""The package as a user installs it: a wheel built from the tree, installed into a fresh
virtualenv with its base dependencies only (no extra), serves the model card and the fairness
report published with the model, and scores a file; the modelling libraries are not there.

Only ``pyproject.toml``, ``README.md`` and ``src/`` are copied to where the wheel is built, and the
server runs from the new virtualenv with no ``PYTHONPATH``: what it serves comes from the
installed package. The dependencies are not downloaded again: the wheel's own ``Requires-Dist``
(no extra) is resolved, dependencies of dependencies included, against the distributions this
interpreter has installed, and only those distributions' files are linked into a folder that a
``.pth`` file puts after the new virtualenv's site-packages. So numba, SciPy, pandas and the rest
of the ``train`` extra, installed here for the other tests, are out of the new virtualenv's
reach, as is the checkout (a ``.pth`` file in that folder, such as an editable install's, is not
processed).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import httpx
import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import TEST_KEYS, auth
from tests.e2e.server import Server, create_org

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
# the newest shipped model: the one a fresh database activates
PUBLISHED = sorted((REPO / "src" / "openbureau" / "scoring" / "models").glob("*.json"))[-1] \
    .with_suffix("")


def _clean_env() -> dict[str, str]:
    """This environment less PYTHONPATH (a test run may point it at the checkout) and the
    bureau's own settings."""
    return {k: v for k, v in os.environ.items()
            if not k.startswith("OPENBUREAU_") and k != "PYTHONPATH"}


def _run(*args: str | Path, cwd: Path | None = None) -> str:
    r = subprocess.run([str(a) for a in args], cwd=cwd, env=_clean_env(), capture_output=True,
                       text=True, timeout=600)
    assert r.returncode == 0, f"{args} exited {r.returncode}:\n{r.stdout}\n{r.stderr}"
    return r.stdout


#: the `train` extra's libraries (pyproject.toml): none may be reachable from the lean install
MODELLING = ("numba", "scipy", "pandas", "sklearn", "optbinning", "fairlearn", "matplotlib",
             "splink")


def _closure(requires: list[str]) -> list[metadata.Distribution]:
    """The installed distributions that ``requires`` (Requires-Dist lines, no extra) needs,
    their own dependencies included, each with the extras asked of it."""
    found: dict[str, metadata.Distribution] = {}
    todo = [(Requirement(line), "") for line in requires]
    asked: set[tuple[str, str]] = set()
    while todo:
        req, extra = todo.pop()
        if req.marker is not None and not req.marker.evaluate({**default_environment(),
                                                               "extra": extra}):
            continue
        name = canonicalize_name(req.name)
        for wanted in ("", *sorted(req.extras)):
            if (name, wanted) in asked:
                continue
            asked.add((name, wanted))
            try:
                dist = found.setdefault(name, metadata.distribution(name))
            except metadata.PackageNotFoundError:
                pytest.fail(f"{req} (needed by the wheel) is not installed here")
            todo += [(Requirement(line), wanted) for line in dist.requires or []]
    return list(found.values())


def _link(dists: list[metadata.Distribution], into: Path) -> None:
    """Every top-level file and folder of ``dists`` (from their RECORD) linked into ``into``."""
    into.mkdir()
    for dist in dists:
        site = Path(str(dist.locate_file("")))
        tops = {f.parts[0] for f in dist.files or [] if f.parts and f.parts[0] != ".."}
        for top in tops:
            if (site / top).exists() and not (into / top).exists():
                (into / top).symlink_to(site / top)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The virtualenv's bin folder, with openbureau installed from a freshly built wheel and
    only the wheel's base dependencies reachable."""
    tmp = tmp_path_factory.mktemp("wheel")
    tree = tmp / "tree"
    tree.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, tree / name)
    shutil.copytree(REPO / "src", tree / "src",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    wheels = tmp / "wheels"
    # no build isolation: setuptools and wheel from this environment, nothing downloaded
    _run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "-w", wheels, tree)
    (wheel,) = wheels.glob("openbureau-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        meta = zf.read(next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA")))
    requires = [line.split(":", 1)[1].strip() for line in meta.decode().splitlines()
                if line.startswith("Requires-Dist:")]
    venv = tmp / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    _run(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps",
         "--no-index", "--ignore-installed", wheel)
    site = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
                .strip())
    _link(_closure(requires), tmp / "deps")
    (site / "_deps.pth").write_text(f"{tmp / 'deps'}\n")
    return venv / "bin"


def _env(tmp_path: Path) -> dict[str, str]:
    return {**_clean_env(), "OPENBUREAU_DATABASE_URL": f"sqlite:///{tmp_path / 'openbureau.db'}",
            "OPENBUREAU_VAR_DIR": str(tmp_path / "var"), "OPENBUREAU_ENVIRONMENT": "test",
            "OPENBUREAU_PII_KEY": TEST_KEYS["pii_key"],
            "OPENBUREAU_HMAC_KEY": TEST_KEYS["hmac_key"],
            "OPENBUREAU_AUDIT_KEY": TEST_KEYS["audit_key"], "OPENBUREAU_LOG_LEVEL": "WARNING"}


def test_the_installed_wheel_serves_the_model_card_and_fairness_report(installed, tmp_path):
    env = _env(tmp_path)
    where = subprocess.run([installed / "python", "-c", "import openbureau; "
                            "print(openbureau.__file__)"], env=env, cwd=tmp_path,
                           capture_output=True, text=True, check=True).stdout.strip()
    assert Path(where).is_relative_to(installed.parent), where
    program = str(installed / "openbureau")
    subprocess.run([program, "db", "upgrade"], env=env, cwd=tmp_path, capture_output=True,
                   check=True)
    key = create_org(env, "auditor", "Regulator", program=program)

    with Server(env, tmp_path / "server.log", program=program) as srv, \
            httpx.Client(base_url=srv.url, timeout=30) as http:
        r = http.get("/v1/admin/fairness", headers={"Authorization": f"Bearer {key}"})
        assert r.status_code == 200, r.text
        assert r.json() == json.loads((PUBLISHED / "fairness.json").read_text())

        page = http.get("/signin?as=organisation", headers={"Accept": "text/html"})
        csrf = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
        assert csrf is not None
        r = http.post("/signin/organisation", data={"api_key": key, "csrf_token": csrf[1]},
                      headers={"Accept": "text/html"})
        assert r.status_code == 303, r.text
        card = http.get("/admin/model", headers={"Accept": "text/html"})
        assert card.status_code == 200
        assert f"Model card: scorecard <code>{PUBLISHED.name}</code>" in card.text
        plots = re.findall(r'src="(/admin/model-card/[a-z0-9-]+\.png)"', card.text)
        assert len(plots) == 3
        for src in plots:
            png = http.get(src)
            assert png.status_code == 200 and png.headers["content-type"] == "image/png"
            assert png.content == (PUBLISHED / "model-card" / src.rsplit("/", 1)[1]).read_bytes()
        fairness = http.get("/admin/fairness", headers={"Accept": "text/html"})
        assert fairness.status_code == 200
        assert "Where the gap in mean raw score comes from" in fairness.text
        # the API documentation's own files are in the wheel, Swagger UI's in its dependency
        for asset in ("/docs/assets/init.js", "/docs/assets/swagger-ui-bundle.js",
                      "/favicon.ico"):
            got = http.get(asset)
            assert got.status_code == 200 and got.content, asset


def test_the_installed_wheel_is_lean(installed, tmp_path):
    """No library of the `train` extra is reachable; the runtime's batch engine scores with
    NumPy as the reference does, and a model command says which extra it needs."""
    env = _env(tmp_path)
    for name in MODELLING:
        r = subprocess.run([installed / "python", "-c", f"import {name}"], env=env,
                           cwd=tmp_path, capture_output=True, text=True)
        assert r.returncode != 0 and "ModuleNotFoundError" in r.stderr, (name, r.stderr)
    agree = subprocess.run([installed / "python", "-c", f"""
from importlib import resources
import numpy as np
from openbureau.scoring.reference import score_attributes
from openbureau.scoring.spec import load_spec
from openbureau.scoring.vectorised import VectorCard
card = load_spec(str(resources.files("openbureau.scoring") / "models" / "{PUBLISHED.name}.json"))
rows = [{{"revolving_utilization": u, "dpd_30_59_24m": d, "open_trades": o}}
        for u in (0.0, 0.3, 0.95, None) for d in (0, 1, 4) for o in (0, 3, 12)]
engine = VectorCard(card)
cols = {{k: np.array([np.nan if r[k] is None else r[k] for r in rows]) for k in rows[0]}}
got = engine.score(cols, len(rows)).tolist()
assert engine.engine == "numpy", engine.engine
assert got == [score_attributes(card, r).value for r in rows], got
print(len(got))
"""], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert agree.returncode == 0 and agree.stdout.strip() == "36", agree.stderr
    data = tmp_path / "gmsc.csv"
    data.write_text("x\n")
    train = subprocess.run([installed / "openbureau", "model", "train", "--data", data],
                           env=env, cwd=tmp_path, capture_output=True, text=True)
    assert train.returncode != 0
    assert "training needs the [train] extra" in " ".join(train.stderr.split()), train.stderr


def test_the_installed_wheel_scores_a_file(installed, tmp_path):
    """A furnisher reports accounts, a member pulls the file and gets a score with its reasons,
    and the batch rescoring scores it again: all from the lean install."""
    env = _env(tmp_path)
    program = str(installed / "openbureau")
    subprocess.run([program, "db", "upgrade"], env=env, cwd=tmp_path, capture_output=True,
                   check=True)
    furnisher = create_org(env, "furnisher", "First Bank", program=program)
    member = create_org(env, "member", "A Lender", program=program)
    subject = {"national_id": "900100200", "name": "Ada Example", "date_of_birth": "1985-12-10"}
    records = [{"subject": subject, "account_ref": "LOAN-7", "as_of": as_of,
                "kind": "installment", "opened_on": "2020-01-15", "balance": 150000,
                "amount_past_due": 20000 if late else 0, "status": "dpd30" if late else "current",
                "date_of_first_delinquency": "2026-09-30" if late else None,
                "ecoa": "individual", "currency": "USD", "original_amount": 1000000,
                "scheduled_payment": 30000}
               for as_of, late in (("2026-08-31", False), ("2026-09-30", True),
                                   ("2026-10-31", False))]

    with Server(env, tmp_path / "server.log", program=program) as srv, \
            httpx.Client(base_url=srv.url, timeout=30) as http:
        r = http.post("/v1/furnisher/accounts:batch", headers=auth(furnisher),
                      json={"records": records})
        assert r.status_code == 200 and r.json()["accepted"] == 3, r.text
        r = http.post("/v1/member/inquiries", headers=auth(member),
                      json={"subject": subject, "purpose": "credit_application"})
        assert r.status_code == 201, r.text
        score = r.json()["score"]
        assert 350 <= score["value"] <= 950 and score["reasons"], score
    job = json.loads(subprocess.run([program, "rescore"], env=env, cwd=tmp_path,
                                    capture_output=True, text=True, check=True).stdout)
    assert job["status"] == "done" and job["total"] == 1, job
