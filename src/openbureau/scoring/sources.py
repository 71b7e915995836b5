"""What scoring reads, and for whom: the operational tables' columns as plain data, the subject
set to score, and the SQL dialects the scorecard is compiled for.

The SQL itself (SQLAlchemy Core, transpiled by sqlglot for DuckDB and Spark) is an adapter's:
:mod:`openbureau.adapters.scoring_sql` builds it from these names, and
:mod:`openbureau.adapters.scoring_engines` runs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

DISPUTE_COMPLIANCE_CODES = ("XB", "XC", "XF", "XG", "XH")

DIALECTS = ("sqlite", "postgresql", "duckdb", "spark")

ColumnKind = Literal["bigint", "string", "date", "timestamp"]

# The operational tables, as far as scoring reads them (snapshots carry exactly these columns).
SOURCE_COLUMNS: dict[str, tuple[tuple[str, ColumnKind], ...]] = {
    "subjects": (("id", "bigint"),),
    "accounts": (
        ("id", "bigint"), ("subject_id", "bigint"), ("item_ref", "string"), ("kind", "string"),
        ("opened_on", "date"), ("closed_on", "date"), ("credit_limit", "bigint"),
        ("compliance_code", "string"), ("deleted_at", "timestamp"),
        ("suppressed_at", "timestamp"), ("currency", "string")),
    "account_months": (
        ("account_id", "bigint"), ("as_of", "date"), ("status", "string"),
        ("balance", "bigint"), ("amount_past_due", "bigint"), ("credit_limit", "bigint"),
        ("scheduled_payment", "bigint"), ("monthly_income", "bigint"),
        ("consent_ref", "string")),
    "inquiries": (
        ("subject_id", "bigint"), ("kind", "string"), ("purpose", "string"),
        ("created_at", "timestamp"), ("purged_at", "timestamp")),
    "public_records": (
        ("subject_id", "bigint"), ("item_ref", "string"), ("status", "string"),
        ("until", "date"), ("lifted_at", "timestamp")),
    "disputes": (
        ("subject_id", "bigint"), ("item_kind", "string"), ("item_ref", "string"),
        ("status", "string")),
}


@dataclass(frozen=True)
class Subjects:
    """Which subjects to score: explicit ids, an id range ``(after, upto]``, or everyone."""

    ids: tuple[int, ...] | None = None
    after: int | None = None
    upto: int | None = None

    @property
    def shape(self) -> tuple[bool, bool, bool]:
        return (self.ids is not None, self.after is not None, self.upto is not None)

    def params(self) -> dict[str, Any]:
        """The values of the named parameters (``subject_ids``, ``after``, ``upto``) of a
        statement compiled for this :attr:`shape`, so one statement serves every such set."""
        out: dict[str, Any] = {}
        if self.ids is not None:
            out["subject_ids"] = sorted(self.ids)
        if self.after is not None:
            out["after"] = self.after
        if self.upto is not None:
            out["upto"] = self.upto
        return out


EVERYONE = Subjects()


def arrow_type(kind: ColumnKind) -> Any:
    """The Arrow type of a :data:`SOURCE_COLUMNS` column (timestamps naive UTC)."""
    import pyarrow as pa

    types = {"bigint": pa.int64(), "string": pa.string(), "date": pa.date32(),
             "timestamp": pa.timestamp("us")}
    if kind not in types:
        raise TypeError(kind)
    return types[kind]


def naive(value: Any) -> Any:
    """An aware datetime as naive UTC (how snapshots store times); anything else unchanged."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value
