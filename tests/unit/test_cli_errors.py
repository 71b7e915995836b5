"""The command line's one handler: what a command refuses is one line on stderr and exit 2,
whichever command it comes from; an ImportError that is not a missing ``train`` extra is a bug
and is not dressed up as one."""

from __future__ import annotations

import types
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from openbureau import cli
from openbureau.adapters.audit_checkpoints import CheckpointFileError
from openbureau.domain.errors import NotFound


def _missing(library: str) -> types.ModuleType:
    """A module whose names fail to import as when ``library`` is not installed."""
    module = types.ModuleType("stand-in")

    def __getattr__(name: str) -> object:
        raise ImportError(f"No module named {library!r}", name=library)

    module.__getattr__ = __getattr__  # type: ignore[method-assign]
    return module


def _train(tmp_path: Path) -> object:
    data = tmp_path / "gmsc.csv"
    data.write_text("SeriousDlqin2yrs\n0\n")
    return CliRunner().invoke(cli.app, ["model", "train", "--data", str(data),
                                        "--out", str(tmp_path / "models")])


def test_a_missing_train_extra_is_one_line_naming_the_library(tmp_path, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "openbureau.modelling.training",
                        _missing("optbinning"))
    result = _train(tmp_path)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines == ["error: training needs the [train] extra (pip install "
                     "'openbureau[train]'): optbinning"]


def test_an_import_error_of_our_own_code_is_not_reported_as_a_missing_extra(tmp_path,
                                                                             monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "openbureau.modelling.training",
                        _missing("openbureau.modelling.pairs"))
    result = _train(tmp_path)
    assert isinstance(result.exception, ImportError)
    assert "[train] extra" not in result.stderr


def test_each_refusal_is_one_line_on_stderr_with_exit_2():
    app = typer.Typer(cls=cli._Commands)

    @app.command("refused")
    def refused() -> None:
        raise NotFound("no such organisation")

    @app.command("checkpoint")
    def checkpoint() -> None:
        raise CheckpointFileError("no checkpoint file at var/x.jsonl")

    @app.command("bug")
    def bug() -> None:
        raise KeyError("a bug, not a refusal")

    for command, message in (("refused", "no such organisation"),
                             ("checkpoint", "no checkpoint file at var/x.jsonl")):
        result = CliRunner().invoke(app, [command])
        assert result.exit_code == 2, result.output
        assert result.stderr.strip().splitlines() == [f"error: {message}"]
    result = CliRunner().invoke(app, ["bug"])
    assert isinstance(result.exception, KeyError)


@pytest.mark.parametrize("command", ["model_train", "identity_train", "model_evaluate",
                                     "model_fairness", "model_lda_search"])
def test_the_modelling_commands_say_which_extra_they_need(command):
    # one decorator, not a try/except per command
    assert getattr(cli, command).__wrapped__ is not None
