"""Identity observations and blocking keys: what furnished records say about their subjects.

Every accepted record yields *observations* of its subject -- name (with its parts and generation
code), national id, date of birth, address, phone, employer -- kept per (subject, kind, value,
furnisher) with the record that first reported it (file, line) and when it was first and last
seen (the records' as-of dates, and the times they were stored). The value is AES-GCM encrypted
JSON (``vault.encrypt``); ``value_hmac`` is the keyed hash of its normalised form, so the same
value sent again is the same row. A value is encrypted only when it is new to the bureau.

*Blocking keys* are keyed hashes of normalised identity parts (full name + birth date, surname
+ birth date, first name + birth date, the surname as a first name + birth date, first name and
surname in either order + birth date, national id, phone, address line + ZIP), one row per
(key, subject): the candidates identity resolution starts from. Nothing in either table, or in
any index, is plaintext PII.

The store (``bulk_store.store``, both databases) calls
``record_identities`` once per chunk, after the chunk's subjects are known: a fixed number of
statements per chunk whatever its size (one look-up of what is already kept, one insert, one
update; one insert of keys), never one per row -- ``uow.observations``
(``adapters/identity_observations.py``; on PostgreSQL the rows go to staging tables by binary
``COPY`` first and the insert and update read from there).

Where each record goes is decided by ``services.resolution`` (the identity-matching model and
its integrity rules), from the candidates these keys find.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from openbureau.identity.features import name_parts, split_name
from openbureau.services.ports import UnitOfWork, Vault
from openbureau.services.refs import new_ref
from openbureau.services.subjects import normalise_name

KINDS = ("name", "national_id", "date_of_birth", "address", "phone", "employer")
_CACHE_LIMIT = 200_000
_KEYS_LIMIT = 20_000


class Hashes:
    """``vault.lookup_hash`` with a bounded memo (birth dates, employers, a subject's values in
    several records of one file repeat; most names and addresses do not); ``keys``: an
    identity's ``blocking_keys``, memoised the same way (resolution and ``record_identities``
    both need a chunk's)."""

    __slots__ = ("_vault", "_memo", "_keys")

    def __init__(self, vault: Vault) -> None:
        self._vault = vault
        self._memo: dict[str, str] = {}
        self._keys: dict[tuple[Any, str | None], list[str]] = {}

    def keys(self, identity: Any, id_hmac: str | None) -> list[str]:
        """``blocking_keys(self, identity, id_hmac)`` (the list is shared: not to be changed)."""
        found = self._keys.get((identity, id_hmac))
        if found is None:
            if len(self._keys) >= _KEYS_LIMIT:
                self._keys.clear()
            found = self._keys[(identity, id_hmac)] = blocking_keys(self, identity, id_hmac)
        return found

    def __call__(self, text: str) -> str:
        h = self._memo.get(text)
        if h is None:
            if len(self._memo) >= _CACHE_LIMIT:
                self._memo.clear()
            h = self._memo[text] = self._vault.lookup_hash(text)
        return h


def _norm(value: str | None) -> str:
    return normalise_name(value) if value else ""


def _dob(identity: Any) -> str:
    return identity.date_of_birth.isoformat() if identity.date_of_birth else ""


def surname_of(identity: Any) -> str:
    """The surname as sent, else the last word of the full name ("FIRST MIDDLE SURNAME")."""
    surname = getattr(identity, "surname", None)
    if surname:
        return str(surname)
    words = identity.name.split()
    return words[-1] if words else ""


def name_dob_key(hashes: Hashes, identity: Any) -> str:
    """The blocking key of the normalised full name and birth date."""
    return hashes(f"nd|{_norm(identity.name)}|{_dob(identity)}")


def subject_key(hashes: Hashes, identity: Any) -> str:
    """The key a chunk's records are grouped by subject on: the keyed hash of the national id,
    or for a record without one, ``"~"`` + its name + birth date key (never a valid hex hash,
    so the two kinds cannot meet)."""
    nid = identity.national_id
    if nid:
        return hashes(nid)
    return "~" + name_dob_key(hashes, identity)


def record_key(hashes: Hashes, identity: Any) -> str:
    """The key the record store groups a chunk's records by: ``subject_key``, and for a record
    with a national id its name and birth date key after a dot, so two identities sent under
    one number are resolved apart."""
    key = subject_key(hashes, identity)
    return key if key[0] == "~" else f"{key}.{name_dob_key(hashes, identity)}"


def id_hmac_of(key: str) -> str | None:
    """The national id's keyed hash inside a ``subject_key`` or ``record_key`` (None: none)."""
    return None if key[0] == "~" else key.split(".", 1)[0]


HELD = "held for identity review"


def held_message(ref: str, reason: str) -> str:
    return (f"{HELD} ({ref}): {reason}; not refused -- the bureau places it once an operator "
            "has checked it")


def is_held(errors: Iterable[Any]) -> bool:
    """A line's errors say it was held for review (not refused)."""
    return any(e.field == "subject" and e.message.startswith(HELD) for e in errors)


def either_order_key(hashes: Hashes, first: str | None, surname: str | None,
                     dob: date | None) -> str | None:
    """The blocking key of the first name and surname in either order, with the birth date
    ("Berry Daniel" meets "Daniel Berry"): the names as compared (``features.name_parts``),
    sorted. None without both names and a birth date."""
    if not first or not surname or dob is None:
        return None
    a, b = sorted((first, surname))
    return hashes(f"fs|{a}|{b}|{dob.isoformat()}")


def surname_as_first_key(hashes: Hashes, surname: str | None, dob: date | None) -> str | None:
    """The first name + birth date key of the surname (as compared, ``features.name_parts``):
    a name written the other way round meets its file by whichever of its two names is spelt
    right -- "Berry Danial" by "berry" (its first name, the file's surname), "Bery Daniel" by
    "daniel" (its surname, the file's first name) -- where the either-order key needs both.
    None without a surname and a birth date."""
    if not surname or dob is None:
        return None
    return hashes(f"fd|{surname}|{dob.isoformat()}")


def name_keys_added(hashes: Hashes, first: str | None, surname: str | None,
                    dob: date | None) -> list[str]:
    """The name keys files kept before them lack (the either-order key, the surname as a
    first name): what an applied relink run adds to every file, where missing."""
    return [k for k in (either_order_key(hashes, first, surname, dob),
                        surname_as_first_key(hashes, surname, dob)) if k is not None]


def blocking_keys(hashes: Hashes, identity: Any, id_hmac: str | None) -> list[str]:
    """The keys a record's file is kept under and a look-up finds files by: ``[0]`` the full
    name + birth date key, ``[1]`` the national id's (when given), then surname + birth date,
    first name + birth date, the surname as a first name + birth date, first name and surname
    in either order + birth date, phone, address line + ZIP."""
    keys = [name_dob_key(hashes, identity)]
    if id_hmac:
        keys.append(id_hmac)
    dob = _dob(identity)
    if dob:
        keys.append(hashes(f"sd|{_norm(surname_of(identity))}|{dob}"))
        first = split_name(identity.name or "")[0]
        if first:
            keys.append(hashes(f"fd|{first}|{dob}"))
        given, _, surname, _ = name_parts(identity)
        if surname != first:
            swapped = surname_as_first_key(hashes, surname, identity.date_of_birth)
            if swapped is not None:
                keys.append(swapped)
        either = either_order_key(hashes, given, surname, identity.date_of_birth)
        if either is not None:
            keys.append(either)
    phone = getattr(identity, "phone", None)
    if phone:
        keys.append(hashes(f"phone|{phone}"))
    address = getattr(identity, "address", None)
    if address is not None and address.line1 and address.postal_code:
        keys.append(hashes(f"az|{_norm(address.line1)}|{address.postal_code[:5]}"))
    return keys


def _present(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: v for f in fields if (v := getattr(obj, f, None)) not in (None, "")}


_ADDRESS = ("line1", "line2", "city", "state", "postal_code", "country", "indicator",
            "residence")
_ADDRESS_SAME = ("line1", "line2", "city", "state", "postal_code", "country")
_EMPLOYER = ("name", "line1", "line2", "city", "state", "postal_code", "occupation")
_NAME = ("surname", "first_name", "middle_name", "generation_code")


def sightings(hashes: Hashes, identity: Any, id_hmac: str | None) -> list[tuple[str, str, Any]]:
    """(kind, value_hmac, value) of each identity element of a record's subject; the value is
    what is kept (JSON), the hash says when two values are the same."""
    out: list[tuple[str, str, Any]] = []
    name = {"name": identity.name, **_present(identity, _NAME)}
    out.append(("name", hashes(f"name|{_norm(identity.name)}|"
                               f"{name.get('generation_code', '')}"), name))
    if identity.national_id and id_hmac:
        out.append(("national_id", id_hmac, {"national_id": identity.national_id}))
    dob = _dob(identity)
    if dob:
        out.append(("date_of_birth", hashes(f"dob|{dob}"), {"date_of_birth": dob}))
    address = getattr(identity, "address", None)
    if address is not None:
        value = _present(address, _ADDRESS)
        if any(f in value for f in _ADDRESS_SAME):
            same = "|".join(_norm(value.get(f)) for f in _ADDRESS_SAME)
            out.append(("address", hashes(f"addr|{same}"), value))
    phone = getattr(identity, "phone", None)
    if phone:
        out.append(("phone", hashes(f"phone|{phone}"), {"phone": phone}))
    employer = getattr(identity, "employer", None)
    if employer is not None and employer.name:
        value = _present(employer, _EMPLOYER)
        same = "|".join(_norm(value.get(f)) for f in _EMPLOYER)
        out.append(("employer", hashes(f"emp|{same}"), value))
    return out


@dataclass(slots=True)
class _Seen:
    value: Any
    line: int | None
    first_on: date
    last_on: date


def record_identities(uow: UnitOfWork, vault: Vault, hashes: Hashes, dialect: str,
                      furnisher_id: int, file_id: int | None, now: datetime,
                      seen: Iterable[tuple[int, Any, str | None, date, date, int | None]]) -> int:
    """Keep the observations and blocking keys of a chunk's accepted records.

    ``seen``: (subject id, identity, keyed hash of its national id or None, first as-of, last
    as-of, file line) per record -- or per group of a chunk's records carrying one identity
    (the bulk path groups them before building their identities). Returns the number of
    observation rows inserted or moved. The same records again change nothing: a kept value's
    dates only widen (first seen earlier, last seen later).
    """
    obs: dict[tuple[int, str, str], _Seen] = {}
    keys: set[tuple[str, int]] = set()
    # a subject's records in one chunk mostly carry the same identity: hash it once
    done: dict[tuple[int, Any, str | None], list[tuple[str, str, Any]]] = {}
    for sid, identity, id_hmac, first_on, last_on, line in seen:
        found = done.get((sid, identity, id_hmac))
        if found is None:
            found = done[(sid, identity, id_hmac)] = list(sightings(hashes, identity, id_hmac))
            keys.update((k, sid) for k in hashes.keys(identity, id_hmac))
        for kind, h, value in found:
            cur = obs.get((sid, kind, h))
            if cur is None:
                obs[(sid, kind, h)] = _Seen(value, line, first_on, last_on)
            else:         # the chunk's first record of the value is the source
                if first_on < cur.first_on:
                    cur.first_on = first_on
                if last_on > cur.last_on:
                    cur.last_on = last_on
    if not obs and not keys:
        return 0
    kept = uow.observations.kept(furnisher_id, sorted({k[0] for k in obs})) if obs else {}
    new: list[dict[str, Any]] = []
    moved: list[dict[str, Any]] = []
    encrypt = vault.encrypt
    for key, s in obs.items():
        row = kept.get(key)
        if row is None:
            new.append({"subject_id": key[0], "kind": key[1], "value_hmac": key[2],
                        "value_ciphertext": encrypt(json.dumps(s.value, sort_keys=True)),
                        "line": s.line, "first_seen_on": s.first_on, "last_seen_on": s.last_on,
                        "item_ref": new_ref("idn")})
        elif s.first_on < row.first_seen_on or s.last_on > row.last_seen_on:
            moved.append({"b_id": row.id, "b_first": min(s.first_on, row.first_seen_on),
                          "b_last": max(s.last_on, row.last_seen_on)})
    uow.observations.keep(furnisher_id, file_id, now, keys, new, moved)
    return len(new) + len(moved)
