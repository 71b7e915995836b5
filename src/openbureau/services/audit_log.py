"""Reading, verifying and checkpointing the audit chain (reads of the log are themselves
audited)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from openbureau.adapters import audit
from openbureau.adapters.audit_checkpoints import Checkpoint, Recorded
from openbureau.adapters.audit_checkpoints import append as append_checkpoint
from openbureau.adapters.audit_checkpoints import read as read_checkpoints
from openbureau.domain.roles import SYSTEM, Principal
from openbureau.services.ports import Deps, UnitOfWork


def list_events(uow: UnitOfWork, deps: Deps, who: Principal, after: int, limit: int,
                subject_ref: str | None, *, before: int | None = None,
                order: str | None = None, actor: str | None = None,
                action: str | None = None) -> dict[str, Any]:
    """A page of the audit log, newest first unless ``order`` is "oldest" (or ``after`` is
    given, the oldest-first cursor): ``before``/``after`` are event numbers (``seq``) to page
    from, ``next_before``/``next_after`` the cursor of the next page (None on the last).
    Filters: the file (``subject_ref``), ``actor`` (contains), ``action`` (starts with)."""
    oldest = order == "oldest" or (order is None and after > 0)
    with uow:
        rows = uow.audit_log.events(after, limit, subject_ref, before=before, oldest=oldest,
                                    actor=actor, action=action)
        uow.audit(who.actor, "audit.read", subject_ref, "oversight", after=after,
                  before=before, order="oldest" if oldest else "newest",
                  actor_filter=actor, action_filter=action)
        uow.commit()
    items = [dict(r, at=r["at"].isoformat()) for r in rows]
    more = len(items) == limit
    return {"items": items, "order": "oldest" if oldest else "newest",
            "next_after": items[-1]["seq"] if more and oldest else None,
            "next_before": items[-1]["seq"] if more and not oldest else None}


def verify(uow: UnitOfWork, deps: Deps, who: Principal = SYSTEM,
           checkpoints: Path | None = None) -> audit.VerifyResult:
    """Walk the chain; with ``checkpoints`` (a checkpoint file), also check that the chain still
    holds every head recorded there, with the same value. Raises ``CheckpointFileError`` when
    that file cannot be read or holds something else."""
    recorded = None if checkpoints is None else read_checkpoints(checkpoints, deps.audit_key)
    with uow:
        result = uow.audit_log.verify()
        if recorded is not None:
            result = _against(uow, result, recorded)
    return result


def seal_unkeyed(uow: UnitOfWork, deps: Deps) -> int:
    """After an upgrade: if the chain's last event predates the audit key, append the keyed
    event ``audit.chain_keyed``, whose MAC covers the unkeyed events before it (they verify
    only under a keyed event). Returns how many unkeyed events it sealed (0: nothing to do)."""
    with uow:
        last = uow.audit_log.last()
        if last is None or last[1]:
            return 0
        uow.audit(SYSTEM.actor, "audit.chain_keyed", None, "oversight", sealed_through=last[0])
        uow.commit()
    return last[0]


def checkpoint(uow: UnitOfWork, deps: Deps,
               path: Path) -> tuple[audit.VerifyResult, dict[str, Any] | None]:
    """Verify the chain (and the checkpoints already in ``path``), then append its head to
    ``path``. Returns the verification and the line written; nothing is written (None) when
    the chain or an earlier checkpoint does not verify."""
    result = verify(uow, deps, checkpoints=path if path.exists() else None)
    if not result.ok:
        return result, None
    head = Checkpoint(result.events, result.head_hash or audit.GENESIS,
                      result.head_at.isoformat() if result.head_at else None,
                      deps.clock.now().isoformat())
    return result, append_checkpoint(path, head, deps.audit_key)


def _against(uow: UnitOfWork, result: audit.VerifyResult,
             recorded: list[Recorded]) -> audit.VerifyResult:
    """The chain's result, failed at the first checkpoint it no longer holds."""
    if not result.ok:
        return dataclasses.replace(result, checkpoints=0)
    seqs = sorted({r.checkpoint.seq for r in recorded if 0 < r.checkpoint.seq <= result.events})
    stored: dict[int, str] = {0: audit.GENESIS, **uow.audit_log.hashes(seqs)}

    def failed(seq: int, problem: str) -> audit.VerifyResult:
        return dataclasses.replace(result, ok=False, first_bad_event=seq, problem=problem,
                                   head_hash=None, head_at=None, checkpoints=len(recorded))

    for r in recorded:
        cp, where = r.checkpoint, f"the checkpoint on line {r.line} (taken {r.checkpoint.taken_at})"
        if not r.genuine:
            return failed(cp.seq, f"{where} is not genuine: its MAC does not verify with this "
                          "audit key (the checkpoint file was edited, or OPENBUREAU_AUDIT_KEY "
                          "is not the key it was written with)")
        if cp.seq > result.events:
            return failed(result.events + 1, f"{where} records event {cp.seq} but the chain "
                          f"ends at event {result.events}: events were deleted")
        if stored.get(cp.seq) != cp.hash:
            return failed(cp.seq, f"event {cp.seq} is not the one {where} recorded: events up "
                          f"to {cp.seq} were changed or deleted and the chain re-computed")
    return dataclasses.replace(result, checkpoints=len(recorded))
