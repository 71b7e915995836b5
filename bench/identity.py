"""Identity resolution, measured: is every record on the right person's file, is every
applicant found?

    python -m bench.identity [--people 5000] [--seed 11] [--database-url URL]
                             [--surname-first 0.02]

A synthetic population with the noise of real identity data (``openbureau.synthetic.
identities``: twins, Jr/Sr, couples, marriages, moves, names written surname first and
misspelt, nicknames, typos, missing and mistyped ids, a dense id space; ``--surname-first 0``:
the population before that stratum) is furnished through the product --
``furnishing.furnish``, the path ``openbureau ingest`` and ``POST /v1/furnisher/
accounts:batch`` take -- into a freshly migrated database (SQLite by default), then every
person applies for credit through ``inquiries.pull_report`` (the service behind ``POST
/v1/member/inquiries``) with the identity they would write on an application. The truth
(which person each record and applicant is) is known, so errors are counted:

- records on the wrong person's file (a file's person: whoever most of its records are);
- people whose file carries someone else's data, overall and per stratum;
- people split across files, and people missing one of their own accounts (held, refused,
  or on another file than their main one), overall and per stratum; records held for
  review; records refused for want of a national id;
- pair precision and recall (pairs of records placed on one file vs. pairs of one person);
- applicants found, not found, or answered with another person's file.

The baseline is the matching this project had before the model, computed on the same records
in the same run: a record joins the file of its national id (no national id: the one file of
its exact name and birth date, refused when several); a look-up needs the id and the name
exactly as the file first stored it.
"""

from __future__ import annotations

import argparse
import collections
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openbureau.domain.roles import SYSTEM
from openbureau.synthetic import identities as synth


@dataclass
class Placement:
    """Where each record went (file key, or None: held / refused) and what look-ups found."""

    record_file: list[Any]
    held: int = 0
    refused_no_id: int = 0
    rejected: int = 0      # refused for any other reason than a hold (invalid fields)
    reasons: collections.Counter[str] = field(default_factory=collections.Counter)
    lookups: list[tuple[int, Any]] = field(default_factory=list)   # (pid, file or None)


def _norm(name: str) -> str:
    import unicodedata

    return " ".join(unicodedata.normalize("NFKC", name).casefold().replace(",", " ").split())


def baseline(pop: synth.Population, apps: list[tuple[int, Any]]) -> Placement:
    """The exact-id matching of the first version."""
    by_nid: dict[str, int] = {}
    first_name: dict[int, tuple[str, Any]] = {}
    by_name_dob: dict[tuple[str, Any], set[int]] = collections.defaultdict(set)
    out = Placement([])
    for r in pop.records:
        s = r.subject
        if s.national_id:
            f = by_nid.get(s.national_id)
            if f is None:
                f = by_nid[s.national_id] = len(first_name)
                first_name[f] = (s.name, s.date_of_birth)
            by_name_dob[(_norm(s.name), s.date_of_birth)].add(f)
            out.record_file.append(f)
            continue
        holders = by_name_dob.get((_norm(s.name), s.date_of_birth), set())
        if len(holders) == 1:
            out.record_file.append(next(iter(holders)))
        elif holders:
            out.record_file.append(None)
            out.refused_no_id += 1
        else:
            f = len(first_name)
            first_name[f] = (s.name, s.date_of_birth)
            by_name_dob[(_norm(s.name), s.date_of_birth)].add(f)
            out.record_file.append(f)
    for pid, s in apps:
        f = by_nid.get(s.national_id) if s.national_id else None
        if f is not None:
            name, dob = first_name[f]
            if sorted(_norm(name).split()) != sorted(_norm(s.name).split()) or (
                    s.date_of_birth and dob and s.date_of_birth != dob):
                f = None
        out.lookups.append((pid, f))
    return out


def product(pop: synth.Population, apps: list[tuple[int, Any]], url: str | None,
            chunk: int = 2000) -> tuple[Placement, dict[str, float]]:
    """The records furnished and the applicants looked up through the product's services."""
    from sqlalchemy import select

    from openbureau.adapters.database import make_engine, upgrade
    from openbureau.adapters.tables import accounts
    from openbureau.bootstrap import bootstrap
    from openbureau.config import Settings
    from openbureau.domain.errors import NotFound
    from openbureau.domain.roles import Principal, Role
    from openbureau.services import access, furnishing, subjects

    tmp = Path(tempfile.mkdtemp(prefix="ob_identity_"))
    url = url or f"sqlite:///{tmp / 'bureau.db'}"
    engine = make_engine(url)
    upgrade(engine)
    bureau = bootstrap(Settings(environment="test", database_url=url, var_dir=tmp / "var"),
                       engine=engine)
    furnishers: dict[str, Principal] = {}

    def furnisher(account: str) -> Principal:
        name = account.split("-")[0]
        if name not in furnishers:
            org = access.create_organisation(bureau.uow(), bureau.deps,
                                             SYSTEM, f"Bench furnisher {name}", "furnisher")
            furnishers[name] = Principal(Role.FURNISHER, org.id, f"Bench furnisher {name}")
        return furnishers[name]

    def json_record(r: synth.Record) -> dict[str, Any]:
        s = r.subject
        subject: dict[str, Any] = {"name": s.name}
        for part in ("first_name", "middle_name", "surname"):
            if getattr(s, part):
                subject[part] = getattr(s, part)
        if s.date_of_birth is not None:
            subject["date_of_birth"] = s.date_of_birth.isoformat()
        if s.national_id:
            subject["national_id"] = s.national_id
        if s.address is not None:
            subject["address"] = {k: v for k, v in (
                ("line1", s.address.line1), ("line2", s.address.line2),
                ("city", s.address.city), ("state", s.address.state),
                ("postal_code", s.address.postal_code), ("country", s.address.country))
                if v is not None}
        if s.phone:
            subject["phone"] = s.phone
        return {"subject": subject, "account_ref": r.account, "as_of": "2026-10-31",
                "kind": "revolving", "opened_on": "2020-01-01", "credit_limit": 500000,
                "balance": 1000, "amount_past_due": 0, "status": "current",
                "ecoa": "individual", "currency": "USD"}

    by_furnisher: dict[str, list[int]] = collections.defaultdict(list)
    for i, r in enumerate(pop.records):
        by_furnisher[r.account.split("-")[0]].append(i)
    out = Placement([None] * len(pop.records))
    for _, idx in sorted(by_furnisher.items()):
        furnisher(pop.records[idx[0]].account)          # keys made before the clock starts
    t0 = time.perf_counter()
    for _, idx in sorted(by_furnisher.items()):
        for start in range(0, len(idx), chunk):
            part = idx[start:start + chunk]
            summary = furnishing.furnish(
                bureau.uow(), bureau.deps, furnisher(pop.records[part[0]].account),
                furnishing.candidates_from_json([json_record(pop.records[i]) for i in part]))
            out.held += summary.held
            for rej in summary.rejected:
                if not any("held" in e.message for e in rej.errors):
                    out.rejected += 1
                    out.reasons.update(f"{e.field}: {e.message}" for e in rej.errors)
            out.refused_no_id += sum(
                1 for rej in summary.rejected for e in rej.errors
                if e.field.startswith("subject") and "national" in e.message
                and "held" not in e.message)
    ingest_s = time.perf_counter() - t0
    with bureau.uow() as uow:
        where = {(fid, ref): sid for fid, ref, sid in uow.execute(
            select(accounts.c.furnisher_id, accounts.c.account_ref, accounts.c.subject_id))}
    for i, r in enumerate(pop.records):
        p = furnishers[r.account.split("-")[0]]
        out.record_file[i] = where.get((p.id, r.account))
    t1 = time.perf_counter()
    for pid, s in apps:
        with bureau.uow() as uow:
            try:
                out.lookups.append((pid, subjects.find(uow, bureau.vault, s).id))
            except NotFound:
                out.lookups.append((pid, None))
    lookup_s = time.perf_counter() - t1
    return out, {"ingest_s": ingest_s, "records_per_s": len(pop.records) / ingest_s,
                 "lookup_ms": 1000 * lookup_s / max(len(apps), 1)}


def measure(pop: synth.Population, p: Placement) -> dict[str, Any]:
    records = pop.records
    by_file: dict[Any, list[int]] = collections.defaultdict(list)
    for i, f in enumerate(p.record_file):
        if f is not None:
            by_file[f].append(i)
    owner = {f: collections.Counter(records[i].pid for i in idx).most_common(1)[0][0]
             for f, idx in by_file.items()}
    wrong = sum(1 for f, idx in by_file.items() for i in idx if records[i].pid != owner[f])
    with_others = {owner[f] for f, idx in by_file.items()
                   if any(records[i].pid != owner[f] for i in idx)}
    files_of: dict[int, set[Any]] = collections.defaultdict(set)
    for i, f in enumerate(p.record_file):
        if f is not None:
            files_of[records[i].pid].add(f)
    main = {pid: max(fs, key=lambda f: sum(records[i].pid == pid for i in by_file[f]))
            for pid, fs in files_of.items()}
    missing = {records[i].pid for i, f in enumerate(p.record_file)
               if f is None or main.get(records[i].pid) != f}
    split = sum(1 for fs in files_of.values() if len(fs) > 1)
    people = {r.pid for r in records}
    # pairs: same file vs same person
    same_file = sum(len(idx) * (len(idx) - 1) // 2 for idx in by_file.values())
    true_pos = sum(c * (c - 1) // 2 for idx in by_file.values()
                   for c in collections.Counter(records[i].pid for i in idx).values())
    per_person = collections.Counter(r.pid for r in records)
    same_person = sum(c * (c - 1) // 2 for c in per_person.values())
    strata: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0, 0, 0])
    for person in pop.people:
        if person.pid not in people:
            continue
        for st in person.strata:
            strata[st][0] += 1
            strata[st][1] += person.pid in with_others
            strata[st][2] += len(files_of.get(person.pid, ())) > 1
            strata[st][3] += person.pid in missing
    found = sum(1 for pid, f in p.lookups if f is not None and owner.get(f) == pid)
    wrong_file = sum(1 for pid, f in p.lookups if f is not None and owner.get(f) != pid)
    n = len(people)
    return {
        "records": len(records), "people": n,
        "wrong_file_pct": 100 * wrong / len(records),
        "people_with_others_pct": 100 * len(with_others) / n,
        # per stratum: people; with someone else's data, split, missing an account (%)
        "strata": {k: (v[0], *(100 * x / v[0] for x in v[1:]))
                   for k, v in sorted(strata.items())},
        "split_pct": 100 * split / n, "missing_own_pct": 100 * len(missing) / n,
        "held_pct": 100 * p.held / len(records),
        "refused_no_id_pct": 100 * p.refused_no_id / len(records),
        "precision": true_pos / same_file if same_file else 1.0,
        "recall": true_pos / same_person if same_person else 1.0,
        "lookups": len(p.lookups),
        "not_found_pct": 100 * (len(p.lookups) - found - wrong_file) / max(len(p.lookups), 1),
        "lookup_wrong_pct": 100 * wrong_file / max(len(p.lookups), 1),
    }


def _row(label: str, key: str, a: dict[str, Any], b: dict[str, Any], fmt: str = "{:.3f} %"
         ) -> str:
    return f"| {label} | {fmt.format(a[key])} | {fmt.format(b[key])} |"


def report(n: int, seed: int, url: str | None, surname_first: float = synth.SURNAME_FIRST
           ) -> str:
    pop = synth.population(n, seed, surname_first=surname_first)
    apps = list(synth.applications(pop.people, seed))
    base = measure(pop, baseline(pop, apps))
    placed, speed = product(pop, apps, url)
    new = measure(pop, placed)
    rows = [
        ("records on the wrong person's file", "wrong_file_pct"),
        ("people whose report carries someone else's data", "people_with_others_pct"),
        ("people split across files", "split_pct"),
        ("people missing one of their own accounts", "missing_own_pct"),
        ("records held for review", "held_pct"),
        ("records refused only for lacking a national id", "refused_no_id_pct"),
        ("applicants not found with their true identity", "not_found_pct"),
        ("applicants answered with another person's file", "lookup_wrong_pct"),
    ]
    lines = [f"{new['people']:,} people, {new['records']:,} records (seed {seed}); "
             f"{'SQLite' if url is None else 'the given database'}; resolution online at "
             f"{speed['records_per_s']:,.0f} records/s through `furnishing.furnish`, look-ups "
             f"{speed['lookup_ms']:.1f} ms each through `subjects.find`.", "",
             "| measure | exact-id baseline | identity model |", "|---|---|---|"]
    lines += [_row(label, key, base, new) for label, key in rows]
    lines += [_row("pair precision", "precision", base, new, "{:.4f}"),
              _row("pair recall", "recall", base, new, "{:.4f}"), "",
              "By stratum (people in it): people with someone else's data, split across "
              "files, missing one of their own accounts -- exact-id baseline / identity model:",
              "", "| stratum | people | someone else's data | split | missing own |",
              "|---|---|---|---|---|"]
    for st, (count, *pcts) in new["strata"].items():
        cells = [f"{b:.2f} / {m:.2f} %" for b, m in zip(base["strata"][st][1:], pcts,
                                                          strict=True)]
        lines.append(f"| {st} | {count:,} | {' | '.join(cells)} |")
    return "\n".join(lines) + "\n"


def section(quick: bool = False) -> str:
    return report(1000 if quick else 5000, 11, None)


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.identity", description=__doc__)
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--surname-first", type=float, default=synth.SURNAME_FIRST,
                        help="share of people in the surname-first stratum (0: the "
                        "population before it)")
    args = parser.parse_args(list(argv) if argv is not None else None)
    print(report(args.people, args.seed, args.database_url, args.surname_first))


if __name__ == "__main__":
    main()
