"""Identity resolution online: which file each incoming record joins, which file a look-up
means.

Candidates are the files holding any of the identity's blocking keys (keyed hashes only,
``identity_store.blocking_keys``); each candidate's observations are decrypted into a
``FileIdentity`` and scored by the matching model (``openbureau.identity``), and the integrity
rules decide (``identity.rules``). A chunk of records is resolved in a fixed number of
statements: one look-up of keys, one of observations, one insert of new files, one of holds.

The common case costs no scoring: a record whose national id key and name + birth date key
are both held by one file, and by no other, is that file's (the model's weight for such a pair
is far above the link threshold whatever else differs).

Records with a national id are resolved first; records without one then see the chunk's files
too (so one file's records in one chunk never open two files).

The statements are ``uow.resolution``'s (``adapters/resolution.py``).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from openbureau.adapters.audit import PendingEvent
from openbureau.domain.record_parts import Address
from openbureau.domain.record_types import SubjectIdentity
from openbureau.identity import features, model, rules
from openbureau.identity.model import FileIdentity, MatchModel
from openbureau.services import identity_store, protections
from openbureau.services.ports import UnitOfWork, Vault
from openbureau.services.refs import new_ref
from openbureau.services.stored import Subject

_KINDS = ("name", "national_id", "date_of_birth", "address", "phone")
# A blocking key held by more files than this finds no candidates: it is too common to tell
# people apart (a first name and a birth date shared by a crowd), and scoring the crowd would
# make one record cost as much as the block. The other keys still find the person.
MAX_BLOCK = 64


@dataclass
class Chunk:
    """What resolving a chunk decided, by the caller's group key."""

    ids: dict[str, int] = field(default_factory=dict)        # linked or new: the file's id
    refs: dict[int, str] = field(default_factory=dict)       # file id -> public ref
    held: dict[str, rules.Decision] = field(default_factory=dict)
    decisions: dict[str, rules.Decision] = field(default_factory=dict)
    fast: int = 0                                            # placed without scoring
    # how each placed group came to its file (``link_of``): what ``accounts.link`` keeps
    links: dict[str, dict[str, Any]] = field(default_factory=dict)


# the comparisons a record placed by its keys is known to agree on: its national id key and
# its full name + birth date key are both the file's
_KEY_FIELDS = frozenset(("nid", "first", "middle", "surname", "gen", "dob"))


def link_of(how: str, at: Any, match: model.Match | None = None,
            m: MatchModel | None = None, only: frozenset[str] | None = None) -> dict[str, Any]:
    """How a record came to its file, compact, as ``accounts.link`` keeps it: ``how`` (match,
    known_account, new_file, operator), the date, and for a scored link the model's version,
    its link threshold, the match weight and each field that told something (comparison ->
    [level, weight], rounded; fields either side lacked are left out). ``only``: the
    comparisons known to agree (a record placed by its keys: the others were not compared)."""
    out: dict[str, Any] = {"how": how, "at": at.date().isoformat() if hasattr(at, "date")
                           else str(at)}
    if m is not None:
        out["model"] = m.version
    if match is not None and m is not None:
        parts = [p for p in match.parts if only is None or p.comparison in only]
        weight = m.prior + sum(p.weight for p in parts) if only is not None else match.weight
        out.update(weight=round(weight, 2), threshold=m.thresholds.link,
                   fields={p.comparison: [p.level, round(p.weight, 2)] for p in parts
                           if p.level != "null"})
        if only is not None:
            out["compared"] = "keys"
    return out


def _keys_link(who: SubjectIdentity, at: Any, m: MatchModel) -> dict[str, Any]:
    """``link_of`` an identity placed by its keys: it agrees on them, nothing else compared."""
    first, middle, surname, gen = features.name_parts(who)
    return link_of("match", at, m.agreeing(first, surname, bool(middle), bool(gen),
                                           who.date_of_birth is not None), m, _KEY_FIELDS)


def look_up_link(decision: rules.Decision, identity: SubjectIdentity, at: Any,
                 match_model: MatchModel | None = None) -> dict[str, Any]:
    """How a look-up (``look_up``) found its file, as ``link_of`` keeps a record's: what a
    court listing or an inquiry keeps as its ``link``."""
    m = match_model or model.load()
    if decision.match is None:
        return _keys_link(identity, at, m)
    return link_of("match", at, decision.match, m)


def _identity_of(kind: str, value: dict[str, Any]) -> SubjectIdentity:
    if kind == "name":
        return SubjectIdentity(None, value.get("name", ""), None,
                               surname=value.get("surname"), first_name=value.get("first_name"),
                               middle_name=value.get("middle_name"),
                               generation_code=value.get("generation_code"))
    if kind == "national_id":
        return SubjectIdentity(value["national_id"], "", None)
    if kind == "date_of_birth":
        return SubjectIdentity(None, "", date.fromisoformat(value["date_of_birth"]))
    if kind == "address":
        return SubjectIdentity(None, "", None, address=Address(
            line1=value.get("line1"), postal_code=value.get("postal_code")))
    return SubjectIdentity(None, "", None, phone=value.get("phone"))


def file_identities(uow: UnitOfWork, vault: Vault,
                    subject_ids: Iterable[int]) -> dict[int, FileIdentity]:
    """Every identity value each file holds (its observations, and the name, birth date and
    national id it was opened with), as the model compares them."""
    ids = sorted(set(subject_ids))
    out: dict[int, FileIdentity] = {sid: FileIdentity() for sid in ids}
    if not ids:
        return out
    for sid, name, born, id_ciphertext in uow.resolution.opened_with(ids):
        nid = vault.decrypt(id_ciphertext) if id_ciphertext is not None else None
        out[sid].add(features.of(SubjectIdentity(nid, name or "", born)))
    for sid, kind, ciphertext in uow.resolution.observed(ids, _KINDS):
        value = json.loads(vault.decrypt(ciphertext))
        out[sid].add(features.of(_identity_of(kind, value)))
    return out


def holders(uow: UnitOfWork, keys: Iterable[str],
            id_hmac: str | None = None) -> dict[str, set[int]]:
    """The files holding each blocking key; with ``id_hmac``, the file whose public national id
    it is also counts as holding that key (files opened before blocking keys existed; a file
    merged into another answers for the survivor), in the same statement."""
    return uow.resolution.holders(sorted(set(keys)), id_hmac)


def known_files(uow: UnitOfWork, furnisher_id: int, keys: Sequence[str],
                account_refs: Sequence[str]) -> dict[str, int]:
    """The file each group's accounts (this furnisher's, by account number) are already on,
    for the groups whose known accounts are all on one file; one query for the chunk."""
    refs = sorted(set(account_refs))
    if not refs:
        return {}
    on = uow.resolution.account_files(furnisher_id, refs)
    files: dict[str, set[int]] = {}
    for key, ref in zip(keys, account_refs, strict=True):
        if ref in on:
            files.setdefault(key, set()).update(on[ref])
    return {key: next(iter(sids)) for key, sids in files.items() if len(sids) == 1}


def bar_accounts(uow: UnitOfWork, vault: Vault, furnisher_id: int,
                 keys: Sequence[str], account_refs: Sequence[str]
                 ) -> tuple[list[str], dict[str, frozenset[int]]]:
    """The cannot-links of a chunk's records (a consumer's "not mine",
    ``services.protections``): each record's group key -- a record of an account barred from
    some files gets a group of its own, ``key + ".!" + the account's keyed hash`` (its national
    id still the part before the first dot) -- and the files each such group may not join, for
    ``resolve_chunk``'s ``barred``. One query for the chunk (and no hashing for a furnisher
    with no cannot-link at all)."""
    if not uow.protections.any_for(furnisher_id)[0]:
        return list(keys), {}
    hashes = [protections.account_hash(vault, ref) for ref in account_refs]
    bars = uow.protections.cannot_links(furnisher_id, hashes)
    if not bars:
        return list(keys), {}
    out: list[str] = []
    barred: dict[str, frozenset[int]] = {}
    for key, h in zip(keys, hashes, strict=True):
        files = bars.get(h)
        if files:
            key = f"{key}.!{h}"
            barred[key] = frozenset(files)
        out.append(key)
    return out, barred


def resolve_chunk(uow: UnitOfWork, vault: Vault, hashes: identity_store.Hashes,
                  groups: Mapping[str, SubjectIdentity], now: Any,
                  match_model: MatchModel | None = None,
                  placed: Mapping[str, int] | None = None, actor: str = "system",
                  barred: Mapping[str, Collection[int]] | None = None,
                  names_must_agree: bool = False,
                  known: Mapping[str, int] | None = None) -> Chunk:
    """Place each group of a chunk (its key -> the identity of its first record): an existing
    file, a new file, or held. New files are created here. ``placed``: groups whose file an
    operator has decided (a hold resolved): they go there without being resolved.
    ``barred``: files a group may never join (``bar_accounts``), whatever its weight and
    whoever decides -- an operator's placement on one of them is held again.
    ``names_must_agree``: the profile's "name agrees with id" rule (``rules.decide``).
    ``known``: the file each group's accounts are already on (``known_files``): a furnisher's
    known account stays on its file unless its identity conflicts there (``rules.decide``);
    that file is always a candidate, and the keys' shortcut never takes the group elsewhere."""
    m = match_model or model.load()
    out = Chunk()
    barred = barred or {}
    known = known or {}
    if placed:
        for g, sid in placed.items():
            if g not in groups:
                continue
            if sid in barred.get(g, ()):
                out.held[g] = out.decisions[g] = rules.Decision(
                    rules.Outcome.HOLD, None, None, rules.CANNOT_LINK)
            else:
                out.ids[g] = sid
                out.links[g] = link_of("operator", now)
        groups = {g: who for g, who in groups.items() if g not in placed}
    keys_of: dict[str, list[str]] = {}
    for g, who in groups.items():
        h = hashes(who.national_id) if who.national_id else None
        keys_of[g] = hashes.keys(who, h)
    held_by = holders(uow, (k for ks in keys_of.values() for k in ks))
    pending: dict[str, set[int]] = {}
    for g, who in groups.items():
        if who.national_id:
            nid_key, nd_key = keys_of[g][1], keys_of[g][0]
            owners = held_by.get(nid_key, set())
            if len(owners) == 1 and owners <= held_by.get(nd_key, set()) \
                    and not owners & set(barred.get(g, ())) \
                    and known.get(g, next(iter(owners))) in owners:
                out.ids[g] = next(iter(owners))
                out.fast += 1
                out.links[g] = _keys_link(who, now, m)
                continue
        # a key held by very many files tells nothing (every "Ada" born that day): skipped
        pending[g] = set().union(*(held for k in keys_of[g]
                                   if len(held := held_by.get(k, set())) <= MAX_BLOCK))
        if g in known:
            pending[g].add(known[g])
    files = file_identities(uow, vault, {c for cs in pending.values() for c in cs})
    new: dict[str, SubjectIdentity] = {}
    chunk_files: dict[str, FileIdentity] = {}      # this chunk's new files, by group
    local: dict[str, set[str]] = {}                # blocking key -> new files' groups
    alias: dict[str, str] = {}                     # group -> the chunk's new file it joins
    fakes: dict[str, dict[int, str]] = {}          # group -> its stand-in ids of new files
    feats: dict[str, features.Features] = {}

    def feat(g: str) -> features.Features:          # only what is compared is computed
        f = feats.get(g)
        if f is None:
            f = feats[g] = features.of(groups[g])
        return f

    def chunk_file(x: str) -> FileIdentity:
        f = chunk_files.get(x)
        if f is None:
            f = chunk_files[x] = FileIdentity()
            f.add(feat(x))
        return f

    # records with a national id first, then those without (they may join the chunk's files)
    for g in sorted(pending, key=lambda g: not groups[g].national_id):
        near = {x for k in keys_of[g]
                if len(new_files := local.get(k, ())) <= MAX_BLOCK for x in new_files}
        if not pending[g] and not near:            # new to the bureau and to the chunk
            new[g] = groups[g]
            for k in keys_of[g]:
                local.setdefault(k, set()).add(g)
            continue
        cands = {sid: files[sid] for sid in pending[g]}
        fake_ids = fakes[g] = {-(i + 1): x for i, x in enumerate(sorted(near))}
        cands.update({fid: chunk_file(x) for fid, x in fake_ids.items()})
        d = rules.decide(m, feat(g), cands, known=known.get(g),
                         cannot_link=barred.get(g, ()), names_must_agree=names_must_agree)
        out.decisions[g] = d
        if d.outcome is rules.Outcome.LINK and d.subject_id is not None:
            out.links[g] = link_of("known_account" if d.reason == "known account" else "match",
                                   now, d.match, m)
            if d.subject_id < 0:
                target = fake_ids[d.subject_id]
                chunk_file(target).add(feat(g))
                alias[g] = target
            else:
                out.ids[g] = d.subject_id
        elif d.outcome is rules.Outcome.HOLD:
            out.held[g] = d
        else:
            new[g] = groups[g]
            for k in keys_of[g]:
                local.setdefault(k, set()).add(g)
    owners_of_new = {g for g in new if g not in alias}
    # new files in the order their first records came (the file's order)
    made = create_files(uow, vault,
                        {g: who for g, who in groups.items() if g in owners_of_new}, now)
    for g in owners_of_new:
        out.ids[g] = made[g][0]
        out.links[g] = link_of("new_file", now, None, m)
    for g, target in alias.items():
        out.ids[g] = made[target][0]
    # decisions name the chunk's new files by their real ids (holds list them as candidates)
    for g, d in list(out.decisions.items()):
        if any(sid < 0 for sid, _ in d.scored):
            real = tuple((made[fakes[g][sid]][0] if sid < 0 else sid, m) for sid, m in d.scored)
            out.decisions[g] = dataclasses.replace(d, scored=real)
            if g in out.held:
                out.held[g] = out.decisions[g]
    ids = sorted(set(out.ids.values()) | {sid for d in out.decisions.values()
                                          for sid, _ in d.scored[:3] if sid > 0})
    out.refs = uow.resolution.refs(ids) if ids else {}
    _audit(uow, actor, out, now)
    return out


def _audit(uow: UnitOfWork, actor: str, out: Chunk, now: Any) -> None:
    """One event per decision the model made (links it scored, holds, new files that had
    candidates): the weight and each field's level and weight -- never an identity value."""
    events = []
    for g, d in out.decisions.items():
        if d.outcome is rules.Outcome.NEW and not d.scored:
            continue
        sid = out.ids.get(g)
        action = {"link": "identity.linked", "hold": "identity.held",
                  "new": "identity.new_file"}[d.outcome.value]
        events.append(PendingEvent(now, actor, action, out.refs.get(sid) if sid else None,
                                   "identity resolution", {
                                       "reason": d.reason,
                                       "weight": round(d.match.weight, 2) if d.match else None,
                                       "fields": d.match.explain() if d.match else [],
                                       "candidates": [
                                           {"file": out.refs.get(c), "weight": round(m.weight, 2)}
                                           for c, m in d.scored[:3] if c > 0]}))
    if events:
        uow.audit_many(events)


def create_files(uow: UnitOfWork, vault: Vault,
                 firsts: Mapping[str, SubjectIdentity], now: Any) -> dict[str, tuple[int, str]]:
    """New files, each from its first record's identity. A national id already some file's
    (a number a mistyped record brought in) is kept on the new file's observations only."""
    if not firsts:
        return {}
    hmacs = {w.national_id: vault.lookup_hash(w.national_id)
             for w in firsts.values() if w.national_id}
    taken = uow.resolution.taken_ids(sorted(set(hmacs.values()))) if hmacs else set()
    rows = []
    for who in firsts.values():
        nid = who.national_id
        h = hmacs[nid] if nid else None
        own = nid is not None and h not in taken
        if h is not None:
            taken.add(h)
        rows.append({"id_hmac": h if own else None,
                     "id_ciphertext": vault.encrypt(nid) if own and nid else None,
                     "id_suffix": nid[-4:] if own and nid else None,
                     "name": who.name, "date_of_birth": who.date_of_birth,
                     "item_ref": new_ref("sub")})
    made = uow.resolution.add_files(rows, now)
    return {g: (int(made[str(row["item_ref"])]), str(row["item_ref"]))
            for g, row in zip(firsts, rows, strict=True)}


def hold(uow: UnitOfWork, vault: Vault, furnisher_id: int, file_id: int | None,
         line: int | None, account_ref: str, record: dict[str, Any], decision: rules.Decision,
         refs: Mapping[int, str], now: Any) -> str:
    """Keep a record resolution would not place; its public ref."""
    ref = new_ref("hld")
    uow.resolution.add_hold(
        item_ref=ref, furnisher_id=furnisher_id, file_id=file_id, line=line,
        account_ref_hmac=protections.account_hash(vault, account_ref),
        reason=decision.reason[:200],
        weight=decision.match.weight if decision.match is not None else None,
        candidates=[{"file": refs.get(sid), "weight": round(mt.weight, 2),
                     "fields": mt.explain()} for sid, mt in decision.scored[:3]],
        record_ciphertext=vault.encrypt(json.dumps(record, sort_keys=True, default=str)),
        created_at=now)
    return ref


def look_up(uow: UnitOfWork, vault: Vault, identity: SubjectIdentity,
            match_model: MatchModel | None = None, *, names_must_agree: bool = False
            ) -> rules.Decision:
    """Which file an identity means, with confidence; anything else is "no file".

    One query finds the files holding the identity's blocking keys (and the file whose public
    national id it is, for files opened before blocking keys existed; a file merged into
    another answers for the survivor). When the national id key and the name + birth date key
    are both one file's and no key leads anywhere else, that file is the answer without
    decrypting or scoring anything: the look-up's id and birth date are the file's, its name
    is one the file holds (so it also agrees with the id), and it is the only near file.
    Otherwise the candidates are decrypted and scored (``rules.look_up``)."""
    return look_up_file(uow, vault, identity, match_model,
                        names_must_agree=names_must_agree)[0]


def look_up_file(uow: UnitOfWork, vault: Vault, identity: SubjectIdentity,
                 match_model: MatchModel | None = None, *,
                 names_must_agree: bool = False) -> tuple[rules.Decision, Subject | None]:
    """``look_up``, and the file whose public national id the identity gives (its survivor,
    if merged), which the look-up's one query read with the candidates: when that is the
    file found, the caller need not read it again (None: the identity gives no national id,
    or no file has it as its own)."""
    h = None
    hashes = identity_store.Hashes(vault)
    if identity.national_id:
        h = hashes(identity.national_id)
    keys = identity_store.blocking_keys(hashes, identity, h)
    held_by, owner = uow.resolution.holders_and_owner(sorted(set(keys)), h)
    cands = set().union(*(held for held in held_by.values() if len(held) <= MAX_BLOCK))
    if h is not None:
        owners = held_by.get(h, set())
        if len(owners) == 1 and owners <= held_by.get(keys[0], set()) and cands == owners:
            (sid,) = owners
            return rules.Decision(rules.Outcome.LINK, sid, None, "keys", (), (sid,)), owner
    m = match_model or model.load()
    files = file_identities(uow, vault, cands)
    return rules.look_up(m, features.of(identity), files,
                         names_must_agree=names_must_agree), owner
