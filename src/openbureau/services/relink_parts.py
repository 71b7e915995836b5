"""A re-link run's records: a part (one furnisher's share of a file) as the store keeps it --
its identity's ciphertexts -- and back as an identity, and its features as kept in memory
(``services.relink``)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from datetime import date
from typing import Any

from openbureau.adapters import relink_store
from openbureau.domain.record_parts import Address
from openbureau.domain.record_types import SubjectIdentity
from openbureau.identity.features import Features
from openbureau.services.ports import Vault

CT = tuple(f"{k}_ct" for k in relink_store.KINDS)


def identity_of(vault: Vault, row: dict[str, Any]) -> SubjectIdentity:
    """A part's identity from its kept ciphertexts."""
    def value(kind: str) -> dict[str, Any]:
        blob = row.get(f"{kind}_ct")
        return json.loads(vault.decrypt(blob)) if blob is not None else {}

    name, addr = value("name"), value("address")
    dob = value("date_of_birth").get("date_of_birth")
    return SubjectIdentity(
        value("national_id").get("national_id"), name.get("name", ""),
        date.fromisoformat(dob) if dob else None, surname=name.get("surname"),
        first_name=name.get("first_name"), middle_name=name.get("middle_name"),
        generation_code=name.get("generation_code"), phone=value("phone").get("phone"),
        address=Address(line1=addr.get("line1"), postal_code=addr.get("postal_code"))
        if addr else None)


def records_table(rows: Iterable[dict[str, Any]]) -> Any:
    """``records.parquet``'s table from parts (``relink_store.parts``' rows): a record id each,
    in the order given."""
    import pyarrow as pa

    rows = list(rows)
    cols: dict[str, Any] = {
        "rid": pa.array(range(len(rows)), pa.int64()),
        "subject_id": pa.array([r["subject_id"] for r in rows], pa.int64()),
        "furnisher_id": pa.array([r["furnisher_id"] for r in rows], pa.int64()),
        "accounts": pa.array([r.get("accounts", 0) for r in rows], pa.int64())}
    for c in CT:
        cols[c] = pa.array([r.get(c) for r in rows], pa.binary())
    return pa.table(cols)


def encrypted_part(vault: Vault, subject_id: int, furnisher_id: int,
                   who: SubjectIdentity, accounts: int = 1) -> dict[str, Any]:
    """A part as the store keeps it, from an identity (synthetic populations: bench, tests)."""
    def ct(value: dict[str, Any]) -> bytes:
        return vault.encrypt(json.dumps(value, sort_keys=True))

    name = {"name": who.name, **{k: v for k in ("surname", "first_name", "middle_name",
                                                "generation_code")
                                 if (v := getattr(who, k))}}
    out: dict[str, Any] = {"subject_id": subject_id, "furnisher_id": furnisher_id,
                           "accounts": accounts, "name_ct": ct(name)}
    if who.national_id:
        out["national_id_ct"] = ct({"national_id": who.national_id})
    if who.date_of_birth:
        out["date_of_birth_ct"] = ct({"date_of_birth": who.date_of_birth.isoformat()})
    if who.address is not None:
        out["address_ct"] = ct({k: v for k in ("line1", "postal_code")
                                if (v := getattr(who.address, k))})
    if who.phone:
        out["phone_ct"] = ct({"phone": who.phone})
    return out


def interned(f: Features) -> Features:
    """Features with their common strings shared (a population repeats its first names,
    surnames, ZIPs: millions of records, thousands of values)."""
    intern = _intern
    nicks = _NICKS.setdefault(f.first_nicks, f.first_nicks)
    return Features(intern(f.first), nicks, intern(f.middle), intern(f.surname),
                    intern(f.surname_phon), intern(f.gen), f.nid, f.dob, f.addr, intern(f.zip),
                    f.phone)


_NICKS: dict[tuple[str, ...], tuple[str, ...]] = {}


def _intern(value: str | None) -> str | None:
    return sys.intern(value) if value is not None else None
