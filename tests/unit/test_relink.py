"""Batch re-link without a database: the engines' pairs weigh what the in-process scorer says,
clustering keeps the integrity rules, and a run is deterministic and resumable."""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from openbureau.adapters.pii import IdentityVault
from openbureau.domain.record_parts import Address
from openbureau.domain.record_types import SubjectIdentity
from openbureau.identity import batch, clustering, features, model, rules
from openbureau.identity.model import FileIdentity
from openbureau.services import relink
from openbureau.synthetic import identities

VAULT = IdentityVault(b"p" * 32, b"h" * 32)


def population_parts(people: int, seed: int, files_of=lambda r, i: r.pid):
    """A synthetic population's records as parts, each on the file ``files_of`` says."""
    pop = identities.population(people, seed=seed)
    parts = [relink.encrypted_part(VAULT, files_of(r, i), i, r.subject)
             for i, r in enumerate(pop.records)]
    parts.sort(key=lambda p: (p["subject_id"], p["furnisher_id"]))
    return pop, parts


def run(folder: Path, parts, stop_after="clusters", **kw) -> relink.Run:
    relink.start_from(folder, parts, **kw)
    r = relink.Run(folder, VAULT, options=relink.Options(stop_after=stop_after))
    r.execute()
    return r


def test_pair_weights_equal_the_in_process_scorers(tmp_path):
    _, parts = population_parts(300, seed=31)
    r = run(tmp_path / "run", parts, stop_after="pairs")
    pairs = pq.read_table(tmp_path / "run" / "pairs.parquet").to_pylist()
    feats = r.features()
    m = model.load()
    assert len(pairs) > 500
    for p in random.Random(3).sample(pairs, 400):
        expected = m.score(feats[p["rid_l"]], feats[p["rid_r"]])
        assert p["weight"] == pytest.approx(expected.weight, abs=1e-9)
        got = batch.explain(m, {k[2:]: v for k, v in p.items() if k.startswith("g_")},
                            {k[3:]: v for k, v in p.items() if k.startswith("tf_")})
        assert got.explain() == expected.explain()


def test_records_of_unlinked_people_are_merged_and_nothing_else(tmp_path):
    """Every record its own file: the clusters are people; no cluster mixes two people."""
    pop, parts = population_parts(400, seed=37, files_of=lambda r, i: i + 1)
    r = run(tmp_path / "run", parts)
    clusters = pq.read_table(tmp_path / "run" / "clusters.parquet").to_pylist()
    pid_of = {i + 1: rec.pid for i, rec in enumerate(pop.records)}
    people: dict[int, set[int]] = {}
    for c in clusters:
        people.setdefault(c["cluster"], set()).add(pid_of[c["subject_id"]])
    assert all(len(p) == 1 for p in people.values()), "a cluster mixes two people"
    assert len(people) < 0.5 * len(clusters)          # most records found their person
    assert any(m["kind"] == "merge" for m in r.moves())


def _who(first, nid, born, gen=None, middle="", addr="12 Elm Street"):
    name = " ".join(x for x in (first, middle, "Smith", {"J": "Jr", "S": "Sr"}.get(gen or ""))
                    if x)
    return SubjectIdentity(nid, name, born, phone="2175550100",
                           address=Address(line1=addr, postal_code="62701"))


def test_twins_and_juniors_are_never_one_cluster():
    m = model.load()
    born, sr_born = date(1990, 3, 4), date(1960, 1, 2)
    people = [_who("Anna", "900100201", born, middle="Marie"),
              _who("Anna", "900100201", born, middle="M"),
              _who("Emma", "900100202", born, middle="Rose"),
              _who("Emma", "900100202", born, middle="Rose"),
              _who("John", "900100301", sr_born, "S"), _who("John", "900100302", born, "J"),
              _who("John", "900100302", born, "J")]
    recs = [clustering.Record(i, i + 1, features.of(w)) for i, w in enumerate(people)]
    feats = [r.features for r in recs]
    pairs = [(m.score(feats[a], feats[b]).weight, a, b)
             for a in range(len(recs)) for b in range(a + 1, len(recs))]
    res = clustering.Clusterer(m, recs).run(pairs)
    c = res.cluster_of
    assert c[0] == c[1] and c[2] == c[3] and c[5] == c[6]
    assert len({c[0], c[2], c[4], c[5]}) == 4
    # barred: the files kept apart stay apart even when one person
    res = clustering.Clusterer(m, recs, apart=[(1, 2)]).run(pairs)
    assert res.cluster_of[0] != res.cluster_of[1]


def test_a_stopped_run_continues_to_the_same_result(tmp_path):
    _, parts = population_parts(250, seed=41, files_of=lambda r, i: r.pid // 2 * 2 + i % 2)
    one = run(tmp_path / "one", parts)
    relink.start_from(tmp_path / "two", parts)
    relink.Run(tmp_path / "two", VAULT, options=relink.Options(stop_after="pairs")).execute()
    state = json.loads((tmp_path / "two" / "state.json").read_text())
    assert list(state["stages"]) == ["extract", "pairs"]
    two = relink.Run(tmp_path / "two", VAULT, options=relink.Options(stop_after="clusters"))
    assert two.completed() == ["extract", "pairs"]
    two.execute()
    for name in ("pairs.parquet", "clusters.parquet"):
        assert pq.read_table(tmp_path / "one" / name).equals(
            pq.read_table(tmp_path / "two" / name))
    assert one.moves() == two.moves()
    assert one.moves()                     # the halves of people's files come together


def test_forked_workers_prepare_the_same_records(tmp_path, monkeypatch):
    _, parts = population_parts(120, seed=47)
    one = run(tmp_path / "one", parts, stop_after="pairs")
    monkeypatch.setattr(relink, "_CHUNK", 97)          # several chunks: the forked pool
    relink.start_from(tmp_path / "two", parts)
    two = relink.Run(tmp_path / "two", VAULT,
                     options=relink.Options(stop_after="pairs", threads=2))
    two.execute()
    assert pq.read_table(tmp_path / "one" / "pairs.parquet").equals(
        pq.read_table(tmp_path / "two" / "pairs.parquet"))
    assert one.features() == two.features()


def test_a_record_without_an_id_never_bridges_two_files():
    m = model.load()
    born = date(1980, 5, 6)
    people = [SubjectIdentity("900200301", "John Quincy Smith", born,
                              address=Address(line1="1 Oak St", postal_code="62701")),
              SubjectIdentity("900800402", "John Quincy Smith", born,
                              address=Address(line1="9 Elm Rd", postal_code="62701")),
              SubjectIdentity(None, "John Quincy Smith", born,
                              address=Address(postal_code="62701"))]
    recs = [clustering.Record(i, i + 1, features.of(w)) for i, w in enumerate(people)]
    feats = [r.features for r in recs]
    pairs = [(m.score(feats[a], feats[b]).weight, a, b) for a, b in ((0, 1), (0, 2), (1, 2))]
    assert pairs[1][0] >= m.thresholds.link and pairs[2][0] >= m.thresholds.link
    res = clustering.Clusterer(m, recs).run(pairs)
    assert len(set(res.cluster_of.values())) == 3 and res.moves == []
    # with one candidate only, it joins it
    res = clustering.Clusterer(m, recs).run(pairs[1:2])
    assert res.cluster_of[2] == res.cluster_of[0]


# -- the "id, first name and birth date" rule, in the batch as online ----------------------

NID = "900800111"


def _maria(surname, born, addr, phone, middle="Elena", nid=NID, zip_code="62701"):
    return SubjectIdentity(nid, " ".join(x for x in ("Maria", middle, surname) if x), born,
                           phone=phone, address=Address(line1=addr, postal_code=zip_code))


def _cluster(people, files, barred=None, apart=()):
    """``Clusterer`` over every pair at or above the review threshold (what ``pairs.parquet``
    keeps), record ``i`` on file ``files[i]``."""
    m = model.load()
    recs = [clustering.Record(i, files[i], features.of(w)) for i, w in enumerate(people)]
    feats = [r.features for r in recs]
    pairs = [(w, a, b) for a in range(len(recs)) for b in range(a + 1, len(recs))
             if (w := m.score(feats[a], feats[b]).weight) >= m.thresholds.review]
    return m, pairs, clustering.Clusterer(m, recs, barred, apart).run(pairs)


def test_a_married_name_at_a_new_address_stays_on_its_file():
    """Online ingest links "Maria Lopez" (married, moved) to Maria Garcia's file by the rule;
    two furnishers before the marriage and two after: the relink must not split them -- nor
    keep them apart when a mistake put them on two files."""
    born = date(1979, 3, 14)
    before = _maria("Garcia", born, "3 Birch Lane", "2175550111")
    after = _maria("Lopez", born, "77 Lake Shore Drive", "3125550999", middle="",
                   zip_code="60611")
    people = [before, before, after, after]
    m, pairs, res = _cluster(people, [1, 1, 1, 1])
    w = m.score(features.of(before), features.of(after)).weight
    assert m.thresholds.review <= w < m.thresholds.link       # below the link threshold
    assert len(set(res.cluster_of.values())) == 1 and res.moves == []
    _, _, res = _cluster(people, [1, 1, 2, 2])
    [move] = res.moves
    assert (move.kind, move.from_id, move.to_id) == ("merge", 2, 1)


def test_a_birth_year_decades_apart_is_not_a_typo():
    """The same id, name and birth day and month, the year one digit off: one person; 1939
    for 1968: another person (a parent under the child's number) -- kept apart."""
    def parts(year_after):
        old = _maria("Garcia", date(1968, 3, 14), "3 Birch Lane", "2175550111", middle="")
        new = _maria("Garcia", date(year_after, 3, 14), "77 Lake Shore Drive", "3125550999",
                     middle="", zip_code="60611")
        return [old, old, new, new]

    m, pairs, res = _cluster(parts(1969), [1, 1, 2, 2])
    assert max(w for w, _, _ in pairs if w < m.thresholds.link) >= m.thresholds.review
    assert [mv.kind for mv in res.moves] == ["merge"]
    m, pairs, res = _cluster(parts(1939), [1, 1, 2, 2])
    assert any(m.thresholds.review <= w < m.thresholds.link for w, _, _ in pairs)
    assert res.moves == [] and res.cluster_of[0] != res.cluster_of[2]
    _, _, res = _cluster(parts(1939), [1, 1, 1, 1])     # on one file: two people, split
    assert [(mv.kind, mv.to_id) for mv in res.moves] == [("split", None)]


def test_the_rule_stops_where_another_file_claims_the_id_or_is_near():
    """As online: not where another file claims the id under an identity the rules forbid,
    nor where a second file scores at the review threshold."""
    born = date(1979, 3, 14)
    before = _maria("Garcia", born, "3 Birch Lane", "2175550111")
    after = _maria("Lopez", born, "77 Lake Shore Drive", "3125550999", middle="",
                   zip_code="60611")
    # a household member under the same number, another name and birth date: forbidden on
    # Maria's file, claiming the id on its own
    other = SubjectIdentity(NID, "Jose Lopez", date(1950, 1, 2), phone="3125550999",
                            address=Address(line1="77 Lake Shore Drive", postal_code="60611"))
    _, _, res = _cluster([before, before, after, after, other, other], [1, 1, 2, 2, 3, 3])
    assert res.cluster_of[0] != res.cluster_of[2]
    # a second candidate near each side: Maria Lopez of the new address and Maria Garcia of
    # the old one, without an id, born on other days
    m = model.load()
    near = [SubjectIdentity(None, name, date(1981, 8, 9), phone=phone,
                            address=Address(line1=line, postal_code=zip_code))
            for name, line, phone, zip_code in (
                ("Maria Lopez", "77 Lake Shore Drive", "3125550999", "60611"),
                ("Maria Garcia", "3 Birch Lane", "2175550111", "62701"))]
    for side, n in ((after, near[0]), (before, near[1])):
        assert m.score(features.of(side), features.of(n)).weight >= m.thresholds.review
    _, _, res = _cluster([before, before, after, after, *near], [1, 1, 2, 2, 3, 4])
    assert res.cluster_of[0] != res.cluster_of[2]
    _, _, res = _cluster([before, before, after, after], [1, 1, 2, 2])
    assert res.cluster_of[0] == res.cluster_of[2]        # without them: one person


def test_a_barred_record_never_follows_its_file_onto_the_barred_file():
    """A part barred from file 1 (an account blocked there, or "not mine") whose own file's
    other part joins file 1 stays apart: it does not follow its file."""
    daniel = SubjectIdentity("900500100", "Daniel Quentin Berry", date(1984, 6, 2),
                             phone="2175550100",
                             address=Address(line1="12 Elm Street", postal_code="62701"))
    stray = SubjectIdentity(None, "D Berry", None)       # placed with no confidence
    people, files = [daniel, daniel, daniel, stray], [1, 2, 2, 2]
    _, _, res = _cluster(people, files)
    assert [(mv.kind, mv.from_id, mv.to_id) for mv in res.moves] == [("merge", 1, 2)]
    _, _, res = _cluster(people, files, barred={3: {1}})
    assert [(mv.kind, mv.from_id, mv.to_id, mv.rids) for mv in res.moves] == [
        ("merge", 1, 2, (0,)), ("split", 2, None, (3,))]


# -- the cluster as a file (step 4), in the batch as online --------------------------------

BORN = date(1971, 8, 19)


def _robert(nid, name, born=None, line=None, zip_code=None, phone=None):
    return SubjectIdentity(nid, name, born, phone=phone, address=Address(
        line1=line, postal_code=zip_code) if line else None)


def _his_parts(gen=""):
    """Robert J Smith's three parts on file 1, tied by one phone (and an id on two): his name
    in full on the first, his address on the second, his birth date on the third."""
    g = f" {gen}" if gen else ""
    return [_robert("900300101", f"Robert Smith{g}", None, "4 Old Mill Road", "62702",
                    "2175550142"),
            _robert(None, f"R J Smith{g}", None, "18 Cedar Court", "62704", "2175550142"),
            _robert("900300101", f"R J Smith{g}", BORN, phone="2175550142")]


def _his_record(name="Robert Smith", nid=None):
    """A record of his whose name agrees with the first part, its address with the second,
    its birth date with the third."""
    return _robert(nid, name, BORN, "18 Cedar Court", "62704")


def _as_file(people):
    file = FileIdentity()
    for p in people:
        file.add(features.of(p))
    return file


def _below_link(m, pairs, rid):
    """The pairs of record ``rid``: some, each at the review threshold, none at link."""
    mine = [w for w, a, b in pairs if rid in (a, b)]
    return bool(mine) and all(m.thresholds.review <= w < m.thresholds.link for w in mine)


def test_a_record_joins_the_cluster_it_matches_as_a_file():
    """None of the record's pairs reaches the link threshold; against his parts as a file it
    does, and online resolution would link it there: it joins them (its file merged)."""
    parts, x = _his_parts(), _his_record()
    m, pairs, res = _cluster([*parts, x], [1, 1, 1, 2])
    assert _below_link(m, pairs, 3)
    assert m.score_file(features.of(x), _as_file(parts)).weight >= m.thresholds.link
    assert len(set(res.cluster_of.values())) == 1
    assert [(mv.kind, mv.from_id, mv.to_id) for mv in res.moves] == [("merge", 2, 1)]
    assert res.file_match[3].weight >= m.thresholds.link
    assert res.as_file["joined"] == 1 and res.as_file["scorings"] >= 1
    recs = [clustering.Record(i, f, features.of(w))
            for i, (w, f) in enumerate(zip([*parts, x], [1, 1, 1, 2], strict=True))]
    again = clustering.Clusterer(m, recs).run(list(reversed(pairs)))     # any pair order
    assert again.cluster_of == res.cluster_of and again.moves == res.moves


@pytest.mark.parametrize(("parts", "x", "why"), [
    (_his_parts("Sr"), _his_record("Robert Smith Jr"), "generation codes differ"),
    (_his_parts(), _his_record(nid="900300777"), "national ids differ")])
def test_not_where_a_rule_forbids_it(parts, x, why):
    """The same record with a conflicting generation code, or another national id: its
    weight against the cluster as a file would link it; the rule forbids it, as online."""
    f, file = features.of(x), _as_file(parts)
    m, pairs, res = _cluster([*parts, x], [1, 1, 1, 2])
    assert rules.forbidden(f, file) == why and m.score_file(f, file).weight >= m.thresholds.link
    assert _below_link(m, pairs, 3)
    assert res.cluster_of[3] != res.cluster_of[0] and res.moves == []
    assert res.cluster_of[0] == res.cluster_of[1] == res.cluster_of[2]


def test_not_across_a_cannot_link_or_a_block():
    parts, x = _his_parts(), _his_record()
    for kept_apart in ({"apart": [(1, 2)]}, {"barred": {3: {1}}}):
        _, _, res = _cluster([*parts, x], [1, 1, 1, 2], **kept_apart)
        assert res.cluster_of[3] != res.cluster_of[0] and res.moves == []


def test_an_id_less_record_matching_two_clusters_as_files_joins_neither():
    """Another Robert Smith (another id and phone) at his address, born the same day: the
    record without an id matches both clusters as files, neither clearly ahead -- no bridge,
    no guess."""
    parts, x = _his_parts(), _his_record()
    other = [_robert("900300555", "Robert Smith", None, "18 Cedar Court", "62704",
                     "3125550177"),
             _robert("900300555", "R J Smith", BORN, phone="3125550177")]
    m, pairs, res = _cluster([*parts, x, *other], [1, 1, 1, 2, 3, 3])
    c = res.cluster_of
    assert c[0] == c[1] == c[2] and c[4] == c[5] and c[0] != c[4]
    assert _below_link(m, pairs, 3)
    assert {c[b if a == 3 else a] for _, a, b in pairs if 3 in (a, b)} == {c[0], c[4]}
    for cluster in (parts, other):
        assert m.score_file(features.of(x), _as_file(cluster)).weight >= m.thresholds.link
    assert c[3] not in (c[0], c[4]) and res.moves == []


def test_a_run_reads_and_applies_through_the_unit_of_work(tmp_path):
    """The database stages (extract, proposals, apply) on the in-memory ports: one person on
    two files is proposed as a merge, then merged, with its lineage, keys and audit event."""
    from datetime import UTC, datetime

    from openbureau.clock import FixedClock
    from tests.fakes import FakeStore, FakeUnitOfWork

    now = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    ada = _who("Ada", "900100401", date(1985, 12, 10))
    store = FakeStore()
    store.add_file(1, "Ada Smith")
    store.add_file(2, "Ada Smith")
    store.relink.parts = [relink.encrypted_part(VAULT, 1, 10, ada, accounts=2),
                          relink.encrypted_part(VAULT, 2, 11, ada, accounts=1)]
    uow = FakeUnitOfWork(store, FixedClock(now))
    proposed = relink.Run(tmp_path / "run", VAULT, uow=uow).execute()
    assert proposed["completed"][-1] == "proposals"
    assert proposed["stages"]["extract"]["records"] == 2
    assert proposed["stages"]["proposals"]["merges"] == 1
    (merge,) = json.loads((tmp_path / "run" / "proposals.json").read_text())["merges"]
    assert {merge["from"], merge["to"]} == {"sub_1", "sub_2"}
    assert store.relink.merged == [] and store.events == []        # proposed, not applied

    applied = relink.Run(tmp_path / "run", VAULT, uow=uow,
                         options=relink.Options(apply=True)).execute()
    assert applied["stages"]["apply"]["merged"] == 1
    (gone, survivor), = store.relink.merged
    assert {gone, survivor} == {1, 2} and set(store.files) == {survivor}
    assert [(r["subject_id"], r["kind"], r["other_id"]) for r in store.relink.lineage] == [
        (gone, "merged_into", survivor)]
    assert store.relink.keys and {sid for _, sid in store.relink.keys} == {survivor}
    assert store.actions() == ["identity.merged"]
    assert store.events[0].subject_ref == f"sub_{survivor}"


def test_a_merge_by_the_cluster_as_a_file_is_proposed_with_that_match(tmp_path):
    """A run finds the pairs itself (keyed blocking); the merge it proposes and the audit
    event it applies carry the match against the cluster as a file, not a weaker pair."""
    from datetime import UTC, datetime

    from openbureau.clock import FixedClock
    from tests.fakes import FakeStore, FakeUnitOfWork

    store = FakeStore()
    store.add_file(1, "Robert Smith")
    store.add_file(2, "Robert Smith")
    store.relink.parts = [*(relink.encrypted_part(VAULT, 1, 10 + i, p)
                            for i, p in enumerate(_his_parts())),
                          relink.encrypted_part(VAULT, 2, 20, _his_record())]
    uow = FakeUnitOfWork(store, FixedClock(datetime(2026, 11, 1, 12, 0, tzinfo=UTC)))
    proposed = relink.Run(tmp_path / "run", VAULT, uow=uow).execute()
    step = proposed["stages"]["clusters"]["as_file"]
    assert step["joined"] == 1 and step["scorings"] >= step["decisions"] >= 1
    (merge,) = json.loads((tmp_path / "run" / "proposals.json").read_text())["merges"]
    assert (merge["from"], merge["to"], merge["compared"]) == ("sub_2", "sub_1", "file")
    levels = {f["field"]: f["level"] for f in merge["fields"]}       # no one pair has all three
    assert merge["weight"] >= 12 and (levels["first"], levels["addr"], levels["dob"]) == (
        "exact", "same address", "exact")
    relink.Run(tmp_path / "run", VAULT, uow=uow, options=relink.Options(apply=True)).execute()
    assert store.actions() == ["identity.merged"]
    assert store.events[0].detail["compared"] == "file" and store.events[0].detail[
        "weight"] == merge["weight"]


def test_a_run_without_a_unit_of_work_stops_at_the_database(tmp_path):
    from openbureau.domain.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        relink.Run(tmp_path / "run", VAULT).execute()
