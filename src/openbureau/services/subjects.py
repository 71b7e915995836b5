"""Finding and creating credit files by identity. A look-up is resolved by the identity-matching
model (``services.resolution``); anything but one confident match is answered as "no file"."""

from __future__ import annotations

import base64
import json
import unicodedata
from datetime import date
from typing import Any

from prometheus_client import Counter

from openbureau.domain.errors import NotFound
from openbureau.domain.records import SubjectIdentity
from openbureau.domain.roles import Principal, consumer_id
from openbureau.identity.features import fold
from openbureau.services.ports import UnitOfWork, Vault
from openbureau.services.refs import new_ref
from openbureau.services.stored import Subject

NO_FILE = "no file matches this identity"
LOOKUPS_WITHOUT_FILE = Counter(
    "openbureau_identity_lookups_without_file_total",
    "Look-ups answered 'no file' although candidate files were found (ambiguous or weak)",
    ["reason"])


def normalise_name(name: str) -> str:
    """A name for comparison: NFKC, case-folded, commas as spaces, white space collapsed.

    No character is ever dropped: "Wei 王" and "Wei 李" stay different names.
    """
    text = unicodedata.normalize("NFKC", name).casefold().replace(",", " ")
    return " ".join(text.split())


def transliterate(name: str) -> str:
    """``normalise_name`` with Latin letters folded to ASCII on purpose (marks removed, Ł -> l,
    ß -> ss ...), the identity model's own folding (``identity.features.fold``). Letters of
    other scripts are kept unchanged, never deleted."""
    return " ".join(fold(normalise_name(name)).split())


def names_match(a: str, b: str) -> bool:
    """The same name, in the same or another order, compared in Unicode and, failing that,
    with Latin letters transliterated (a file written "Lukasz" is found as "Łukasz")."""
    for folding in (normalise_name, transliterate):
        na, nb = folding(a), folding(b)
        if na == nb or sorted(na.split()) == sorted(nb.split()):
            return True
    return False


def find(uow: UnitOfWork, vault: Vault, identity: SubjectIdentity,
         *, strict: bool = True, names_must_agree: bool = False) -> Subject:
    """The file an identity means, resolved by the matching model
    (``resolution.look_up``); NotFound ("no file") when no file matches with confidence --
    never another person's file. Ambiguous look-ups are counted. ``strict=False`` (the
    consumer's own identifier, already proven) finds the file by its national id alone.
    ``names_must_agree``: the profile's "name agrees with id" rule (``rules.look_up``)."""
    if not strict:
        if identity.national_id is None:
            raise NotFound(NO_FILE)
        row = uow.subjects.by_hmac(vault.lookup_hash(identity.national_id))
        if row is None:
            raise NotFound(NO_FILE)
        return row
    return resolve(uow, vault, identity, names_must_agree=names_must_agree)[0]


def resolve(uow: UnitOfWork, vault: Vault, identity: SubjectIdentity,
            *, names_must_agree: bool = False) -> tuple[Subject, tuple[int, ...]]:
    """``find``'s look-up by the matching model, with the *near* files: every candidate at the
    review threshold or above, the file found among them (``identity.rules.look_up``) -- whose
    freezes and fraud alerts apply to an inquiry (``services.protections``)."""
    row, near, _ = _resolved(uow, vault, identity, names_must_agree)
    return row, near


def resolve_linked(uow: UnitOfWork, vault: Vault, identity: SubjectIdentity,
                   *, names_must_agree: bool = False
                   ) -> tuple[Any, tuple[int, ...], dict[str, Any]]:
    """``resolve``, and how the look-up found the file: what an inquiry or a court listing
    keeps as its ``link`` (``resolution.look_up_link``; ``given``: the identity as the asker
    gave it, encrypted), from which the person's report says why it is on their file."""
    from openbureau.services import resolution

    row, near, decision = _resolved(uow, vault, identity, names_must_agree)
    link = resolution.look_up_link(decision, identity, uow.clock.now())
    return row, near, {**link, "given": given(vault, identity)}


def given(vault: Vault, identity: SubjectIdentity) -> str:
    """The identity an asker gave, encrypted (a link's ``given``; ``given_view`` shows it)."""
    a = identity.address
    return base64.b64encode(vault.encrypt(json.dumps({
        "name": identity.name, "national_id": identity.national_id,
        "date_of_birth": identity.date_of_birth.isoformat() if identity.date_of_birth else None,
        "address": ", ".join(p for p in (a.line1, a.city, a.postal_code) if p) if a else None},
        sort_keys=True))).decode()


def given_view(vault: Vault, link: Any) -> dict[str, Any] | None:
    """A link's ``given`` identity as its person reads it: the national id masked."""
    if not isinstance(link, dict) or not link.get("given"):
        return None
    v = json.loads(vault.decrypt(base64.b64decode(link["given"])))
    nid = v.get("national_id")
    return {"name": v.get("name"), "date_of_birth": v.get("date_of_birth"),
            "national_id_masked": "*" * max(len(nid) - 4, 0) + nid[-4:] if nid else None,
            "address": v.get("address")}


def _resolved(uow: UnitOfWork, vault: Vault, identity: SubjectIdentity,
              names_must_agree: bool) -> tuple[Any, tuple[int, ...], Any]:
    from openbureau.services import resolution

    decision, owner = resolution.look_up_file(uow, vault, identity,
                                              names_must_agree=names_must_agree)
    if decision.subject_id is None:
        if decision.scored:
            LOOKUPS_WITHOUT_FILE.labels(reason=_reason_label(decision.reason)).inc()
        raise NotFound(NO_FILE)
    # the file of the national id given, read with the candidates, is usually the one found
    row = owner if owner is not None and owner.id == decision.subject_id \
        else by_id(uow, decision.subject_id)
    return row, tuple({*decision.near, decision.subject_id}), decision


def _reason_label(reason: str) -> str:
    return reason.split(":")[0].split("(")[0].strip()[:40]


def find_or_create(uow: UnitOfWork, vault: Vault, identity: SubjectIdentity,
                   kind: str = "person") -> int:
    national_id = identity.national_id
    assert national_id is not None, "a file is opened here only from an identifier"
    h = vault.lookup_hash(national_id)
    found = uow.subjects.id_by_hmac(h)
    if found is not None:
        return found
    return uow.subjects.open(
        id_hmac=h, id_ciphertext=vault.encrypt(national_id),
        id_suffix=national_id[-4:], name=identity.name,
        date_of_birth=identity.date_of_birth, kind=kind, created_at=uow.clock.now(),
        item_ref=new_ref("sub"))


def by_id(uow: UnitOfWork, subject_id: int) -> Subject:
    row = uow.subjects.by_id(subject_id)
    if row is None:
        raise NotFound(NO_FILE)
    return row


def own(uow: UnitOfWork, consumer: Principal) -> Subject:
    """The file of a consumer principal (ValueError for any other principal)."""
    return by_id(uow, consumer_id(consumer))


def identity_view(vault: Vault, row: Subject, reveal: bool) -> dict[str, Any]:
    """The identity block of a report; the full identifier only for the subject themself."""
    # a file opened from records without a national id has none (issue 11)
    nid = vault.decrypt(row.id_ciphertext) if row.id_ciphertext is not None else None
    dob: date | None = row.date_of_birth
    return {
        "item_ref": row.item_ref,
        "name": row.name,
        "date_of_birth": dob.isoformat() if dob else None,
        "national_id": nid if reveal else None,
        "national_id_masked": "*" * max(len(nid) - 4, 0) + nid[-4:] if nid else None,
    }
