"""Settings, read from the environment (``OPENBUREAU_*``). Nothing runs at import time."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER = "change-me"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OPENBUREAU_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = ""                     # default: sqlite file under var_dir
    var_dir: Path = Path("var")
    profile: str = "us-fcra"
    pii_key: str = ""                          # base64 32 bytes (AES-256-GCM)
    hmac_key: str = ""                         # base64 32 bytes (identifier look-up)
    audit_key: str = ""                        # base64 32 bytes (HMAC of the audit chain)
    # where `openbureau audit checkpoint` appends the chain's head (default: var_dir)
    audit_checkpoint_file: Path | None = None
    bureau_name: str = "openbureau"
    bureau_contact: str = "openbureau consumer office, disputes@openbureau.example, +1-800-555-0100"
    demo: bool = False
    session_hours: int = 12
    log_level: str = "INFO"
    upload_dir: Path | None = None
    public_search_per_minute: int = Field(default=30, ge=1)
    # court registry: the restriction catalogue (None: api.md's default list) and, per court
    # (organisation name), the next court up that hears reconsideration requests
    restriction_catalogue: list[str] | None = None
    court_parents: dict[str, str] = Field(default_factory=dict)
    # listings a court may have refused, per day, because the debtor's identity did not agree
    # with the file under that identifier; past it, 429 (probing identifiers with guessed names
    # or birth dates)
    court_identity_refusals_per_day: int = Field(default=20, ge=1)
    signin_attempts_before_lockout: int = Field(default=5, ge=1)
    signin_per_minute: int = Field(default=20, ge=1)     # per client address, every attempt
    # per client address, every attempt: consumer enrolment (POST /v1/consumer/enrol) and the
    # organisations' web sign-in with an API key
    enrol_per_minute: int = Field(default=10, ge=1)
    organisation_signin_per_minute: int = Field(default=20, ge=1)
    # failed sign-ins lock (national id, address) pairs, never an id for everyone: the first
    # lock lasts this long and doubles with each further failure, up to the maximum
    signin_lockout_seconds: float = Field(default=60, gt=0)
    signin_lockout_max_seconds: float = Field(default=86_400, gt=0)
    # an offer's reach below this count is withheld (it would reveal opted-in scores)
    offer_reach_min_count: int = Field(default=10, ge=1)
    # drift is not reported on fewer scored files than this: a PSI of a handful of files is
    # noise, and every attribute of one file is a "significant shift"
    drift_min_population: int = Field(default=100, ge=1)
    # a server process on PostgreSQL remembers a verified API key or session for at most this
    # long, and forgets it the moment any process revokes or ends one (0: check every request)
    credential_cache_seconds: float = Field(default=60.0, ge=0)
    # bounded intake (docs/security.md): a request body is refused with 413 past these sizes,
    # counted before credentials or parsing; a file upload has its own, larger limit and is
    # streamed to disk
    max_body_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
    max_upload_bytes: int = Field(default=2 * 1024 * 1024 * 1024, ge=1024)
    max_batch_records: int = Field(default=10_000, ge=1)   # records in one JSON batch
    max_errors_kept: int = Field(default=10_000, ge=1)     # per file; the rest are counted
    # a file whose ingest was interrupted this many times (the server died during it) is
    # marked failed instead of being resumed again at the next start
    max_ingest_attempts: int = Field(default=2, ge=1)

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.var_dir / 'openbureau.db').as_posix()}"

    def resolved_upload_dir(self) -> Path:
        return self.upload_dir or self.var_dir / "uploads"

    def resolved_audit_checkpoint_file(self) -> Path:
        return self.audit_checkpoint_file or self.var_dir / "audit-checkpoints.jsonl"


def load_secrets(settings: Settings) -> tuple[bytes, bytes]:
    """The PII and HMAC keys: from settings, or generated once into ``var_dir`` outside production.

    Production refuses missing or placeholder keys rather than inventing them.
    """
    return load_key(settings, "pii_key"), load_key(settings, "hmac_key")


def load_key(settings: Settings, name: str) -> bytes:
    """One 32-byte key (``pii_key``, ``hmac_key``, ``audit_key``): from settings, or generated
    once into ``var_dir`` outside production; production refuses a missing or placeholder key."""
    import base64

    def decode(value: str) -> bytes:
        raw = base64.b64decode(value)
        if len(raw) != 32:
            raise ValueError(f"OPENBUREAU_{name.upper()} must be 32 bytes, base64-encoded")
        return raw

    value = getattr(settings, name)
    if value and value != PLACEHOLDER:
        return decode(value)
    if settings.environment == "production":
        raise ValueError(f"OPENBUREAU_{name.upper()} must be set in production "
                         "(32 random bytes, base64)")
    path = settings.var_dir / f"{name}.b64"
    if not path.exists():
        # written aside, then linked into place: two processes starting at once (server
        # workers) end up with the one key that was linked first, never half a file
        settings.var_dir.mkdir(parents=True, exist_ok=True)
        aside = path.with_name(f".{name}.{secrets.token_hex(8)}")
        aside.write_text(base64.b64encode(secrets.token_bytes(32)).decode())
        aside.chmod(0o600)
        try:
            os.link(aside, path)
        except FileExistsError:
            pass
        finally:
            aside.unlink()
    return decode(path.read_text().strip())
