"""The identity-matching model: the in-process scorer agrees with splink, and the integrity
rules hold whatever the weights say."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openbureau.domain.record_parts import Address
from openbureau.domain.record_types import SubjectIdentity
from openbureau.identity import comparisons, features, model, rules
from openbureau.identity.model import FileIdentity
from openbureau.synthetic import identities


def _rows(records: list[SubjectIdentity], m: model.MatchModel, start: int) -> list[dict]:
    out = []
    for i, who in enumerate(records):
        f = features.of(who)
        row = {"unique_id": start + i, **f.as_row()}
        for col in ("first", "surname"):
            row[f"tf_{col}"] = m.tf[col].get(getattr(f, col) or "")
        out.append(row)
    return out


def test_in_process_weights_equal_splinks():
    """Every pair's match weight, and each comparison's level, as splink computes them from
    the same model JSON (DuckDB), for pairs of one person and of different people."""
    pytest.importorskip("splink")
    import pandas as pd
    from splink import DuckDBAPI, Linker

    m = model.load()
    pop = identities.population(400, seed=23)
    rng = random.Random(5)
    picked = rng.sample(pop.records, 40)
    left = [r.subject for r in picked]
    # the right side: the same people's other records (matches) and anyone (non-matches)
    by_pid: dict[int, list[SubjectIdentity]] = {}
    for r in pop.records:
        by_pid.setdefault(r.pid, []).append(r.subject)
    right = [r.subject for r in rng.sample(pop.records, 30)]
    right += [by_pid[r.pid][-1] for r in picked[:30]]
    # and the same people written surname first ("Wang Xiaoming" for "Xiaoming Wang"), and
    # so written with a name misspelt ("Wang Xiaomnig")
    right += [replace(w, name=f"{f.surname} {f.first}", surname=None, first_name=None)
              for w in left[:6] if (f := features.of(w)).first and f.surname]
    right += [replace(w, name=f"{_misspelt(f.surname)} {f.first}", surname=None,
                      first_name=None)
              for w in left[6:12] if (f := features.of(w)).first and f.surname]
    db = DuckDBAPI()
    cols = ["unique_id", *features.Features.__slots__, "dob_y", "dob_m", "dob_d"]
    frame = pd.DataFrame(_rows(left + right, m, 0))
    linker = Linker(db.register(frame[[c for c in frame.columns if c in cols]]),
                    json.loads(json.dumps(m.settings)), log_level=None)
    got = linker.inference.score_pairs(_rows(left, m, 0),
                                       _rows(right, m, 1000)).as_pandas_dataframe()
    assert len(got) == len(left) * len(right)
    fl = [features.of(w) for w in left]
    fr = [features.of(w) for w in right]
    strong = 0
    seen: set[tuple[str, str]] = set()
    for row in got.itertuples():
        a, b = fl[row.unique_id_l], fr[row.unique_id_r - 1000]
        mine = m.score(a, b)
        assert mine.weight == pytest.approx(row.match_weight, abs=1e-6), (a, b)
        for c in comparisons.COMPARISONS:
            gamma = getattr(row, f"gamma_{c.name}")
            counted = [lv for lv in c.levels if not lv.null]     # splink's gammas count down
            expected = "null" if gamma == -1 else counted[len(counted) - 1 - gamma].label
            assert mine.level(c.name) == expected, (c.name, a, b)
            seen.add((c.name, expected))
        strong += mine.weight >= m.thresholds.link
    assert 25 <= strong < len(got) / 2        # both kinds of pair were compared
    assert ("first", "names reversed") in seen    # and the swap was among them
    assert ("first", "names reversed and similar") in seen      # and the misspelt swap


def _misspelt(name: str) -> str:
    """A name with two neighbouring letters swapped (a typo Jaro-Winkler forgives)."""
    return name[:2] + name[3] + name[2] + name[4:] if len(name) >= 5 else name


def _levels_by_sql(pairs: list[tuple[features.Features, features.Features]]
                   ) -> list[dict[str, int]]:
    """Each comparison's level (its index) for each pair, as DuckDB finds it by running the
    levels' SQL in order -- what splink and the batch re-link run."""
    duckdb = pytest.importorskip("duckdb")
    columns = list(pairs[0][0].as_row())
    types = {"first_nicks": "VARCHAR[]", "dob_y": "INTEGER", "dob_m": "INTEGER",
             "dob_d": "INTEGER"}
    con = duckdb.connect()
    con.execute("CREATE TABLE pairs (i INTEGER, " + ", ".join(
        f'"{c}_{side}" {types.get(c, "VARCHAR")}' for c in columns for side in "lr") + ")")
    con.executemany(
        f"INSERT INTO pairs VALUES ({', '.join('?' * (1 + 2 * len(columns)))})",
        [[i, *(row[c] for c in columns for row in (a.as_row(), b.as_row()))]
         for i, (a, b) in enumerate(pairs)])
    cases = [" ".join(["CASE", *(f"WHEN {lv.sql} THEN {k}" for k, lv in
                                 enumerate(c.levels[:-1])), f"ELSE {len(c.levels) - 1} END"])
             for c in comparisons.COMPARISONS]
    got = con.execute(f"SELECT i, {', '.join(cases)} FROM pairs ORDER BY i").fetchall()
    return [{c.name: row[1 + j] for j, c in enumerate(comparisons.COMPARISONS)} for row in got]


_WRITTEN = ["Daniel Berry", "Berry Daniel", "Bery Daniel", "Berry Danial", "Bery Danial",
            "Danial Bery", "Daniel Bery", "Dan Berry", "D Berry", "Berry", "Xiaoming Wang",
            "Wang Xiaoming", "Wang Xiaomnig", "Xiaomnig Wang", "Wang Li", "Li Wang",
            "Li Wnag", "Lin Wang", "Wang Lin", "Lee Lee", "Ann Anne", "Anne Ann"]


def test_each_levels_sql_and_python_agree_on_names_swapped_and_misspelt():
    """The comparisons' SQL (DuckDB) and Python give every pair the same level: names written
    either way, exactly or misspelt (crafted), and a population's records against the same
    people's written surname first and misspelt, and against strangers (random). A swap with
    a misspelt name is "names reversed and similar" in the first name and a null level in the
    surname, for the same pairs: weighed once."""
    crafted = [who(n) for n in _WRITTEN]
    pairs = [(a, b) for a in crafted for b in crafted]
    rng = random.Random(31)
    pop = identities.population(300, seed=29)
    some = [features.of(r.subject) for r in rng.sample(pop.records, 120)]
    swapped = [features.of(replace(w, name=f"{f.surname} {_misspelt(f.first)}",
                                   surname=None, first_name=None))
               for w in (r.subject for r in rng.sample(pop.records, 60))
               if (f := features.of(w)).first and f.surname]
    pairs += [(a, b) for a, b in zip(some, some[60:] + some[:60], strict=True)]
    pairs += [(features.of(w), s) for w, s in zip(
        (r.subject for r in rng.sample(pop.records, 60)), swapped, strict=False)]
    by_sql = _levels_by_sql(pairs)
    first, surname = comparisons.BY_NAME["first"], comparisons.BY_NAME["surname"]
    seen = 0
    for (a, b), sql in zip(pairs, by_sql, strict=True):
        for c in comparisons.COMPARISONS:
            assert c.level_of(a, b) == sql[c.name], (c.name, a, b)
        swap = first.levels[first.level_of(a, b)].label == "names reversed and similar"
        assert swap == (surname.levels[surname.level_of(a, b)].label
                        == "names reversed and similar (weighed with the first name)")
        seen += swap
    assert seen >= 10
    for x, y in (("Daniel Berry", "Bery Daniel"), ("Daniel Berry", "Berry Danial"),
                 ("Xiaoming Wang", "Wang Xiaomnig"), ("Wang Li", "Li Wnag")):
        assert first.levels[first.level_of(who(x), who(y))].label == \
            "names reversed and similar", (x, y)
    for x, y in (("Daniel Berry", "Berry Daniel"), ("Daniel Berry", "Daniel Bery"),
                 ("Daniel Berry", "Dan Berry"), ("Li Wang", "Wang Li")):
        assert first.levels[first.level_of(who(x), who(y))].label != \
            "names reversed and similar", (x, y)


def test_model_json_levels_are_the_codes():
    """The shipped JSON's levels carry the SQL written beside each level's Python."""
    m = model.load()
    for trained in m.settings["comparisons"]:
        code = comparisons.BY_NAME[trained["output_column_name"]]
        assert [lv["sql_condition"] for lv in trained["comparison_levels"]] == [
            lv.sql for lv in code.levels]


ADDR = Address(line1="12 Elm Street", postal_code="02139")


def who(name: str, nid: str | None = "900100200", dob: date | None = date(1980, 5, 17),
        **kw: object) -> features.Features:
    return features.of(SubjectIdentity(nid, name, dob, address=ADDR, phone="6175550100", **kw))


def file_of(*people: features.Features) -> FileIdentity:
    f = FileIdentity()
    for p in people:
        f.add(p)
    return f


def test_jr_and_sr_never_link():
    sr = file_of(who("John Smith Sr", "900100201", date(1950, 1, 2)))
    jr = who("John Smith Jr", None, date(1950, 1, 2))
    assert rules.forbidden(jr, sr) == "generation codes differ"
    d = rules.decide(model.load(), jr, {1: sr})
    assert d.outcome is not rules.Outcome.LINK


def test_twins_with_consecutive_ids_stay_apart():
    amy = file_of(who("Amy Lee", "900100200"))
    ann = who("Anne Lee", "900100201")
    assert rules.decide(model.load(), ann, {1: amy}).outcome is rules.Outcome.NEW


def test_a_name_written_the_other_way_round_is_one_name_weighed_once():
    m = model.load()
    on_file = who("Xiaoming Wang", "900100200")
    swapped = who("Wang Xiaoming", "900100200")
    match = m.score(swapped, on_file)
    assert (match.level("first"), match.level("surname")) == ("names reversed", "null")
    # weighed once: the swap says about as much as both names agreeing, not twice as much
    both = m.score(on_file, on_file)
    names = sum(p.weight for p in match.parts if p.comparison in ("first", "surname"))
    agree = sum(p.weight for p in both.parts if p.comparison in ("first", "surname"))
    assert 0 < names < agree + 8
    no_id = who("Wang Xiaoming", None)
    d = rules.decide(m, no_id, {1: file_of(on_file)})
    assert (d.outcome, d.subject_id) == (rules.Outcome.LINK, 1)
    # a swapped name with another birth date is another person
    li_wang = who("Li Wang", None, date(1961, 11, 23))
    wang_li = file_of(who("Wang Li", "900100300", date(1988, 7, 1)))
    assert rules.forbidden(li_wang, wang_li) == "first name and birth date differ"
    assert rules.decide(m, li_wang, {1: wang_li}).outcome is rules.Outcome.NEW


def test_a_name_written_the_other_way_round_and_misspelt_is_weighed_once():
    """"Bery Daniel" or "Berry Danial" for Daniel Berry: the "names reversed and similar"
    level, weighed once (a null level in the surname) and less than the exact swap. With the
    national id and birth date alone, or without the id at the file's address, it links;
    with another birth date and no id it is another person."""
    m = model.load()
    on_file = who("Daniel Berry")
    exact = m.score(who("Berry Daniel"), on_file)

    def names_of(match: model.Match) -> float:
        return sum(p.weight for p in match.parts if p.comparison in ("first", "surname"))

    for written in ("Bery Daniel", "Berry Danial"):
        match = m.score(who(written), on_file)
        assert (match.level("first"), match.level("surname")) == (
            "names reversed and similar", "null"), written
        assert 0 < names_of(match) < names_of(exact)
        bare = features.of(SubjectIdentity("900100200", written, date(1980, 5, 17)))
        d = rules.decide(m, bare, {1: file_of(on_file)})
        assert (d.outcome, d.subject_id) == (rules.Outcome.LINK, 1), (written, d)
        d = rules.decide(m, who(written, None), {1: file_of(on_file)})
        assert (d.outcome, d.subject_id) == (rules.Outcome.LINK, 1), (written, d)
        assert rules.look_up(m, who(written, None), {1: file_of(on_file)}).subject_id == 1
        # another birth date, no national id, at the same address and phone: not him
        other = who(written, None, date(1961, 11, 23))
        assert rules.forbidden(other, file_of(on_file)) == "first name and birth date differ"
        assert rules.decide(m, other, {1: file_of(on_file)}).outcome is rules.Outcome.NEW
        assert rules.look_up(m, other, {1: file_of(on_file)}).subject_id is None


def test_a_mistyped_id_joins_its_owner_not_the_stranger_holding_the_number():
    owner = file_of(who("Daniel Q Berry", "900100200"))
    stranger = file_of(who("Maria Gomez", "900100210", date(1991, 2, 3)))
    typo = who("Daniel Berry", "900100210")          # one digit off the owner's number
    d = rules.decide(model.load(), typo, {1: owner, 2: stranger})
    assert (d.outcome, d.subject_id) == (rules.Outcome.LINK, 1)


def test_an_id_with_another_persons_name_and_birth_date_is_held():
    victim = file_of(who("Daniel Q Berry", "900100200"))
    thief = features.of(SubjectIdentity("900100200", "Zed Ohno", date(2001, 9, 9)))
    d = rules.decide(model.load(), thief, {1: victim})
    assert d.outcome is rules.Outcome.HOLD and "national id" in d.reason


def test_a_record_without_id_never_bridges_two_files():
    a = file_of(who("Pat Kim", "900100200"))
    b = file_of(who("Pat Kim", "900100777"))          # not a typo of each other: two people
    d = rules.decide(model.load(), who("Pat Kim", None), {1: a, 2: b})
    assert d.outcome is rules.Outcome.HOLD and d.reason == "several files match"


def test_cannot_link_is_respected():
    """Barred from the file it matches, the record is held -- not linked there, and not made
    a second file of the same person (which would make that person's look-ups ambiguous)."""
    a = file_of(who("Pat Kim"))
    assert rules.decide(model.load(), who("Pat Kim"), {1: a}).outcome is rules.Outcome.LINK
    d = rules.decide(model.load(), who("Pat Kim"), {1: a}, cannot_link=[1])
    assert d.outcome is rules.Outcome.HOLD and d.reason == rules.CANNOT_LINK
    # a record the barred file would not have taken (another person at the same address and
    # phone) is a new file, as without the bar
    other = rules.decide(model.load(), who("Wei Nowak", "123456789"), {1: a}, cannot_link=[1])
    assert other.outcome is rules.Outcome.NEW


def test_a_barred_file_leaves_the_record_to_another_that_matches():
    a = file_of(who("Pat Kim"))
    b = file_of(who("Pat Kim"))
    d = rules.decide(model.load(), who("Pat Kim"), {1: a, 2: b}, cannot_link=[1])
    assert (d.outcome, d.subject_id) == (rules.Outcome.LINK, 2)


_NAMES = st.sampled_from(["Ann", "Anne", "Bob", "Robert", "Li", "Wei", "Maria", "Marie", "Jo"])
_SUR = st.sampled_from(["Lee", "Li", "Smith", "Smyth", "Kim", "Nowak"])
_GEN = st.sampled_from([None, "Jr", "Sr", "III"])
_NID = st.sampled_from([None, "900100200", "900100201", "900100210", "900200100", "123456789"])
_DOB = st.sampled_from([None, date(1980, 5, 17), date(1980, 5, 18), date(1980, 17 - 12, 5),
                        date(1979, 5, 17)])


@st.composite
def _identity(draw: st.DrawFn) -> features.Features:
    gen = draw(_GEN)
    name = f"{draw(_NAMES)} {draw(_SUR)}" + (f" {gen}" if gen else "")
    return features.of(SubjectIdentity(draw(_NID), name, draw(_DOB), address=ADDR))


@settings(max_examples=300, deadline=None)
@given(rec=_identity(), on_file=st.lists(_identity(), min_size=1, max_size=3))
def test_integrity_rules_hold_whatever_the_weights(rec, on_file):
    f = file_of(*on_file)
    d = rules.decide(model.load(), rec, {7: f})
    if d.outcome is not rules.Outcome.LINK:
        return
    gens = {n.gen for n in f.names if n.gen}
    assert not (rec.gen and gens and rec.gen not in gens)           # Jr/Sr never merged
    nids = {n.nid for n in f.nids}
    if rec.nid and nids and rec.nid not in nids:                     # two ids: a typo only
        assert any(n.surname == rec.surname for n in f.names)
        assert rec.dob in {d.dob for d in f.dobs}
    assert d.match is not None
    assert d.match.weight >= model.load().thresholds.link or (
        d.reason == rules.ID_DOB_FIRST_AGREE and rules.id_dob_first(rec, f, d.match))


@settings(max_examples=300, deadline=None)
@given(rec=_identity(), on_file=st.lists(st.lists(_identity(), min_size=1, max_size=3),
                                         min_size=1, max_size=3),
       bar=st.sets(st.integers(0, 2), min_size=1), known=st.one_of(st.none(), st.integers(0, 2)))
def test_decide_never_links_a_cannot_linked_file(rec, on_file, bar, known):
    """Whatever the files hold -- the record's own identity included -- and whichever file the
    account is known on, a file the record is barred from is never its link."""
    files = {i: file_of(*ids) for i, ids in enumerate(on_file)}
    if rec.first:                    # one of the files is the record's own identity, always
        files[len(files)] = file_of(rec)
        bar = bar | {len(files) - 1}
    d = rules.decide(model.load(), rec, files, known=known, cannot_link=bar)
    assert d.subject_id is None or d.subject_id not in bar
    assert all(sid not in bar for sid, _ in d.scored)


def test_a_household_members_record_under_the_owners_id_is_held_not_linked():
    """pseudopeople's finding: a W-2 with the owner's SSN and surname, another first name and
    no birth date reached the owner's file. Now held; the owner's own record without a birth
    date (a nickname, an initial) still links."""
    owner = file_of(who("Jose Luis Lopez"), who("Jose L Lopez"))
    m = model.load()
    spouse = who("Maria Lopez", dob=None)
    d = rules.decide(m, spouse, {1: owner})
    assert d.outcome is rules.Outcome.HOLD, d
    assert rules.look_up(m, spouse, {1: owner}).subject_id is None
    for same in ("Joe Lopez", "J Lopez", "Jose Lopez"):
        assert rules.decide(m, who(same, dob=None), {1: owner}).subject_id == 1, same


MOVED = Address(line1="9 Harbour Road", postal_code="98101")


def test_the_files_id_first_name_and_birth_date_link_a_married_name_that_moved():
    """Id, first name and birth date agree; surname, address and phone do not (married and
    moved): below the link threshold on weight, linked by the rule -- at ingest and at a
    look-up -- unless another file is near enough to make it ambiguous."""
    m = model.load()
    before = file_of(who("Jessica Kristin Porter", "900100200"))
    after = features.of(SubjectIdentity("900100200", "Jessica Cantu", date(1980, 5, 17),
                                        address=MOVED, phone="2065550199"))
    d = rules.decide(m, after, {1: before})
    assert d.match is not None and d.match.weight < m.thresholds.link      # the rule decided
    assert (d.outcome, d.subject_id, d.reason) == (
        rules.Outcome.LINK, 1, rules.ID_DOB_FIRST_AGREE)
    assert rules.look_up(m, after, {1: before}).subject_id == 1
    # another first name (a household member under the owner's number) is not the rule's
    spouse = features.of(SubjectIdentity("900100200", "Mark Cantu", date(1980, 5, 17),
                                         address=MOVED))
    assert rules.decide(m, spouse, {1: before}).subject_id is None
    # a second file near enough to be a candidate leaves it to an operator
    other = file_of(features.of(SubjectIdentity(None, "Jessica Cantu", date(1980, 5, 17),
                                                address=MOVED, phone="2065550199")))
    d = rules.decide(m, after, {1: before, 2: other})
    assert sum(match.weight >= m.thresholds.review for _, match in d.scored) == 2
    assert d.reason != rules.ID_DOB_FIRST_AGREE and d.subject_id != 1


def test_a_mistyped_birth_year_joins_the_file_of_its_id_and_name():
    """A furnisher's record with the file's id and name and its birth year off by one joins
    the file whatever its weight; a birth date off in two parts, another surname or a
    decades-apart birth date (a son's record under his father's number) is not the rule's. A
    look-up's birth date must still be one the file holds (the bureau cannot tell which of
    the two is mistyped)."""
    m = model.load()
    on_file = file_of(who("Shaffer, John", "900100200", date(1938, 11, 29)))
    typo = features.of(SubjectIdentity("900100200", "John B Shaffer", date(1939, 11, 29),
                                       address=MOVED))
    d = rules.decide(m, typo, {1: on_file})
    assert (d.outcome, d.subject_id) == (rules.Outcome.LINK, 1)
    assert d.reason == rules.ID_DOB_FIRST_AGREE or d.match.weight >= m.thresholds.link
    assert rules.look_up(m, typo, {1: on_file}).subject_id is None
    for other in (SubjectIdentity("900100200", "John Shaffer", date(1939, 10, 28), address=MOVED),
                  SubjectIdentity("900100200", "John Baker", date(1939, 11, 29), address=MOVED),
                  SubjectIdentity("900100200", "John Shaffer", date(1968, 11, 29),
                                  address=MOVED)):
        rec = features.of(other)
        assert rules.decide(m, rec, {1: on_file}).reason != rules.ID_DOB_FIRST_AGREE, other


def test_a_look_up_finds_a_file_whose_only_birth_date_is_a_typo_when_all_else_agrees():
    """The file's one birth date is a furnisher's typo of the applicant's (a year one off,
    a day or a month wrong): a look-up with the file's own number, its surname and first name
    and an address with its ZIP the file holds means that file. Take away any one of those,
    or make the birth date two parts off or decades apart, and it is no file."""
    m = model.load()
    on_file = file_of(who("Mark Kevin Ward", "900100200", date(1964, 3, 15)))
    for dob in (date(1965, 3, 15), date(1964, 3, 16), date(1964, 4, 15)):
        asked = who("Mark Ward", "900100200", dob)
        assert rules.dob_mistyped_on_file(asked, on_file), dob
        assert rules.look_up(m, asked, {1: on_file}).subject_id == 1, dob
    no_file = [
        who("Mark Ward", "900100200", date(1965, 4, 15)),             # two parts off
        who("Mark Ward", "900100200", date(1988, 3, 15)),             # decades apart
        who("Mark Ward", "900100201", date(1965, 3, 15)),             # another number
        who("Mark Ward", None, date(1965, 3, 15)),                    # no number
        who("Mark Baker", "900100200", date(1965, 3, 15)),            # another surname
        who("Paul Ward", "900100200", date(1965, 3, 15)),             # another first name
        features.of(SubjectIdentity("900100200", "Mark Ward", date(1965, 3, 15),
                                    address=MOVED)),                  # another address
        features.of(SubjectIdentity("900100200", "Mark Ward", date(1965, 3, 15))),  # none
        features.of(SubjectIdentity("900100200", "Mark Ward", date(1965, 3, 15),
                                    address=Address(line1=ADDR.line1, postal_code="02140"))),
    ]
    for asked in no_file:
        assert not rules.dob_mistyped_on_file(asked, on_file), asked
        assert rules.look_up(m, asked, {1: on_file}).subject_id is None, asked
    # a file that also holds another birth date, not a typo of the given one, is not this case
    two_dates = file_of(who("Mark Kevin Ward", "900100200", date(1964, 3, 15)),
                        who("Mark Kevin Ward", "900100200", date(1971, 8, 2)))
    asked = who("Mark Ward", "900100200", date(1965, 3, 15))
    assert rules.look_up(m, asked, {1: two_dates}).subject_id is None
