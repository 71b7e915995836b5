"""Organisations and their API keys; consumer enrolment, sign-in and sessions."""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from openbureau.adapters.credential_cache import Remembered
from openbureau.adapters.secrets_hashing import digest, hash_secret, same, verify_secret
from openbureau.domain import bounds
from openbureau.domain.errors import (
    ONE_OF,
    Conflict,
    FieldError,
    NotFound,
    RateLimited,
    Unauthenticated,
    ValidationFailed,
)
from openbureau.domain.record_parts import Address
from openbureau.domain.records import SubjectIdentity, normalise_national_id
from openbureau.domain.roles import ORG_ROLES, SYSTEM, Principal, Role
from openbureau.domain.wording import N_
from openbureau.services import subjects
from openbureau.services.ports import Deps, UnitOfWork, rate_limits

KEY_PREFIX = "ob"


@dataclass(frozen=True)
class IssuedKey:
    id: int
    name: str
    role: str
    key: str


def create_organisation(uow: UnitOfWork, deps: Deps, actor: Principal, name: str,
                        role: str) -> IssuedKey:
    try:
        r = Role(role)
    except ValueError:
        r = None
    if r not in ORG_ROLES:
        raise ValidationFailed([FieldError("role", ONE_OF % {
            "choices": "|".join(x.value for x in ORG_ROLES)})])
    name = bounds.check_name("name", name)
    with uow:
        if uow.credentials.organisation(name) is not None:
            raise Conflict(f"an organisation named {name!r} already exists")
        org_id = uow.credentials.add_organisation(name, role, uow.clock.now())
        key = _issue_key(uow, org_id)
        uow.audit(actor.actor, "organisation.create", detail_org=name, role=role)
        uow.commit()
    return IssuedKey(org_id, name, role, key)


def _issue_key(uow: UnitOfWork, org_id: int) -> str:
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    uow.credentials.add_key(org_id, prefix, hash_secret(secret), uow.clock.now())
    return f"{KEY_PREFIX}_{prefix}_{secret}"


def revoke_organisation(uow: UnitOfWork, deps: Deps, actor: Principal, name: str) -> None:
    with uow:
        org = uow.credentials.organisation(name)
        if org is None:
            raise NotFound(f"no organisation named {name!r}")
        now = uow.clock.now()
        uow.credentials.revoke_organisation(org.id, now)
        uow.credentials.revoke_keys(org.id, now)
        uow.credentials.end_web_sessions(org.id, now)        # they end with its keys
        uow.audit(actor.actor, "organisation.revoke", detail_org=name)
        uow.credentials.changed()
        uow.commit()
    _forget_credentials(deps)


def list_organisations(uow: UnitOfWork, deps: Deps) -> list[dict[str, Any]]:
    with uow:
        rows = uow.credentials.organisations()
    return [{"id": r.id, "name": r.name, "role": r.role, "created_at": r.created_at,
             "revoked": r.revoked_at is not None} for r in rows]


def _forget_credentials(deps: Deps) -> None:
    """After a commit that revoked or ended a credential: this process forgets at once (the
    others when PostgreSQL delivers the notification ``uow.credentials.changed()`` sent)."""
    if deps.verified_keys is not None:
        deps.verified_keys.clear()
    if deps.credentials is not None:
        deps.credentials.forget_all()


def remembered(deps: Deps, credential: str) -> Principal | None:
    """The principal this process remembers for an API key or session token, without the
    database (so the server can answer it on the event loop); None when it remembers none."""
    cache = deps.credentials
    if cache is None:
        return None
    if credential.startswith(KEY_PREFIX + "_"):
        parts = credential.split("_", 2)
        hit = cache.get(("key", parts[1])) if len(parts) == 3 else None
        # the whole key's digest, compared in constant time
        return hit.principal if hit is not None and same(hit.digest, digest(credential)) else None
    hit = cache.get(("session", digest(credential)))
    if hit is None or hit.expires_at is None or hit.expires_at <= deps.clock.now():
        return None
    return hit.principal


def authenticate_key(uow: UnitOfWork, deps: Deps, key: str) -> Principal:
    """The organisation behind an API key. argon2 is slow by design, so a verified key is
    remembered by its SHA-256; revocation is checked against the database, or, in a server
    process listening for credential changes, known from PostgreSQL's notification
    (``adapters/credential_cache.py``)."""
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        raise Unauthenticated("invalid API key")
    prefix, secret = parts[1], parts[2]
    known = remembered(deps, key)
    if known is not None:
        return known
    cache = deps.credentials
    generation = cache.generation if cache is not None else 0
    with uow:
        row = uow.credentials.key(prefix)
    if row is None or row.revoked_at is not None or row.org_revoked is not None:
        raise Unauthenticated("invalid or revoked API key")
    verified = deps.verified_keys
    seen = verified.get(row.id) if verified is not None else None
    if seen is None or not same(seen, digest(key)):
        if not verify_secret(row.key_hash, secret):
            raise Unauthenticated("invalid or revoked API key")
        if verified is not None:
            verified.put(row.id, digest(key))
    principal = Principal(Role(row.role), row.org_id, row.name)
    if cache is not None:
        cache.put(("key", prefix), Remembered(digest(key), principal), generation)
    return principal


# -- consumers ---------------------------------------------------------------------------------

ENROLMENT_DAYS = 30


def invite_consumer(uow: UnitOfWork, deps: Deps, actor: Principal,
                    national_id: str) -> dict[str, str]:
    """Issue an enrolment code for an existing file (mailed to the address on file in
    production)."""
    nid = normalise_national_id(national_id)
    with uow:
        row = uow.credentials.holder(deps.vault.lookup_hash(nid))
        if row is None:
            raise NotFound(subjects.NO_FILE)
        code = "-".join(secrets.token_hex(3).upper() for _ in range(3))
        now = uow.clock.now()
        uow.credentials.add_enrolment_code(row.id, digest(code), now,
                                           now + timedelta(days=ENROLMENT_DAYS))
        uow.audit(actor.actor, "consumer.invite", row.item_ref)
        uow.commit()
    return {"national_id_masked": "*" * max(len(nid) - 4, 0) + nid[-4:], "enrolment_code": code}


def _check_password(password: str) -> None:
    if len(password) < 10:
        raise ValidationFailed([FieldError("password", N_("must be at least %(n)s characters")
                                            % {"n": 10})])


def enrol(uow: UnitOfWork, deps: Deps, national_id: str, date_of_birth: date,
          enrolment_code: str, password: str, client: str | None = None) -> None:
    """Every attempt from one client address counts against ``enrol_per_minute`` (guessing
    enrolment codes, or probing which identifiers have a file)."""
    if client is not None:
        limits = rate_limits(deps)
        limits.take(limits.bucket_for("enrol:ip", client), deps.settings.enrol_per_minute,
                    what=N_("enrolment attempts"))
    _check_password(password)
    nid = normalise_national_id(national_id)
    refused = Unauthenticated(N_("enrolment refused: identity or code does not match"))
    with uow:
        creds = uow.credentials
        row = creds.holder(deps.vault.lookup_hash(nid))
        if row is None or (row.date_of_birth is not None and row.date_of_birth != date_of_birth):
            raise refused
        now = uow.clock.now()
        code = creds.enrolment_code(row.id, digest(enrolment_code.strip().upper()), now)
        if code is None:
            raise refused
        if creds.enrolled(row.id):
            raise Conflict("this file already has an enrolled consumer; sign in instead")
        creds.use_enrolment_code(code, now)
        creds.add_login(row.id, hash_secret(password), now)
        uow.audit(f"consumer:{row.item_ref}", "consumer.enrol", row.item_ref)
        uow.commit()


def request_code(uow: UnitOfWork, deps: Deps, national_id: str, date_of_birth: date,
                 client: str | None = None) -> None:
    """A one-time code, to enrol or to reset a password, posted to the address on file
    (``adapters.outbox``) when the identifier and birth date match a person's file. The
    caller learns nothing either way: the same answer, rate-limited like enrolment."""
    from openbureau.adapters import outbox

    if client is not None:
        limits = rate_limits(deps)
        limits.take(limits.bucket_for("enrol:ip", client), deps.settings.enrol_per_minute,
                    what=N_("code requests"))
    try:
        nid = normalise_national_id(national_id)
    except ValidationFailed:
        return
    with uow:
        row = uow.credentials.holder(deps.vault.lookup_hash(nid))
        enrolled = row is not None and uow.credentials.enrolled(row.id)
    if row is None or row.kind != "person" or row.date_of_birth != date_of_birth:
        return
    code = invite_consumer(uow, deps, SYSTEM, nid)["enrolment_code"]
    what = ("reset your password" if enrolled else "enrol for your credit report online")
    now = deps.clock.now()
    outbox.post(deps.settings.var_dir, now, row.item_ref,
                f"To: {row.name}, at the address on file\n\n"
                f"Your one-time code to {what} at {deps.settings.bureau_name}:\n\n"
                f"    {code}\n\nIt works once, within {ENROLMENT_DAYS} days. If you did not "
                "ask for it, you need do nothing; tell us at "
                f"{deps.settings.bureau_contact}.\n")


def reset_password(uow: UnitOfWork, deps: Deps, national_id: str, date_of_birth: date,
                   code: str, password: str, client: str | None = None) -> None:
    """A new password for an enrolled consumer, with a one-time code (``request_code``); every
    session of the file ends and a lock-out is cleared. Refused like ``enrol``, in one answer."""
    if client is not None:
        limits = rate_limits(deps)
        limits.take(limits.bucket_for("enrol:ip", client), deps.settings.enrol_per_minute,
                    what=N_("password resets"))
    _check_password(password)
    nid = normalise_national_id(national_id)
    refused = Unauthenticated(N_("reset refused: identity or code does not match"))
    with uow:
        creds = uow.credentials
        row = creds.holder(deps.vault.lookup_hash(nid))
        if row is None or row.date_of_birth != date_of_birth:
            raise refused
        now = uow.clock.now()
        found = creds.enrolment_code(row.id, digest(code.strip().upper()), now)
        if found is None or not creds.enrolled(row.id):
            raise refused
        creds.use_enrolment_code(found, now)
        creds.set_password(row.id, hash_secret(password))
        creds.end_sessions(row.id)
        uow.audit(f"consumer:{row.item_ref}", "consumer.password_reset", row.item_ref)
        creds.changed()
        uow.commit()


# An argon2 hash of a secret nobody knows (made with this module's hasher parameters): an unknown
# identifier is verified against it, so that it costs the same argon2 work as a wrong password
# for an enrolled one. Made afresh, once, if the hasher's parameters ever change.
_DUMMY_HASH = ("$argon2id$v=19$m=65536,t=3,p=4$/dXN5AkWb6/KEovTEl9Sdg$"
               "78i54BWi0w12GOKxyCNMC6emv0Rnf+F3e0V/XixJrG8")


@functools.cache
def _dummy_hash() -> str:
    from openbureau.adapters.secrets_hashing import needs_rehash

    return hash_secret(secrets.token_urlsafe(32)) if needs_rehash(_DUMMY_HASH) else _DUMMY_HASH


SIGNIN_REFUSED = N_("sign-in refused: identifier or password is wrong")
SIGNIN_LOCKED = N_("too many failed sign-ins for this identifier from this address; try again "
                   "in %(n)s seconds")


def _lockout(deps: Deps) -> tuple[int, float, float]:
    """(failures before the lock, first lock in seconds, longest lock in seconds)."""
    s = deps.settings
    return (s.signin_attempts_before_lockout,
            s.signin_lockout_seconds, s.signin_lockout_max_seconds)


def _failure_ledger(deps: Deps, id_hmac: str, client: str | None) -> str:
    """The lockout ledger of one identifier from one address: keyed by the identifier's keyed
    hash (whether or not anyone is enrolled under it) and the address, hashed together with the
    deployment's key, so neither is stored in clear or recoverable by hashing candidates, and a
    stranger's failures never lock the owner's address."""
    key = deps.vault.keyed_hash("signin:fail", f"{id_hmac}|{client or ''}")[:40]
    return f"signin:fail:{key}"


def sign_in(uow: UnitOfWork, deps: Deps, national_id: str, password: str,
            client: str | None = None) -> str:
    """A session token.

    - Every attempt from one client address counts against ``signin_per_minute`` (password
      guessing across many files).
    - Failures for one identifier from one address lock that pair, and only that pair, after
      ``signin_attempts_before_lockout``, for ``signin_lockout_seconds`` doubling with each
      further failure up to ``signin_lockout_max_seconds`` (``deps.rate_limits.record_failure``): a
      stranger cannot lock the owner out of their own address.
    - An unknown identifier (or one nobody enrolled under) does the same work and gets the same
      answers as a wrong password: argon2 against a dummy hash, the same failure ledger, the
      same 401 and the same 429 (docs/security.md, "Consumer sign-in")."""
    limits = rate_limits(deps)
    if client is not None:
        limits.take(limits.bucket_for("signin:ip", client), deps.settings.signin_per_minute,
                    what=N_("sign-in attempts"))
    nid = normalise_national_id(national_id)
    id_hmac = deps.vault.lookup_hash(nid)
    ledger = _failure_ledger(deps, id_hmac, client)
    allowed, base, cap = _lockout(deps)
    wait = limits.locked_for(ledger, allowed, base, cap)
    if wait:
        deps.metrics.rate_limited.labels("signin:lockout").inc()
        raise RateLimited(SIGNIN_LOCKED % {"n": wait}, wait)
    with uow:
        row = uow.credentials.login(id_hmac)
    ok = verify_secret(row.password_hash if row is not None else _dummy_hash(), password)
    if row is None or not ok:
        deps.metrics.sign_in_failures.inc()
        limits.record_failure(ledger, cap)
        with uow:
            # audited alike, known or not (an unknown identifier has no file to name)
            uow.audit("consumer" if row is None else f"consumer:{row.item_ref}",
                      "consumer.sign_in_failed", None if row is None else row.item_ref)
            uow.commit()
        raise Unauthenticated(SIGNIN_REFUSED)
    limits.clear(ledger)
    token = secrets.token_urlsafe(32)
    with uow:
        now = uow.clock.now()
        uow.credentials.add_session(digest(token), row.subject_id, now,
                                    now + timedelta(hours=deps.settings.session_hours))
        uow.audit(f"consumer:{row.item_ref}", "consumer.sign_in", row.item_ref)
        uow.commit()
    return token


def authenticate_session(uow: UnitOfWork, deps: Deps, token: str) -> Principal:
    """The consumer behind a session token (looked up by its SHA-256, as stored); remembered
    like an API key, never past the session's own end."""
    known = remembered(deps, token)
    if known is not None:
        return known
    token_hash = digest(token)
    cache = deps.credentials
    generation = cache.generation if cache is not None else 0
    with uow:
        row = uow.credentials.session(token_hash)
        if row is None or row.expires_at <= uow.clock.now():
            raise Unauthenticated("session expired or unknown; sign in again")
    principal = Principal(Role.CONSUMER, row.subject_id, row.name, row.item_ref)
    if cache is not None:
        cache.put(("session", token_hash), Remembered(token_hash, principal, row.expires_at),
                  generation)
    return principal


def sign_out(uow: UnitOfWork, deps: Deps, who: Principal | None, token: str) -> None:
    """End a consumer's session (``who``: the consumer, when the token was theirs)."""
    with uow:
        uow.credentials.end_session(digest(token))
        if who is not None:
            uow.audit(who.actor, "consumer.sign_out", who.subject_ref)
        uow.credentials.changed()
        uow.commit()
    _forget_credentials(deps)


def identity_for_lookup(national_id: str | None, name: str, dob: date | None,
                        address: Address | None = None) -> SubjectIdentity:
    """A look-up's identity (a lender's applicant, a court's debtor, a consent's subject)."""
    return SubjectIdentity(normalise_national_id(national_id) if national_id else None, name,
                           dob, address=address)


def rotate_key(uow: UnitOfWork, deps: Deps, actor: Principal, name: str) -> IssuedKey:
    """Revoke an organisation's keys and issue a new one (shown once)."""
    with uow:
        org = uow.credentials.organisation(name)
        if org is None:
            raise NotFound(f"no organisation named {name!r}")
        now = uow.clock.now()
        uow.credentials.revoke_keys(org.id, now)
        uow.credentials.end_web_sessions(org.id, now)        # they end with its keys
        key = _issue_key(uow, org.id)
        uow.audit(actor.actor, "organisation.rotate_key", detail_org=name)
        uow.credentials.changed()
        uow.commit()
    _forget_credentials(deps)
    return IssuedKey(org.id, org.name, org.role, key)
