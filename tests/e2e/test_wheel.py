"""The package as a user installs it: a wheel built from the tree, installed into a fresh
virtualenv, serves the model card and the fairness report published with the model.

Only ``pyproject.toml``, ``README.md`` and ``src/`` are copied to where the wheel is built, and the
server runs from the new virtualenv with no ``PYTHONPATH``: what it serves comes from the
installed package. The dependencies are not installed again: a ``.pth`` file puts this
interpreter's site-packages after the new virtualenv's own (a ``.pth`` file there, such as an
editable install's, is not processed, so the checkout stays out of reach).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import httpx
import pytest

from tests.conftest import TEST_KEYS
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


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The virtualenv's bin folder, with openbureau installed from a freshly built wheel."""
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
    venv = tmp / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    _run(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps",
         "--no-index", "--ignore-installed", wheel)
    site = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
                .strip())
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "_deps.pth").write_text("\n".join(sorted(deps)) + "\n")
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
