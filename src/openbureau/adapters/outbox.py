"""Letters by post, as files: what the bureau sends to the address on file (a one-time code to
enrol or to reset a password) is written to ``var_dir/outbox/`` instead, one text file per
letter, for a deployment's mailing service (or a demo's reader) to pick up. Owner-only."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

OUTBOX = "outbox"


def folder(var_dir: Path) -> Path:
    return var_dir / OUTBOX


def post(var_dir: Path, when: datetime, subject_ref: str, text: str) -> Path:
    """Write one letter; its path. Names sort in the order written:
    ``<UTC time>-<sequence>-<subject_ref>.txt``."""
    out = folder(var_dir)
    out.mkdir(mode=0o700, parents=True, exist_ok=True)
    n = sum(1 for _ in out.iterdir())
    while True:             # a letter written at the same moment takes the next number
        path = out / f"{when.strftime('%Y%m%dT%H%M%S%fZ')}-{n:06d}-{subject_ref}.txt"
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            break
        except FileExistsError:
            n += 1
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    return path
