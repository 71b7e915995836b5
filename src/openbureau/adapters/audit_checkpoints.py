"""Checkpoints of the audit chain's head, kept outside the database.

A checkpoint is one JSON line appended to a file: the head event's ``seq``, its chain value
(``hash``), the event's time, when the checkpoint was taken, and a MAC of all of them under the
audit key. Copied somewhere the database's administrators cannot rewrite (docs/security.md), it
pins the chain up to that event: whoever deletes or changes an event before it and re-chains,
even with the key, changes the chain value at ``seq``; whoever deletes events from the end
leaves a chain shorter than the checkpoint.
"""

from __future__ import annotations

import hmac
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openbureau.adapters.audit import ChainKey

VERSION = 1
_DOMAIN = b"openbureau audit checkpoint\n"      # a checkpoint's MAC is never an event's
_HEX64 = re.compile(r"[0-9a-f]{64}")


class CheckpointFileError(Exception):
    """The checkpoint file is missing, unreadable, or holds a line that is not a checkpoint."""


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    event_at: str | None      # ISO 8601; None for the empty chain
    taken_at: str

    def _signed(self) -> bytes:
        return json.dumps({"v": VERSION, "seq": self.seq, "hash": self.hash,
                           "event_at": self.event_at, "taken_at": self.taken_at},
                          sort_keys=True, separators=(",", ":")).encode()

    def as_line(self, key: ChainKey) -> dict[str, Any]:
        return {"v": VERSION, "seq": self.seq, "hash": self.hash, "event_at": self.event_at,
                "taken_at": self.taken_at, "mac": key.mac(_DOMAIN + self._signed())}


@dataclass(frozen=True)
class Recorded:
    """A checkpoint as read back: its line number and whether its MAC verifies."""

    line: int
    checkpoint: Checkpoint
    genuine: bool


def append(path: Path, checkpoint: Checkpoint, key: ChainKey) -> dict[str, Any]:
    """Append one line and make it durable; returns the line as written."""
    line = checkpoint.as_line(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps(line, sort_keys=True) + "\n")
        f.flush()
        os.fsync(f.fileno())
    return line


def read(path: Path, key: ChainKey) -> list[Recorded]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CheckpointFileError(f"no checkpoint file at {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CheckpointFileError(f"cannot read the checkpoint file {path}: {exc}") from None
    out = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        checkpoint, mac = _parse(path, number, raw)
        expected = key.mac(_DOMAIN + checkpoint._signed())
        out.append(Recorded(number, checkpoint, hmac.compare_digest(expected, mac)))
    return out


def _parse(path: Path, number: int, raw: str) -> tuple[Checkpoint, str]:
    def broken(why: str) -> CheckpointFileError:
        return CheckpointFileError(f"{path}, line {number}: not a checkpoint ({why})")

    try:
        obj = json.loads(raw)
    except ValueError:
        raise broken("not JSON") from None
    if not isinstance(obj, dict) or obj.get("v") != VERSION:
        raise broken(f"expected an object with \"v\": {VERSION}")
    seq, value, mac = obj.get("seq"), obj.get("hash"), obj.get("mac")
    event_at, taken_at = obj.get("event_at"), obj.get("taken_at")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise broken("seq must be a whole number")
    if not isinstance(value, str) or not _HEX64.fullmatch(value):
        raise broken("hash must be 64 hexadecimal digits")
    if not isinstance(mac, str) or not _HEX64.fullmatch(mac):
        raise broken("mac must be 64 hexadecimal digits")
    if not isinstance(taken_at, str) or not (event_at is None or isinstance(event_at, str)):
        raise broken("taken_at and event_at must be ISO 8601 texts")
    return Checkpoint(seq, value, event_at, taken_at), mac

