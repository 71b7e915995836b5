"""The bureau's Prometheus metrics: counters and gauges updated as events happen.

A scrape reads them from memory and runs no query: counting whole tables at every scrape
(what ``/metrics`` did before) costs a sequential scan of the largest tables per scrape, and
anyone who could reach the endpoint could make the database do it.

Each bureau has its own registry (nothing global at import time; every test gets fresh
counts). Counters are per server process; ``openbureau serve --workers N`` runs the workers in
prometheus-client's multiprocess mode, so a scrape adds up every worker's counts: it sets
``PROMETHEUS_MULTIPROC_DIR`` to an emptied ``<var_dir>/metrics`` unless the operator set it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, generate_latest

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def fresh_multiprocess_dir(var_dir: Path) -> Path:
    """``<var_dir>/metrics``, emptied (the counts of a previous run's workers are not this
    run's): where the workers of a multi-process server keep their counters."""
    where = Path(var_dir) / "metrics"
    shutil.rmtree(where, ignore_errors=True)
    where.mkdir(parents=True, mode=0o700)
    return where


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.furnishing_files = Counter(
            "openbureau_furnishing_files", "Furnishing files received.", registry=r)
        self.furnishing_files_finished = Counter(
            "openbureau_furnishing_files_finished", "Furnishing files ingested, by status.",
            ["status"], registry=r)
        self.account_records = Counter(
            "openbureau_account_records", "Account records furnished (batches and files), by "
            "outcome.", ["outcome"], registry=r)
        self.inquiries = Counter(
            "openbureau_inquiries", "Reports pulled by members.", registry=r)
        self.disputes_opened = Counter(
            "openbureau_disputes_opened", "Disputes opened by consumers.", registry=r)
        self.sign_in_failures = Counter(
            "openbureau_sign_in_failures", "Consumer sign-ins refused (wrong identifier or "
            "password).", registry=r)
        self.rate_limited = Counter(
            "openbureau_rate_limited", "Requests refused by a rate limit or lockout, by kind.",
            ["kind"], registry=r)
        for outcome in ("accepted", "rejected"):
            self.account_records.labels(outcome)
        for status in ("done", "failed"):
            self.furnishing_files_finished.labels(status)

    def render(self) -> bytes:
        """The Prometheus text exposition (every worker's, in multiprocess mode)."""
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            from prometheus_client import multiprocess

            registry = CollectorRegistry()
            # prometheus-client leaves this constructor untyped
            multiprocess.MultiProcessCollector(registry)   # type: ignore[no-untyped-call]
            return generate_latest(registry)
        return generate_latest(self.registry)
