"""What a furnished record changes about the account itself, shared by both stores.

``rekey``: a Metro 2 L1 segment says the account number changed. The base segment carries the
OLD number, the L1 the NEW one; the tradeline (furnisher + old number + subject) is renamed to the
new number, keeping its history and item reference, so it never becomes a second tradeline. When
no tradeline has the old number (already renamed by the same file sent before, or never
reported), nothing is renamed and the record is stored under the new number.

``segment_state``: the account fields the Metro 2 segments set (identification number, K1-K4).
They persist from month to month: a record without the segment keeps what the account has; a K2
"remove" indicator clears the purchase/sale; an L1 new identification number replaces the old.
"""

from __future__ import annotations

import json
from typing import Any

from openbureau.services.ports import UnitOfWork

SEGMENT_FIELDS = ("identification_number", "original_creditor", "creditor_classification",
                  "purchase_indicator", "purchase_name", "mortgage", "specialised_payment")


def effective_ref(rec: Any) -> str:
    """The account number a record is stored under: the L1's new one, if it carries one."""
    change = rec.account_change
    if change is not None and change.new_account_ref:
        return str(change.new_account_ref)
    return str(rec.account_ref)


def renames(rec: Any) -> tuple[str, str] | None:
    """(old, new) account number of a record with an L1 new account number, else None."""
    new = effective_ref(rec)
    return (rec.account_ref, new) if new != rec.account_ref else None


def rekey(uow: UnitOfWork, dialect: str | None, furnisher_id: int,
          wanted: set[tuple[int, str, str]]) -> list[tuple[int, str, str]]:
    """Rename the tradelines (subject id, old ref) to new refs; the renames done.
    (``dialect``: the stores' calls name it; the repository knows its own.)"""
    if not wanted:
        return []
    refs = sorted({r for _, old, new in wanted for r in (old, new)})
    have = uow.accounts.ids_by_ref(furnisher_id, refs)
    done: list[tuple[int, str, str]] = []
    new_refs: dict[int, str] = {}
    taken: set[tuple[str, int]] = set()
    for sid, old, new in sorted(wanted):
        acc_id = have.get((old, sid))
        if acc_id is None or (new, sid) in have or (new, sid) in taken:
            continue        # nothing to rename, or the new number is already a tradeline
        taken.add((new, sid))
        new_refs[acc_id] = new
        done.append((sid, old, new))
    uow.accounts.renumber(new_refs)
    return done


def _dump(obj: Any) -> Any:
    if obj is None:
        return None
    out = {}
    for name in obj.__slots__:
        value = getattr(obj, name)
        out[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return out


def segment_values(rec: Any) -> dict[str, Any]:
    """The segment fields a record sends (None where it sends nothing)."""
    k1, k2 = rec.original_creditor, rec.purchase
    change = rec.account_change
    ident = (change.new_identification_number if change is not None
             and change.new_identification_number else rec.identification_number)
    return {"identification_number": ident,
            "original_creditor": k1.name if k1 is not None else None,
            "creditor_classification": k1.classification if k1 is not None else None,
            "purchase_indicator": k2.indicator if k2 is not None else None,
            "purchase_name": k2.name if k2 is not None else None,
            "mortgage": _dump(rec.mortgage),
            "specialised_payment": _dump(rec.specialised_payment)}


def segment_state(rec: Any, cur: Any) -> dict[str, Any]:
    """The segment fields of an account after its newest record ``rec`` (``cur``: the account
    row before, or None for a new account)."""
    new = segment_values(rec)
    out = {}
    for name in SEGMENT_FIELDS:
        value = new[name]
        out[name] = value if value is not None or cur is None else getattr(cur, name)
    if new["purchase_indicator"] == "remove":
        out["purchase_indicator"] = out["purchase_name"] = None
    return out


def as_text(value: Any) -> str | None:
    """A JSON segment value for the COPY staging line (None stays None)."""
    return None if value is None else json.dumps(value, sort_keys=True)
