"""The database side of a batch re-link (``services.relink``): what it reads -- each file's
identity as each furnisher reported it, still encrypted -- and what it writes when a run is
applied -- records moved between files, files merged, lineage, blocking keys.

A *part* is one furnisher's share of one file: its accounts, and its newest reported value of
each identity kind (as ``services.export.reported_identities`` reads a furnisher's identity of
a subject). A file opened without any observation (before they were kept, or by a consumer or
a court) is one part of furnisher 0, its identity from the ``subjects`` row.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, delete, exists, func, insert, select, update
from sqlalchemy.sql import Select

from openbureau.adapters.repository import Repository
from openbureau.adapters.tables import (
    accounts,
    file_lineage,
    identity_blocks,
    identity_cannot_link,
    identity_keys,
    identity_observations,
    metadata,
    subjects,
)

if TYPE_CHECKING:
    from openbureau.services.ports import Vault

KINDS = ("name", "national_id", "date_of_birth", "address", "phone")
LEGACY = 0            # the furnisher id of a file's part read from its subjects row
_SPECIAL = {"accounts", "identity_observations", "identity_keys", "file_lineage",
            "identity_cannot_link", "consumer_logins"}


def parts(execute: Callable[..., Any], vault: Vault, batch: int = 20000
          ) -> Iterator[dict[str, Any]]:
    """Every part of every person's file that is not merged into another, in (file,
    furnisher) order: ``subject_id``, ``furnisher_id``, ``accounts`` (how many) and per kind
    the newest observation's ciphertext (``<kind>_ct``) -- decrypted by nobody here."""
    s, o, a = subjects.c, identity_observations.c, accounts.c
    live = and_(s.merged_into_id.is_(None), s.kind == "person")
    after = 0
    while True:
        ids = list(execute(select(s.id).where(live, s.id > after).order_by(s.id)
                           .limit(batch)).scalars())
        if not ids:
            return
        lo, hi = ids[0], ids[-1]
        counts = {(r.subject_id, r.furnisher_id): int(r.n) for r in execute(
            select(a.subject_id, a.furnisher_id, func.count().label("n"))
            .where(a.subject_id.between(lo, hi)).group_by(a.subject_id, a.furnisher_id))}
        newest: dict[tuple[int, int], dict[str, bytes]] = {}
        for r in execute(select(o.subject_id, o.furnisher_id, o.kind, o.value_ciphertext)
                         .where(o.subject_id.between(lo, hi), o.kind.in_(KINDS))
                         .order_by(o.subject_id, o.furnisher_id, o.kind, o.last_seen_on,
                                   o.last_at, o.id)):
            newest.setdefault((r.subject_id, r.furnisher_id), {})[f"{r.kind}_ct"] = \
                r.value_ciphertext                      # the last one wins
        wanted = set(ids)
        seen = {sid for sid, _ in newest}
        legacy = sorted(wanted - seen)
        if legacy:
            for r in execute(select(s.id, s.name, s.date_of_birth, s.id_ciphertext)
                             .where(s.id.in_(legacy))):
                cts = {"name_ct": vault.encrypt(json.dumps({"name": r.name or ""}))}
                if r.date_of_birth is not None:
                    cts["date_of_birth_ct"] = vault.encrypt(json.dumps(
                        {"date_of_birth": r.date_of_birth.isoformat()}))
                if r.id_ciphertext is not None:
                    cts["national_id_ct"] = vault.encrypt(json.dumps(
                        {"national_id": vault.decrypt(r.id_ciphertext)}))
                newest[(r.id, LEGACY)] = cts
        for key in sorted(k for k in newest if k[0] in wanted):
            yield {"subject_id": key[0], "furnisher_id": key[1],
                   "accounts": counts.get(key, 0),
                   **{f"{k}_ct": newest[key].get(f"{k}_ct") for k in KINDS}}
        after = hi


def cannot_links(execute: Callable[..., Any], vault: Vault
                 ) -> tuple[list[tuple[int, int, int]], list[tuple[int, int]]]:
    """What must stay apart: (file, furnisher, file barred) for each account a consumer said is
    not theirs -- the part now holding that account may not join the barred file -- and for
    each account blocked after an identity-theft report, wherever it is now, the file it is
    blocked on (``identity_blocks``: never moved back there); and pairs of files kept apart."""
    c, b = identity_cannot_link.c, identity_blocks.c
    rows = list(execute(select(c.subject_id, c.furnisher_id, c.account_ref_hmac,
                               c.other_subject_id)))
    apart = sorted({(r.subject_id, r.other_subject_id) for r in rows
                    if r.other_subject_id is not None})
    wanted = {(r.furnisher_id, r.account_ref_hmac, r.subject_id) for r in rows
              if r.account_ref_hmac is not None and r.furnisher_id}
    blocks = {(r.furnisher_id, r.account_ref_hmac, r.subject_id)
              for r in execute(select(b.furnisher_id, b.account_ref_hmac, b.subject_id))}
    barred = {(sid, fid, target) for sid, fid, target in _holders(execute, vault, wanted)}
    # a blocked account stays, suppressed, on the file it is blocked on: only its copies
    # elsewhere are barred from that file
    barred |= {(sid, fid, target) for sid, fid, target in _holders(execute, vault, blocks)
               if sid != target}
    return sorted(barred), apart


def _holders(execute: Callable[..., Any], vault: Vault,
             wanted: Iterable[tuple[int, str, int]]) -> Iterator[tuple[int, int, int]]:
    """(file holding the account, furnisher, file named) for each (furnisher, keyed hash of
    an account number, file named)."""
    by_furnisher: dict[int, dict[str, set[int]]] = {}
    for fid, h, target in wanted:
        by_furnisher.setdefault(fid, {}).setdefault(h, set()).add(target)
    for furnisher in sorted(by_furnisher):
        named = by_furnisher[furnisher]
        for acc in execute(select(accounts.c.subject_id, accounts.c.account_ref)
                           .where(accounts.c.furnisher_id == furnisher)):
            for target in named.get(vault.keyed_hash("account_ref", acc.account_ref), ()):
                yield int(acc.subject_id), furnisher, target


def refs(execute: Callable[..., Any], ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted(set(ids))
    out: dict[int, str] = {}
    for i in range(0, len(wanted), 5000):
        out.update({r.id: r.item_ref for r in execute(
            select(subjects.c.id, subjects.c.item_ref)
            .where(subjects.c.id.in_(wanted[i:i + 5000])))})
    return out


def live(execute: Callable[..., Any], ids: Iterable[int]) -> set[int]:
    """Which of the files exist and are not merged into another."""
    wanted = sorted(set(ids))
    out: set[int] = set()
    for i in range(0, len(wanted), 5000):
        out |= set(execute(select(subjects.c.id).where(
            subjects.c.id.in_(wanted[i:i + 5000]),
            subjects.c.merged_into_id.is_(None))).scalars())
    return out


# -- applying ------------------------------------------------------------------------------------

def _of(table: Any, sid: int, furnishers: Iterable[int] | None) -> Any:
    cond = table.c.subject_id == sid
    if furnishers is not None:
        cond = and_(cond, table.c.furnisher_id.in_(sorted(set(furnishers))))
    return cond


def move_part(execute: Callable[..., Any], from_id: int, to_id: int,
              furnishers: Iterable[int] | None, link: Mapping[str, Any]) -> int:
    """Move the accounts and observations of ``furnishers``' parts (None: all) from one file
    to another; the number of accounts moved. A value the target already holds from the same
    furnisher is kept once (the target's); an account number the target already holds from
    the same furnisher stays where it is (the run's summary counts it)."""
    a, o = accounts, identity_observations
    ta, to = a.alias("ta"), o.alias("to_")
    moved = execute(update(a).where(
        _of(a, from_id, furnishers),
        ~exists(select(ta.c.id).where(ta.c.subject_id == to_id,
                                      ta.c.furnisher_id == a.c.furnisher_id,
                                      ta.c.account_ref == a.c.account_ref)))
        .values(subject_id=to_id, link=dict(link))).rowcount
    execute(delete(o).where(
        _of(o, from_id, furnishers),
        exists(select(to.c.id).where(to.c.subject_id == to_id, to.c.kind == o.c.kind,
                                     to.c.value_hmac == o.c.value_hmac,
                                     to.c.furnisher_id == o.c.furnisher_id))))
    execute(update(o).where(_of(o, from_id, furnishers)).values(subject_id=to_id))
    return int(moved or 0)


def merge_rest(execute: Callable[..., Any], from_id: int, to_id: int) -> None:
    """Everything else of a merged file follows it to the survivor -- inquiries, disputes,
    public records, consents, freezes, alerts, notices, scores, statements, sessions -- and the
    file answers for the survivor from now on (``merged_into_id``; files merged into it
    earlier too)."""
    for table in metadata.sorted_tables:
        if "subject_id" in table.c and table.name not in _SPECIAL:
            execute(update(table).where(table.c.subject_id == from_id)
                    .values(subject_id=to_id))
    login = accounts.metadata.tables["consumer_logins"]
    if execute(select(login.c.subject_id).where(login.c.subject_id == to_id)).first() is None:
        execute(update(login).where(login.c.subject_id == from_id).values(subject_id=to_id))
    c = identity_cannot_link.c
    execute(update(identity_cannot_link).where(c.subject_id == from_id).values(subject_id=to_id))
    execute(update(identity_cannot_link).where(c.other_subject_id == from_id)
            .values(other_subject_id=to_id))
    # the national id the merged file was found by goes with its records: to the survivor when
    # it has none (one file per id), else nowhere (the id's observations moved with them)
    s = subjects.c
    own = execute(select(s.id_hmac, s.id_ciphertext, s.id_suffix).where(s.id == from_id)).first()
    if own is not None and own.id_hmac is not None:
        execute(update(subjects).where(s.id == from_id).values(id_hmac=None))
        if execute(select(s.id_hmac).where(s.id == to_id)).scalar() is None:
            execute(update(subjects).where(s.id == to_id).values(
                id_hmac=own.id_hmac, id_ciphertext=own.id_ciphertext, id_suffix=own.id_suffix))
    execute(update(subjects).where(subjects.c.merged_into_id == from_id)
            .values(merged_into_id=to_id))
    execute(update(subjects).where(subjects.c.id == from_id).values(merged_into_id=to_id))


def lineage(execute: Callable[..., Any], rows: list[dict[str, Any]]) -> None:
    if rows:
        execute(insert(file_lineage), rows)


def replace_keys(execute: Callable[..., Any], subject_ids: Iterable[int],
                 keys: Iterable[tuple[str, int]]) -> None:
    """The files' blocking keys, rebuilt from the parts they now hold."""
    ids = sorted(set(subject_ids))
    for i in range(0, len(ids), 5000):
        execute(delete(identity_keys).where(identity_keys.c.subject_id.in_(ids[i:i + 5000])))
    rows = [{"key_hmac": k, "subject_id": sid} for k, sid in sorted(set(keys))]
    if rows:
        execute(insert(identity_keys), rows)


def add_keys(execute: Callable[..., Any], keys: Iterable[tuple[str, int]]) -> int:
    """Add the blocking keys (key, file) not kept yet; how many were added."""
    wanted = sorted(set(keys))
    added = 0
    k = identity_keys.c
    for i in range(0, len(wanted), 5000):
        chunk = wanted[i:i + 5000]
        kept = {(r.key_hmac, r.subject_id) for r in execute(
            select(k.key_hmac, k.subject_id).where(k.key_hmac.in_(sorted({h for h, _ in chunk}))))}
        rows = [{"key_hmac": h, "subject_id": sid} for h, sid in chunk if (h, sid) not in kept]
        if rows:
            execute(insert(identity_keys), rows)
            added += len(rows)
    return added


def survivor(execute: Callable[..., Any], subject_id: int) -> int:
    """The file a merged file's records went to (itself, if it was not merged)."""
    seen = {subject_id}
    while True:
        nxt = execute(select(subjects.c.merged_into_id)
                      .where(subjects.c.id == subject_id)).scalar()
        if nxt is None or nxt in seen:
            return subject_id
        seen.add(nxt)
        subject_id = int(nxt)


def by_ref(ref: str) -> Select[Any]:
    """The query for the file a public ref answers for: its own, or the file it was merged
    into."""
    s = subjects.c
    return select(func.coalesce(s.merged_into_id, s.id)).where(s.item_ref == ref)


class SqlRelinking(Repository):
    """``ports.Relinking``: this module's functions on the unit's connection."""

    def parts(self, vault: Vault) -> Iterator[dict[str, Any]]:
        return parts(self._run, vault)

    def cannot_links(self, vault: Vault
                     ) -> tuple[list[tuple[int, int, int]], list[tuple[int, int]]]:
        return cannot_links(self._run, vault)

    def refs(self, subject_ids: Iterable[int]) -> dict[int, str]:
        return refs(self._run, subject_ids)

    def live(self, subject_ids: Iterable[int]) -> set[int]:
        return live(self._run, subject_ids)

    def move_part(self, from_id: int, to_id: int, furnishers: Iterable[int] | None,
                  link: Mapping[str, Any]) -> int:
        return move_part(self._run, from_id, to_id, furnishers, link)

    def merge_rest(self, from_id: int, to_id: int) -> None:
        merge_rest(self._run, from_id, to_id)

    def lineage(self, rows: list[dict[str, Any]]) -> None:
        lineage(self._run, rows)

    def replace_keys(self, subject_ids: Iterable[int], keys: Iterable[tuple[str, int]]) -> None:
        replace_keys(self._run, subject_ids, keys)

    def add_keys(self, keys: Iterable[tuple[str, int]]) -> int:
        return add_keys(self._run, keys)
