"""Prometheus text exposition of a few bureau-wide gauges."""

from __future__ import annotations

from sqlalchemy import func, select

from openbureau.adapters.tables import account_months, accounts, furnishing_files, subjects
from openbureau.bootstrap import Bureau


def render(bureau: Bureau) -> str:
    with bureau.uow() as uow:
        n_subjects = uow.execute(select(func.count()).select_from(subjects)).scalar_one()
        n_accounts = uow.execute(select(func.count()).select_from(accounts)).scalar_one()
        n_months = uow.execute(select(func.count()).select_from(account_months)).scalar_one()
        n_files = uow.execute(select(func.count()).select_from(furnishing_files)).scalar_one()
    lines = [
        "# HELP openbureau_subjects Credit files held.",
        "# TYPE openbureau_subjects gauge",
        f"openbureau_subjects {n_subjects}",
        "# HELP openbureau_accounts Tradelines held.",
        "# TYPE openbureau_accounts gauge",
        f"openbureau_accounts {n_accounts}",
        "# HELP openbureau_account_months Monthly account records held.",
        "# TYPE openbureau_account_months gauge",
        f"openbureau_account_months {n_months}",
        "# HELP openbureau_furnishing_files Furnishing files received.",
        "# TYPE openbureau_furnishing_files gauge",
        f"openbureau_furnishing_files {n_files}",
    ]
    return "\n".join(lines) + "\n"
