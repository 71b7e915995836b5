"""Clustering a population's scored pairs into people, under the integrity rules, and the
changes that turns into for the files as they are.

Deterministic: pairs are taken best first (weight descending, ties by record ids), records and
clusters in id order; the same pairs give the same clusters on every engine and every run.

1. **Records with a national id** join pairwise, best pair first, at or above the link
   threshold, when neither cluster holds a record the other may not take
   (``rules.forbidden``: generation codes, two national ids, a different person; ``rules.
   id_only``: an id without its name and birth date) and no cannot-link bars them.
2. **Id, first name and birth date.** A record with a national id whose pair with another
   cluster weighs below the link threshold (at or above review) joins that cluster when
   ``rules.decide`` -- the clusters it was paired with, and those holding its national id,
   taken as files -- links it there by the rule ``rules.id_dob_first`` (a married name at a
   new address): the same rule, with the same exceptions, as online resolution.
3. **Records without one** join only their single best cluster, clearly ahead of the next
   (``rules.MARGIN``), never bridging two; a record without an id that matches nothing with a
   national id may pair with its single best id-less match the same way.
4. **The cluster as a file.** A record, or a cluster of at most ``SMALL`` records, with a pair
   at or above the review threshold with another cluster but none at the link threshold is
   scored against that cluster as a file (its ``FileIdentity``: the best value of each group
   among all its records -- the name of one record, the address of another, the birth date of
   a third), as online resolution scores a record against a file: ``rules.decide`` over the
   clusters its records were paired with and those holding its national id, with the same
   model, exceptions and margin. It joins the cluster ``decide`` links it to by weight
   (``rules.MATCH``; the rule "id, first name and birth date" is step 2's, with its
   exceptions) when ``_allowed`` agrees; a cluster of several records joins where one of its
   records with a national id is linked, when none is linked elsewhere (a record without an
   id decides only for itself: never a bridge). Smaller clusters first (ties: the lower id),
   each once; ``Result.as_file`` counts the work.
5. A record that cannot be placed with confidence stays with its file -- unless a cannot-link
   or an identity-theft block bars it from where its file's other records go; then it stays
   apart (on its file, or a new one).

Then each cluster gets a *home*: the file holding most of its records (ties: the lower id), a
file being home to one cluster at most (largest first); a cluster with no free home is a new
file. Records whose home is not their file move: all of a file's records to one other file is a
**merge**, some of them a **split**.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from openbureau.identity import rules
from openbureau.identity.features import Features
from openbureau.identity.model import FileIdentity, Match, MatchModel, Thresholds


@dataclass(frozen=True, slots=True)
class Record:
    rid: int
    subject_id: int
    features: Features


@dataclass
class _Cluster:
    members: list[int]
    file: FileIdentity
    subjects: set[int]
    barred: set[int]


def _agrees(f: Features, file: FileIdentity) -> bool:
    """The file holds the record's birth date, or its first name and surname: then its best
    value of that group agrees exactly and ``rules.id_only`` cannot hold (a shortcut, not a
    rule: it spares scoring the record against the file)."""
    if f.dob is not None and any(d.dob == f.dob for d in file.dobs):
        return True
    return f.surname is not None and any(n.surname == f.surname and n.first == f.first
                                         for n in file.names)


@dataclass(frozen=True, slots=True)
class Move:
    """Records leaving ``from_id`` for ``to_id`` (None: a new file, numbered by ``cluster``)."""

    kind: str                 # merge | split
    from_id: int
    to_id: int | None
    cluster: int
    rids: tuple[int, ...]
    reason: str


@dataclass
class Result:
    cluster_of: dict[int, int] = field(default_factory=dict)      # rid -> cluster (min rid)
    placed: set[int] = field(default_factory=set)                 # rids placed by the rules
    moves: list[Move] = field(default_factory=list)
    # step 4: rid -> the match with the cluster it joined as a file; and the step's counts
    # (clusters examined, records decided, files scored, clusters joined)
    file_match: dict[int, Match] = field(default_factory=dict)
    as_file: dict[str, int] = field(default_factory=dict)


SMALL = 3       # step 4 places a record, or a cluster of up to this many (a person's parts)


class _Counted:
    """The model as ``rules.decide`` reads it, counting the files it scores."""

    def __init__(self, model: MatchModel) -> None:
        self._model = model
        self.calls = 0

    @property
    def thresholds(self) -> Thresholds:
        return self._model.thresholds

    def score_file(self, rec: Features, file: FileIdentity) -> Match:
        self.calls += 1
        return self._model.score_file(rec, file)


class Clusterer:
    def __init__(self, model: MatchModel, records: Sequence[Record],
                 barred: Mapping[int, Iterable[int]] | None = None,
                 apart: Iterable[tuple[int, int]] = ()) -> None:
        """``barred``: rid -> files its record may never share a cluster with (a consumer's
        "not mine"); ``apart``: pairs of files kept apart (cannot-link)."""
        self.model = model
        self._scorer = _Counted(model)        # every file scored here goes through it
        self.records = {r.rid: r for r in records}
        self._barred = {rid: set(v) for rid, v in (barred or {}).items()}
        of_subject: dict[int, list[int]] = {}
        for r in records:
            of_subject.setdefault(r.subject_id, []).append(r.rid)
        self._of_subject = of_subject
        self._size = {sid: len(rids) for sid, rids in of_subject.items()}
        for a, b in apart:
            for x, y in ((a, b), (b, a)):
                for rid in of_subject.get(x, ()):
                    self._barred.setdefault(rid, set()).add(y)
        self._root: dict[int, int] = {}
        self._clusters: dict[int, _Cluster] = {}

    # -- union-find over clusters ------------------------------------------------------

    def _find(self, rid: int) -> int:
        root = rid
        while self._root.get(root, root) != root:
            root = self._root[root]
        while self._root.get(rid, rid) != root:
            self._root[rid], rid = root, self._root[rid]
        return root

    def _cluster(self, root: int) -> _Cluster:
        c = self._clusters.get(root)
        if c is None:
            rec = self.records[root]
            f = FileIdentity()
            f.add(rec.features)
            c = self._clusters[root] = _Cluster([root], f, {rec.subject_id},
                                               set(self._barred.get(root, ())))
        return c

    @staticmethod
    def _free(a: _Cluster, b: _Cluster) -> bool:
        """No cannot-link or identity-theft block keeps the two clusters apart."""
        return not (a.subjects & b.barred or b.subjects & a.barred)

    def _allowed(self, a: _Cluster, b: _Cluster) -> bool:
        if not self._free(a, b):
            return False
        for x, y in ((a, b), (b, a)):
            for rid in x.members:
                f = self.records[rid].features
                if rules.forbidden(f, y.file) is not None:
                    return False
                if rules.claims(y.file, f.nid) and not _agrees(f, y.file) and rules.id_only(
                        f, y.file, self._scorer.score_file(f, y.file)):
                    return False
        return True

    def _join(self, a: int, b: int) -> None:
        ca, cb = self._cluster(a), self._cluster(b)
        keep, gone = (a, b) if a < b else (b, a)
        ck, cg = (ca, cb) if keep == a else (cb, ca)
        ck.members.extend(cg.members)
        for group, more in zip(ck.file.groups(), cg.file.groups(), strict=True):
            group.extend(more)
        ck.subjects |= cg.subjects
        ck.barred |= cg.barred
        self._root[gone] = keep
        del self._clusters[gone]

    # -- the clustering ----------------------------------------------------------------

    def run(self, pairs: Iterable[tuple[float, int, int]] | None = None, *,
            weight: Any = None, left: Any = None, right: Any = None) -> Result:
        """The clusters of the scored pairs at or above the review threshold: ``pairs``
        (weight, rid_l, rid_r) in any order, or the same as three numpy arrays."""
        import numpy as np

        if pairs is not None:
            listed = list(pairs)
            weight = np.array([p[0] for p in listed], dtype=np.float64)
            left = np.array([p[1] for p in listed], dtype=np.int64)
            right = np.array([p[2] for p in listed], dtype=np.int64)
        order = np.lexsort((right, left, -weight))          # best first, ties by ids
        weight, left, right = weight[order], left[order], right[order]

        def ranked(chunk: int = 1_000_000) -> Iterator[tuple[float, int, int]]:
            for lo in range(0, len(weight), chunk):
                yield from zip(weight[lo:lo + chunk].tolist(), left[lo:lo + chunk].tolist(),
                               right[lo:lo + chunk].tolist(), strict=True)

        t = self.model.thresholds
        has_id = {rid for rid, r in self.records.items() if r.features.nid}
        out = Result()
        for w, a, b in ranked():                   # 1. records with a national id
            if w < t.link:
                break
            if a not in has_id or b not in has_id:
                continue
            ra, rb = self._find(a), self._find(b)
            if ra != rb and self._allowed(self._cluster(ra), self._cluster(rb)):
                self._join(ra, rb)
                out.placed.update((a, b))
        self._by_rule(weight, left, right, has_id, out)   # 2. id, first name, birth date
        near: dict[int, list[tuple[float, int]]] = {}
        for w, a, b in ranked():
            if a in has_id and b in has_id:
                continue
            if (a in has_id) != (b in has_id):
                lone, other = (b, a) if a in has_id else (a, b)
                near.setdefault(lone, []).append((w, other))
            else:
                near.setdefault(a, []).append((w, -b - 1))     # id-less partners, marked
                near.setdefault(b, []).append((w, -a - 1))
        for rid in sorted(near):                    # 3. records without a national id
            self._place_lone(rid, near[rid], id_less=False, out=out)
        for rid in sorted(near):       # matching nothing with an id: its best id-less match
            if rid not in out.placed and all(other < 0 for _, other in near[rid]):
                self._place_lone(rid, near[rid], id_less=True, out=out)
        self._as_files(weight, left, right, out)    # 4. the cluster as a file
        for rid in self.records:
            out.cluster_of[rid] = self._find(rid)
        out.moves = self._moves(out)
        return out

    def _by_rule(self, weight: Any, left: Any, right: Any, has_id: set[int],
                 out: Result) -> None:
        """Pairs below the link threshold: a record with a national id joins the other's
        cluster where ``rules.decide`` links it there by ``rules.id_dob_first``; its
        candidates are the clusters it was paired with and those holding its national id (a
        cluster claiming the id under an identity the rules forbid stops the rule, as online).
        """
        import numpy as np

        t = self.model.thresholds
        low = (weight < t.link) & (weight >= t.review)
        if not low.any():
            return
        involved = np.union1d(left[low], right[low])
        touching = np.isin(left, involved) | np.isin(right, involved)
        paired: dict[int, list[int]] = {}
        for a, b in zip(left[touching].tolist(), right[touching].tolist(), strict=True):
            paired.setdefault(a, []).append(b)
            paired.setdefault(b, []).append(a)
        holding = self._holding(involved.tolist())
        for a, b in zip(left[low].tolist(), right[low].tolist(), strict=True):
            for x, y in ((a, b), (b, a)):
                target = self._find(y)
                if x in has_id and self._find(x) != target and self._rule_links(
                        x, target, paired.get(x, ()), holding.get(
                            self.records[x].features.nid, ())):
                    self._join(self._find(x), target)
                    out.placed.update((a, b))
                    break

    def _rule_links(self, rid: int, target: int, paired: Iterable[int],
                    holding: Iterable[int]) -> bool:
        f = self.records[rid].features
        file = self._cluster(target).file
        if not rules.claims(file, f.nid) or not rules.id_dob_first(
                f, file, self._scorer.score_file(f, file)):
            return False               # the rule cannot hold there: spares ``decide``
        own = self._find(rid)
        d = self._decide(rid, own, (*paired, *holding))
        return (d.outcome is rules.Outcome.LINK and d.subject_id == target
                and d.reason == rules.ID_DOB_FIRST_AGREE
                and self._allowed(self._cluster(own), self._cluster(target)))

    def _decide(self, rid: int, own: int, others: Iterable[int]) -> rules.Decision:
        """``rules.decide`` for record ``rid`` of cluster ``own`` with the clusters of the
        records ``others`` as its candidate files (by their roots); those a cannot-link or a
        block keeps apart from ``own`` barred."""
        mine = self._cluster(own)
        roots = {self._find(o) for o in others} - {own}
        files = {root: self._cluster(root).file for root in sorted(roots)}
        barred = [root for root in files if not self._free(mine, self._cluster(root))]
        return rules.decide(self._scorer, self.records[rid].features, files, cannot_link=barred)

    def _holding(self, rids: Iterable[int]) -> dict[str | None, list[int]]:
        """The records holding each national id that one of ``rids`` carries."""
        nids = {self.records[r].features.nid for r in rids} - {None}
        holding: dict[str | None, list[int]] = {}
        for rid, r in self.records.items():
            if r.features.nid in nids:
                holding.setdefault(r.features.nid, []).append(rid)
        return holding

    def _as_files(self, weight: Any, left: Any, right: Any, out: Result) -> None:
        """4. The cluster as a file (the module's docstring): clusters of up to ``SMALL``
        records whose best pair with another cluster is below the link threshold (at or above
        review: every pair given is), placed by ``rules.decide``, smaller clusters first."""
        import numpy as np

        t = self.model.thresholds
        calls = self._scorer.calls
        counts = out.as_file = dict.fromkeys(("clusters", "decisions", "scorings", "joined"), 0)
        ids = np.union1d(left, right)
        roots = np.array([self._find(r) for r in ids.tolist()], dtype=np.int64)
        rl, rr = roots[np.searchsorted(ids, left)], roots[np.searchsorted(ids, right)]
        cross = rl != rr
        lo, hi, w = np.minimum(rl, rr)[cross], np.maximum(rl, rr)[cross], weight[cross]
        strong = set(zip(lo[w >= t.link].tolist(), hi[w >= t.link].tolist(), strict=True))
        weak = {pair for pair in zip(lo[w < t.link].tolist(), hi[w < t.link].tolist(),
                                     strict=True) if pair not in strong}
        size = {r: len(self._cluster(r).members) for pair in weak for r in pair}
        order = sorted((n, r) for r, n in size.items() if n <= SMALL)
        members = [m for _, r in order for m in self._cluster(r).members]
        touching = np.isin(left, members) | np.isin(right, members)
        partners: dict[int, list[tuple[float, int]]] = {}
        for wt, a, b in zip(weight[touching].tolist(), left[touching].tolist(),
                            right[touching].tolist(), strict=True):
            partners.setdefault(a, []).append((wt, b))
            partners.setdefault(b, []).append((wt, a))
        holding = self._holding(members)
        for _, c in order:
            own = self._find(c)
            mine = self._cluster(own)
            if len(mine.members) > SMALL:
                continue
            best: dict[int, float] = {}
            for m in mine.members:
                for wt, o in partners.get(m, ()):
                    if (root := self._find(o)) != own:
                        best[root] = max(best.get(root, wt), wt)
            if all(wt >= t.link for wt in best.values()):
                continue
            counts["clusters"] += 1
            linked: dict[int, dict[int, Match]] = {}      # cluster -> its records' matches
            by_weight = False
            for m in sorted(mine.members):
                nid = self.records[m].features.nid
                if nid or len(mine.members) == 1:     # an id-less record decides for itself
                    d = self._decide(m, own, (*best, *holding.get(nid, ())))
                    counts["decisions"] += 1
                    if d.outcome is rules.Outcome.LINK and d.subject_id is not None \
                            and d.match is not None:
                        linked.setdefault(d.subject_id, {})[m] = d.match
                        by_weight |= d.reason == rules.MATCH
            # linked by weight: the rule "id, first name and birth date" is step 2's (it
            # stops where another cluster is near, which step 3 may since have absorbed)
            if len(linked) != 1 or not by_weight:
                continue
            [(target, matches)] = linked.items()
            if best.get(target, t.link) < t.link and self._allowed(mine, self._cluster(target)):
                out.placed.update(mine.members)
                out.file_match.update(matches)
                self._join(own, target)
                counts["joined"] += 1
        counts["scorings"] = self._scorer.calls - calls

    def _place_lone(self, rid: int, cands: list[tuple[float, int]], *, id_less: bool,
                    out: Result) -> None:
        t = self.model.thresholds
        best: dict[int, float] = {}
        for w, other in cands:
            if (other < 0) != id_less:
                continue
            other = -other - 1 if other < 0 else other
            root = self._find(other)
            if root == self._find(rid):
                continue
            best[root] = max(best.get(root, w), w)
        mine = self._cluster(self._find(rid))
        ranked = sorted(((w, root) for root, w in best.items()
                         if self._allowed(mine, self._cluster(root))),
                        key=lambda x: (-x[0], x[1]))
        if not ranked or ranked[0][0] < t.link:
            return
        if len(ranked) > 1 and ranked[1][0] >= t.review and \
                ranked[0][0] - ranked[1][0] < rules.MARGIN:
            return                                  # two files: never a bridge
        self._join(self._find(rid), ranked[0][1])
        out.placed.add(rid)

    # -- from clusters to changes of files ---------------------------------------------

    def _moves(self, out: Result) -> list[Move]:
        members: dict[int, list[int]] = {}
        for rid in sorted(self.records):
            members.setdefault(out.cluster_of[rid], []).append(rid)
        counts = {c: Counter(self.records[r].subject_id for r in rids)
                  for c, rids in members.items()}
        home: dict[int, int | None] = {}
        taken: dict[int, int] = {}           # file -> the cluster it is home to
        for c in sorted(members, key=lambda c: (-len(members[c]), c)):
            # the file holding most of the cluster, then the file most of whose records it is
            free = [(-n, -n / self._size[sid], sid) for sid, n in counts[c].items()
                    if sid not in taken]
            home[c] = min(free)[2] if free else None
            if free:
                taken[min(free)[2]] = c
        # a file that is home to no cluster goes where most of its records go
        by_subject: dict[int, Counter[int]] = {}
        for rid, r in self.records.items():
            by_subject.setdefault(r.subject_id, Counter())[out.cluster_of[rid]] += 1
        where: dict[int, int] = {}           # rid -> destination cluster
        for rid, r in self.records.items():
            c = out.cluster_of[rid]
            if len(members[c]) == 1 and rid not in out.placed:
                # unplaced and alone: stays with its file, wherever the file goes -- unless
                # a cannot-link or a block bars it from the records it would join there
                own = taken.get(r.subject_id)
                dest = own if own is not None else min(
                    by_subject[r.subject_id].items(), key=lambda kv: (-kv[1], kv[0]))[0]
                if self._may_join(rid, members[dest]):
                    c = dest
            where[rid] = c
        moving: dict[tuple[int, int], list[int]] = {}
        for rid in sorted(self.records):
            sid, c = self.records[rid].subject_id, where[rid]
            if home[c] != sid:
                moving.setdefault((sid, c), []).append(rid)
        stays = {self.records[rid].subject_id for rid in self.records
                 if home[where[rid]] == self.records[rid].subject_id}
        ways = Counter(sid for sid, _ in moving)
        moves = []
        for (sid, c), rids in sorted(moving.items()):
            merge = sid not in stays and ways[sid] == 1 and home[c] is not None
            kind = "merge" if merge else "split"
            moves.append(Move(kind, sid, home[c], c, tuple(rids), self._why(kind, sid, rids)))
        return moves

    def _may_join(self, rid: int, others: Iterable[int]) -> bool:
        mine = self._barred.get(rid, set())
        sid = self.records[rid].subject_id
        return not any(self.records[o].subject_id in mine
                       or sid in self._barred.get(o, ()) for o in others)

    def _why(self, kind: str, sid: int, rids: list[int]) -> str:
        if kind == "merge":
            return "the same person as the file it joins"
        rest = FileIdentity()
        for rid in self._of_subject[sid]:
            if rid not in rids:
                rest.add(self.records[rid].features)
        for rid in rids:
            why = rules.forbidden(self.records[rid].features, rest)
            if why is not None:
                return f"another person than the rest of the file ({why})"
        return "records of another person than the rest of the file"
