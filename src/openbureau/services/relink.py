"""Batch re-link: the whole population's files re-examined at once, on DuckDB or Spark; files
that are one person merged, a file holding two people split -- with lineage, audit, and the old
public refs still answering.

A run lives in a directory and goes through stages, each leaving its output there and its
mark in ``state.json``; a run stopped anywhere continues where it stopped, and the same input
gives the same output:

1. ``extract`` -- every file's parts (one furnisher's share of a file: its accounts and its
   newest reported name, national id, birth date, address and phone) as they are kept,
   *encrypted* (``records.parquet``), and what keeps parts apart (``constraints.json``):
   cannot-links and identity-theft blocks (an account blocked on a file never joins it);
2. ``pairs`` -- the parts decrypted in this process, their features and keyed blocking keys
   handed to the engine, which returns for each blocked pair only ids, level indices and
   name frequencies; their weights (``identity.batch``) at or above the review threshold
   kept (``pairs.parquet``);
3. ``clusters`` -- ``identity.clustering`` under the integrity rules (``clusters.parquet``,
   ``moves.json``; ``as_file.json``: the match of each record placed against a cluster as a
   file, and in ``state.json`` how many such scorings the step made);
4. ``proposals`` -- the merges and splits with their files' public refs, weights and each
   field's contribution, of the best pair or of the match as a file (``compared``)
   (``proposals.json``, ``summary.json``);
5. ``apply`` (``--apply``) -- refused if a cannot-link or block was added since the extract;
   in one transaction: new files for split-off people, accounts
   and observations moved, merged files pointing at their survivor (``merged_into_id``),
   ``file_lineage`` rows, the affected files' blocking keys rebuilt, the other files' missing
   either-order and surname-as-first-name keys added (the backfill of files kept before those
   keys), an audit event
   per merge and split (``identity.merged`` / ``identity.split``: weight and fields, never a
   value).

Nothing identifying is written to the run directory in plaintext: ``records.parquet`` holds
the database's own ciphertexts, the rest ids, levels and weights.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openbureau.adapters.audit import PendingEvent
from openbureau.domain.errors import Conflict, FieldError, ValidationFailed
from openbureau.domain.record_types import SubjectIdentity
from openbureau.identity import batch, clustering, features, model
from openbureau.identity.features import Features
from openbureau.services import identity_store, resolution
from openbureau.services.ports import UnitOfWork, Vault
from openbureau.services.relink_parts import (  # noqa: F401  (the run's parts, re-exported)
    CT,
    encrypted_part,
    identity_of,
    interned,
    records_table,
)

STAGES = ("extract", "pairs", "clusters", "proposals", "apply")
ENGINES = ("duckdb", "spark")
STATE = "state.json"

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class Options:
    engine: str = "duckdb"
    apply: bool = False
    stop_after: str | None = None
    memory_limit: str = "2GB"          # DuckDB's (1,000,000 people: 7.3 GiB peak; 4GB: 8.5)
    threads: int = 2


def _quiet(stage: str, done: int, total: int) -> None:
    return None


def start_from(folder: Path, parts: Iterable[dict[str, Any]],
               barred: Iterable[tuple[int, int, int]] = (),
               apart: Iterable[tuple[int, int]] = ()) -> int:
    """Begin a run in ``folder`` from parts already extracted (``encrypted_part``: a synthetic
    population, a benchmark): its ``extract`` stage done without a database. The number of
    records."""
    import pyarrow.parquet as pq

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    table = records_table(parts)
    pq.write_table(table, folder / "records.parquet", compression="zstd")
    (folder / "constraints.json").write_text(json.dumps(
        {"barred": [list(b) for b in barred], "apart": [list(a) for a in apart]}))
    state = {"run": f"relink-{secrets.token_hex(6)}", "model": model.VERSION,
             "engine": None, "stages": {"extract": {"records": table.num_rows}}}
    (folder / STATE).write_text(json.dumps(state, indent=2))
    return int(table.num_rows)


# -- the run -------------------------------------------------------------------------------------

class Run:
    """One re-link run in ``folder`` (created if missing). A unit of work ``uow`` is needed
    for the stages that touch the database (extract, proposals, apply; each its own
    transaction); a run whose ``records.parquet`` was written by someone else (a benchmark)
    needs only a vault."""

    def __init__(self, folder: Path, vault: Vault, *, uow: UnitOfWork | None = None,
                 options: Options = Options(), spark: Any = None,
                 progress: Progress | None = None,
                 match_model: model.MatchModel | None = None) -> None:
        if options.engine not in ENGINES:
            raise ValidationFailed([FieldError("engine", f"one of {', '.join(ENGINES)}")])
        if options.stop_after is not None and options.stop_after not in STAGES:
            raise ValidationFailed([FieldError("stop_after", f"one of {', '.join(STAGES)}")])
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.vault, self.uow, self.options, self.spark = vault, uow, options, spark
        self.progress = progress or _quiet
        self.model = match_model or model.load()
        self.state = self._load()
        self._features: list[Features] | None = None

    # -- state --------------------------------------------------------------------------

    def _load(self) -> dict[str, Any]:
        path = self.folder / STATE
        if path.exists():
            state: dict[str, Any] = json.loads(path.read_text())
            if state.get("engine") is None:
                state["engine"] = self.options.engine
            if state.get("model") != self.model.version:
                raise Conflict(f"this run directory was started with model {state.get('model')}"
                               f", not {self.model.version}: use a new directory")
            return state
        state = {"run": f"relink-{secrets.token_hex(6)}", "model": self.model.version,
                 "engine": self.options.engine, "stages": {}}
        path.write_text(json.dumps(state, indent=2))
        return state

    def _done(self, stage: str, **facts: Any) -> None:
        self.state["stages"][stage] = facts
        tmp = self.folder / (STATE + ".tmp")
        tmp.write_text(json.dumps(self.state, indent=2, sort_keys=True, default=str))
        tmp.replace(self.folder / STATE)

    @property
    def run_id(self) -> str:
        return str(self.state["run"])

    def completed(self) -> list[str]:
        return [s for s in STAGES if s in self.state["stages"]]

    def execute(self) -> dict[str, Any]:
        """Run the stages not yet done (through ``proposals``, or ``apply`` when asked);
        the summary."""
        last = self.options.stop_after or ("apply" if self.options.apply else "proposals")
        for stage in STAGES[:STAGES.index(last) + 1]:
            if stage in self.state["stages"]:
                continue
            t0 = time.perf_counter()
            facts = getattr(self, f"_{stage}")()
            self._done(stage, seconds=round(time.perf_counter() - t0, 3), **facts)
        return self.summary()

    def summary(self) -> dict[str, Any]:
        return {"run": self.run_id, "model": self.model.version,
                "engine": self.state.get("engine"), "completed": self.completed(),
                "stages": self.state["stages"]}

    def _unit(self) -> UnitOfWork:
        if self.uow is None:
            raise ValidationFailed([FieldError("database", "this stage needs the database")])
        return self.uow

    # -- 1. extract ---------------------------------------------------------------------

    def _extract(self) -> dict[str, Any]:
        import pyarrow.parquet as pq

        with self._unit() as uow:
            rows = []
            for r in uow.relink.parts(self.vault):
                rows.append(r)
                if len(rows) % 10000 == 0:
                    self.progress("extract", len(rows), 0)
            barred, apart = uow.relink.cannot_links(self.vault)
        table = records_table(rows)
        pq.write_table(table, self.folder / "records.parquet", compression="zstd")
        (self.folder / "constraints.json").write_text(json.dumps(
            {"barred": barred, "apart": apart}))
        self.progress("extract", len(rows), len(rows))
        return {"records": len(rows), "files": len({r["subject_id"] for r in rows}),
                "cannot_links": len(barred) + len(apart)}

    def _records(self, columns: list[str] | None = None) -> Any:
        import pyarrow.parquet as pq

        return pq.read_table(self.folder / "records.parquet", columns=columns)

    def identities(self, rids: Iterable[int] | None = None,
                   chunk: int = 100_000) -> Iterable[tuple[int, SubjectIdentity]]:
        """(rid, identity) of the records (all, or ``rids``), decrypted as they are read and
        kept by nobody."""
        table = self._records()
        wanted = sorted(set(rids)) if rids is not None else None
        if wanted is not None:
            import pyarrow as pa

            table = table.take(pa.array(wanted, pa.int64()))
        n = table.num_rows
        for lo in range(0, n, chunk):
            part = table.slice(lo, chunk)
            ids = part.column("rid").to_pylist()
            cols = {c: part.column(c).to_pylist() for c in CT}
            for i, rid in enumerate(ids):
                yield rid, identity_of(self.vault, {c: cols[c][i] for c in CT})
            self.progress("decrypt", min(lo + chunk, n), n)

    def features(self) -> list[Features]:
        """Every record's features (kept for the run's later stages; identities are not)."""
        if self._features is None:
            self._features = [f for _, fs in self._prepared(with_rows=False) for f in fs]
        return self._features

    def _prepared(self, *, with_rows: bool) -> Iterator[tuple[Any, list[Features]]]:
        """Per chunk of records, in order: the engine's rows (``batch.row``: features and
        keyed blocking keys; with ``with_rows``) and the features -- on ``threads`` forked
        processes when there is enough to share."""
        table = self._records()
        n = table.num_rows
        chunks = [(lo, min(lo + _CHUNK, n), with_rows) for lo in range(0, n, _CHUNK)]
        done = 0
        if self.options.threads > 1 and len(chunks) > 2:
            import multiprocessing

            _WORK.update(run=self, table=table)
            try:
                with multiprocessing.get_context("fork").Pool(self.options.threads) as pool:
                    for rows, fs in pool.imap(_prepare, chunks):
                        done += len(fs)
                        self.progress("features", done, n)
                        # what a worker interned arrives as fresh copies: shared again here
                        yield rows, [interned(f) for f in fs]
            finally:
                _WORK.clear()
            return
        for chunk in chunks:
            out = self._prepare_chunk(table, *chunk)
            done += len(out[1])
            self.progress("features", done, n)
            yield out

    def _prepare_chunk(self, table: Any, lo: int, hi: int, with_rows: bool
                       ) -> tuple[Any, list[Features]]:
        import pyarrow as pa

        part = table.slice(lo, hi - lo)
        cols = {c: part.column(c).to_pylist() for c in CT}
        hashes = identity_store.Hashes(self.vault)
        feats, rows = [], []
        for i in range(hi - lo):
            who = identity_of(self.vault, {c: cols[c][i] for c in CT})
            f = interned(features.of(who))
            feats.append(f)
            if with_rows:
                keys = identity_store.blocking_keys(
                    hashes, who, hashes(who.national_id) if who.national_id else None)
                rows.append(batch.row(lo + i, f, keys, self.model))
        return (pa.RecordBatch.from_pylist(rows, schema=batch.schema()) if with_rows
                else None), feats

    # -- 2. pairs -----------------------------------------------------------------------

    def _pairs(self) -> dict[str, Any]:
        import numpy as np
        import pyarrow as pa
        import pyarrow.parquet as pq

        batches, feats = [], []
        for rows, fs in self._prepared(with_rows=True):
            batches.append(rows)
            feats.extend(fs)
        self._features = feats
        records = pa.Table.from_batches(batches, schema=batch.schema())
        del batches
        levels = self.folder / "levels.parquet.tmp"
        self.progress("pairs", 0, 1)
        if self.state.get("engine", self.options.engine) == "spark":
            if self.spark is None:
                from openbureau.adapters.scoring_engines import spark_session

                self.spark = spark_session("local[2]")
            scored = batch.spark_levels(self.spark, records, levels)
        else:
            scored = batch.duckdb_levels(records, levels, threads=self.options.threads,
                                         memory_limit=self.options.memory_limit,
                                         temp_dir=self.folder / "duckdb.tmp")
        del records
        kept = strong = 0
        source = pq.ParquetFile(levels)
        out = self.folder / "pairs.parquet"
        writer = None
        try:
            for chunk in source.iter_batches(batch_size=1_000_000):
                table = pa.Table.from_batches([chunk])
                w = batch.weights(self.model, table)
                keep = w >= self.model.thresholds.review
                table = table.append_column("weight", pa.array(w, pa.float64())).filter(
                    pa.array(keep))
                kept += table.num_rows
                strong += int(np.count_nonzero(w >= self.model.thresholds.link))
                if writer is None:
                    writer = pq.ParquetWriter(out, table.schema, compression="zstd")
                writer.write_table(table)
                self.progress("pairs", kept, scored)
        finally:
            if writer is not None:
                writer.close()
        if writer is None:
            pq.write_table(pa.table({"rid_l": pa.array([], pa.int64()),
                                     "rid_r": pa.array([], pa.int64()),
                                     "weight": pa.array([], pa.float64())}), out)
        levels.unlink()
        return {"pairs_scored": scored, "pairs_kept": kept, "pairs_at_link": strong,
                "engine": self.state.get("engine")}

    # -- 3. clusters --------------------------------------------------------------------

    def _clusters(self) -> dict[str, Any]:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = self._records(["subject_id", "furnisher_id"])
        subject = table.column("subject_id").to_pylist()
        furnisher = table.column("furnisher_id").to_pylist()
        feats = self.features()
        recs = [clustering.Record(rid, subject[rid], feats[rid]) for rid in range(len(feats))]
        cons = json.loads((self.folder / "constraints.json").read_text())
        part = {(s, f): rid for rid, (s, f) in enumerate(zip(subject, furnisher, strict=True))}
        barred: dict[int, set[int]] = {}
        for sid, fid, target in cons["barred"]:
            rid = part.get((sid, fid))
            if rid is not None:
                barred.setdefault(rid, set()).add(target)
        pairs = pq.read_table(self.folder / "pairs.parquet", columns=["weight", "rid_l", "rid_r"])
        self.progress("clusters", 0, 1)
        result = clustering.Clusterer(
            self.model, recs, barred, [(a, b) for a, b in cons["apart"]]).run(
            weight=pairs.column("weight").to_numpy(), left=pairs.column("rid_l").to_numpy(),
            right=pairs.column("rid_r").to_numpy())
        del pairs
        rids = sorted(result.cluster_of)
        pq.write_table(pa.table({
            "rid": pa.array(rids, pa.int64()),
            "subject_id": pa.array([subject[r] for r in rids], pa.int64()),
            "cluster": pa.array([result.cluster_of[r] for r in rids], pa.int64()),
            "placed": pa.array([r in result.placed for r in rids], pa.bool_())}),
            self.folder / "clusters.parquet", compression="zstd")
        (self.folder / "moves.json").write_text(json.dumps(
            [{"kind": m.kind, "from_id": m.from_id, "to_id": m.to_id, "cluster": m.cluster,
              "rids": list(m.rids), "reason": m.reason} for m in result.moves], indent=1))
        (self.folder / "as_file.json").write_text(json.dumps(
            {str(rid): _evidence_of(match, "file")
             for rid, match in sorted(result.file_match.items())}, indent=1))
        self.progress("clusters", 1, 1)
        return {"clusters": len(set(result.cluster_of.values())),
                "merges": sum(m.kind == "merge" for m in result.moves),
                "splits": sum(m.kind == "split" for m in result.moves),
                "as_file": result.as_file}

    def moves(self) -> list[dict[str, Any]]:
        moves: list[dict[str, Any]] = json.loads((self.folder / "moves.json").read_text())
        return moves

    # -- 4. proposals -------------------------------------------------------------------

    def _evidence(self, moves: list[dict[str, Any]]) -> list[dict[str, Any] | None]:
        """Per move, the best pair joining its records to the rest of their new cluster -- or,
        for a record the clustering placed against the cluster as a file, that match: its
        weight and each field's level and weight, and which it was (``compared``)."""
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        path = self.folder / "as_file.json"
        as_file: dict[str, dict[str, Any]] = json.loads(path.read_text()) if path.exists() else {}

        clusters = pq.read_table(self.folder / "clusters.parquet")
        cluster_of = dict(zip(clusters.column("rid").to_pylist(),
                              clusters.column("cluster").to_pylist(), strict=True))
        wanted = {r for m in moves for r in m["rids"]}
        pairs = pq.read_table(self.folder / "pairs.parquet")
        if wanted and pairs.num_rows:
            ids = list(wanted)
            pairs = pairs.filter(pc.or_(pc.is_in(pairs.column("rid_l"), value_set=_ints(ids)),
                                        pc.is_in(pairs.column("rid_r"), value_set=_ints(ids))))
        touching: dict[int, list[dict[str, Any]]] = {}
        for p in pairs.to_pylist() if wanted else []:
            for side in ("rid_l", "rid_r"):
                if p[side] in wanted:
                    touching.setdefault(p[side], []).append(p)
        out: list[dict[str, Any] | None] = []
        for m in moves:
            mine = set(m["rids"])
            best = None
            for p in (p for r in m["rids"] for p in touching.get(r, ())):
                a, b = p["rid_l"], p["rid_r"]
                other = b if a in mine else a
                if other in mine or cluster_of.get(other) != m["cluster"]:
                    continue
                if best is None or (p["weight"], -a, -b) > (best["weight"], -best["rid_l"],
                                                            -best["rid_r"]):
                    best = p
            joined = [as_file[str(r)] for r in m["rids"] if str(r) in as_file]
            if joined:          # placed against the cluster as a file: that match decided
                out.append(max(joined, key=lambda e: e["weight"]))
                continue
            if best is None:
                out.append(None)
                continue
            match = batch.explain(self.model, {k[2:]: v for k, v in best.items()
                                               if k.startswith("g_")},
                                  {k[3:]: v for k, v in best.items() if k.startswith("tf_")})
            out.append(_evidence_of(match, "pair"))
        return out

    def _proposals(self) -> dict[str, Any]:
        moves = self.moves()
        table = self._records(["accounts"])
        accounts = table.column("accounts").to_pylist()
        with self._unit() as uow:
            refs = uow.relink.refs({i for m in moves
                                                   for i in (m["from_id"], m["to_id"]) if i})
        evidence = self._evidence(moves)
        merges: list[dict[str, Any]] = []
        splits: list[dict[str, Any]] = []
        for m, ev in zip(moves, evidence, strict=True):
            item = {"from": refs.get(m["from_id"]),
                    "to": refs.get(m["to_id"]) if m["to_id"] else None,
                    "new_file": m["to_id"] is None, "records": len(m["rids"]),
                    "accounts": sum(accounts[r] for r in m["rids"]), "reason": m["reason"],
                    "weight": ev["weight"] if ev else None, "fields": ev["fields"] if ev else [],
                    "compared": ev["compared"] if ev else None}
            (merges if m["kind"] == "merge" else splits).append(item)
        (self.folder / "proposals.json").write_text(json.dumps(
            {"run": self.run_id, "model": self.model.version, "merges": merges,
             "splits": splits}, indent=1))
        facts = {"merges": len(merges), "splits": len(splits),
                 "new_files": len({m["cluster"] for m in moves if m["to_id"] is None}),
                 "records_moving": sum(len(m["rids"]) for m in moves),
                 "accounts_moving": sum(i["accounts"] for i in merges + splits)}
        (self.folder / "summary.json").write_text(json.dumps(
            {**self.summary(), "proposed": facts}, indent=1, default=str))
        return facts

    # -- 5. apply -----------------------------------------------------------------------

    def _apply(self) -> dict[str, Any]:
        unit = self._unit()
        moves = self.moves()
        evidence = self._evidence(moves)
        table = self._records(["subject_id", "furnisher_id"])
        subject = table.column("subject_id").to_pylist()
        furnisher = table.column("furnisher_id").to_pylist()
        now = unit.clock.now()
        involved = {i for m in moves for i in (m["from_id"], m["to_id"]) if i}
        # the identities of the records moving or on a file that changes, and only those
        identities = dict(self.identities(
            {r for m in moves for r in m["rids"]}
            | {rid for rid, sid in enumerate(subject) if sid in involved}))
        moved_accounts = 0
        with unit as uow:
            if uow.relink.live(involved) != involved:
                raise Conflict("files of this run were merged or removed since its extract: "
                               "start a new run")
            barred, apart = uow.relink.cannot_links(self.vault)
            cons = json.loads((self.folder / "constraints.json").read_text())
            if ({tuple(x) for x in barred} - {tuple(x) for x in cons["barred"]}
                    or {tuple(x) for x in apart} - {tuple(x) for x in cons["apart"]}):
                raise Conflict("cannot-links or identity-theft blocks were added since this "
                               "run's extract: start a new run")
            new_of = {m["cluster"]: str(m["cluster"]) for m in moves if m["to_id"] is None}
            firsts = {}
            for m in moves:
                if m["to_id"] is None and new_of[m["cluster"]] not in firsts:
                    firsts[new_of[m["cluster"]]] = identities[m["rids"][0]]
            # resolution's dialect is the callers' habit, unread: the repository knows its own
            made = resolution.create_files(uow, self.vault, firsts, now)
            target = {m["cluster"]: m["to_id"] if m["to_id"] else made[new_of[m["cluster"]]][0]
                      for m in moves}
            refs = uow.relink.refs(involved | set(target.values()))
            lineage, events = [], []
            dest: dict[int, int] = {}
            for m, ev in zip(moves, evidence, strict=True):
                to = target[m["cluster"]]
                weight = ev["weight"] if ev else None
                link = {"how": "relink", "run": self.run_id, "model": self.model.version,
                        "weight": weight, "fields": ev["fields"] if ev else [],
                        "at": now.isoformat()}
                if m["kind"] == "merge":
                    moved_accounts += uow.relink.move_part(m["from_id"], to, None, link)
                    uow.relink.merge_rest(m["from_id"], to)
                    lineage.append({"subject_id": m["from_id"], "kind": "merged_into",
                                    "other_id": to})
                else:
                    fids = {furnisher[r] for r in m["rids"]}
                    moved_accounts += uow.relink.move_part(m["from_id"], to, fids, link)
                    lineage.append({"subject_id": to, "kind": "split_from",
                                    "other_id": m["from_id"]})
                lineage[-1].update(weight=weight, reason=m["reason"][:200], run=self.run_id,
                                   at=now)
                for r in m["rids"]:
                    dest[r] = to
                action = "identity.merged" if m["kind"] == "merge" else "identity.split"
                events.append(PendingEvent(
                    now, "identity relink", action, refs.get(to), "identity relink", {
                        "run": self.run_id, "from": refs.get(m["from_id"]), "to": refs.get(to),
                        "new_file": m["to_id"] is None, "records": len(m["rids"]),
                        "reason": m["reason"], "weight": weight,
                        "fields": ev["fields"] if ev else [],
                        "compared": ev["compared"] if ev else None}))
            uow.relink.lineage(lineage)
            affected = involved | set(target.values())
            hashes = identity_store.Hashes(self.vault)
            keys: set[tuple[str, int]] = set()
            on_affected = {rid: dest.get(rid, sid) for rid, sid in enumerate(subject)
                           if dest.get(rid, sid) in affected}
            for rid, now_on in sorted(on_affected.items()):
                who = identities[rid]
                h = hashes(who.national_id) if who.national_id else None
                keys.update((k, now_on) for k in identity_store.blocking_keys(hashes, who, h))
            uow.relink.replace_keys(affected, keys)
            # the other files: the keys their parts give that they lack -- the either-order
            # name key and the surname as a first name, for files kept before they existed
            # (the backfill)
            feats = self.features()
            missing = {(k, sid) for rid, sid in enumerate(subject) if sid not in affected
                       for k in identity_store.name_keys_added(
                           hashes, feats[rid].first, feats[rid].surname, feats[rid].dob)}
            added = uow.relink.add_keys(missing)
            uow.audit_many(events)
            uow.commit()
        facts = {"merged": sum(m["kind"] == "merge" for m in moves),
                 "split": sum(m["kind"] == "split" for m in moves),
                 "new_files": len(made), "accounts_moved": moved_accounts,
                 "keys_added": added}
        (self.folder / "applied.json").write_text(json.dumps(
            {"run": self.run_id, "at": now.isoformat(), **facts}, indent=1))
        return facts


_CHUNK = 50_000
_WORK: dict[str, Any] = {}          # what forked workers read (the run and its records)


def _prepare(chunk: tuple[int, int, bool]) -> tuple[Any, list[Features]]:
    run: Run = _WORK["run"]
    return run._prepare_chunk(_WORK["table"], *chunk)


def _evidence_of(match: model.Match, compared: str) -> dict[str, Any]:
    """A match as a move's evidence: its weight and each field's level and weight."""
    return {"weight": round(match.weight, 2), "fields": match.explain(), "compared": compared}


def _ints(values: list[int]) -> Any:
    import pyarrow as pa

    return pa.array(values, pa.int64())
