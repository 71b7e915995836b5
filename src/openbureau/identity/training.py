"""Training the matching model with splink 5 on DuckDB (modelling: needs the ``train`` extra).

Unsupervised, as the bureau would train on its own records: the prior from deterministic rules
(same national id and birth date; same full name, birth date and ZIP) at an assumed recall,
u probabilities by random sampling (10 million pairs: the rare levels -- a swapped name, misspelt
or not -- need them, and at 2 million the frequent ones moved by 0.3 from one sample to the
next), m probabilities by expectation maximisation in two passes
blocked on different fields (birth date, then surname + ZIP) so every comparison is estimated
in a pass that does not block on it. Term frequencies of first names and surnames are computed
from the same records and published with the model (``tf.json``: frequencies of names, not of
people). ``write`` puts ``model.json`` (splink's own), ``tf.json``, ``meta.json`` (version and
thresholds) and ``model_card.md`` (every level's m, u and match weight) in a directory.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openbureau.identity.comparisons import COMPARISONS, splink_comparisons
from openbureau.identity.features import Features
from openbureau.identity.model import VERSION, MatchModel, Thresholds

BLOCKING = (("nid",), ("dob",), ("surname", "zip"), ("first", "surname"), ("phone",),
            ("addr", "zip"))
THRESHOLDS = Thresholds(link=12.0, review=6.0)


def frame(rows: Sequence[Features]) -> Any:
    import pandas as pd

    return pd.DataFrame([{"unique_id": i, **f.as_row()} for i, f in enumerate(rows)])


def settings(blocking: Sequence[Sequence[str]] = BLOCKING) -> Any:
    from splink import SettingsCreator, block_on

    comparisons: list[Any] = list(splink_comparisons())
    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=[block_on(*cols) for cols in blocking],
        retain_intermediate_calculation_columns=True,
        additional_columns_to_retain=[],
    )


def train(rows: Sequence[Features], seed: int = 1, max_pairs: float = 1e7) -> dict[str, Any]:
    """splink's model JSON (a dict) trained on these records."""
    from splink import DuckDBAPI, Linker, block_on

    db_api = DuckDBAPI()
    linker = Linker(db_api.register(frame(rows), dataset_display_name="records"), settings(),
                    log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("nid", "dob"), block_on("first", "surname", "dob", "zip")], recall=0.9)
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=seed)
    for rule in (block_on("dob"), block_on("surname", "zip")):
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, record_sample_proportion=1.0)
    return dict(linker.misc.save_model_to_json())


def term_frequencies(rows: Sequence[Features]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for column in ("first", "surname"):
        counts = Counter(v for f in rows if (v := getattr(f, column)))
        total = sum(counts.values()) or 1
        out[column] = {k: round(c / total, 8) for k, c in sorted(counts.items())}
    return out


def write(directory: Path, model: dict[str, Any], tf: dict[str, dict[str, float]],
          thresholds: Thresholds = THRESHOLDS, version: str = VERSION,
          trained_on: str = "") -> MatchModel:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "model.json").write_text(json.dumps(model, indent=2, sort_keys=True) + "\n")
    (directory / "tf.json").write_text(json.dumps(tf, sort_keys=True) + "\n")
    meta = {"version": version, "thresholds": {"link": thresholds.link,
                                                "review": thresholds.review},
            "trained_on": trained_on}
    (directory / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    loaded = MatchModel(model, tf, thresholds, version)
    (directory / "model_card.md").write_text(model_card(loaded, trained_on))
    return loaded


def model_card(model: MatchModel, trained_on: str) -> str:
    p = model.settings["probability_two_random_records_match"]
    lines = [f"# Identity-matching model {model.version}", "",
             "Fellegi-Sunter, trained with splink 5 on DuckDB (`openbureau identity train`).",
             f"Trained on: {trained_on}." if trained_on else "", "",
             f"Prior: probability two random records match {p:.3g} "
             f"(match weight {model.prior:+.2f}).",
             f"Thresholds: link at match weight >= {model.thresholds.link:g}; hold for review "
             f"(or, at a look-up, answer no file) at >= {model.thresholds.review:g}; below, a "
             "new file.", "",
             "| comparison | level | m | u | match weight |", "|---|---|---|---|---|"]
    trained = {c["output_column_name"]: c for c in model.settings["comparisons"]}
    for comparison in COMPARISONS:
        for lv in trained[comparison.name]["comparison_levels"]:
            if lv.get("is_null_level"):
                lines.append(f"| {comparison.name} | {lv['label_for_charts']} | | | 0 |")
                continue
            m, u = lv["m_probability"], lv["u_probability"]
            tf = " (+ name frequency)" if lv.get("tf_adjustment_column") else ""
            lines.append(f"| {comparison.name} | {lv['label_for_charts']}{tf} | {m:.4g} | "
                         f"{u:.4g} | {math.log2(m / u):+.2f} |")
    lines += ["", "Integrity rules no weight overrides are in `docs/identity.md`.", ""]
    return "\n".join(lines)
