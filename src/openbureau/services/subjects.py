"""Finding and creating credit files by identity. Matching is on the keyed hash of the national
identifier; a name or birth date that does not match is answered as "no file"."""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

from sqlalchemy import bindparam, insert, select

from openbureau.adapters.pii import IdentityVault
from openbureau.adapters.tables import subjects
from openbureau.domain.errors import NotFound
from openbureau.domain.records import SubjectIdentity
from openbureau.services.refs import new_ref
from openbureau.unit_of_work import UnitOfWork

NO_FILE = "no file matches this identity"
# built once: every inquiry, restriction check and consumer request looks a file up
_BY_HMAC = select(subjects).where(subjects.c.id_hmac == bindparam("id_hmac"))
_BY_ID = select(subjects).where(subjects.c.id == bindparam("subject_id"))


def normalise_name(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode() or name
    return " ".join(text.casefold().replace(",", " ").split())


def names_match(a: str, b: str) -> bool:
    na, nb = normalise_name(a), normalise_name(b)
    return na == nb or sorted(na.split()) == sorted(nb.split())


def find(uow: UnitOfWork, vault: IdentityVault, identity: SubjectIdentity,
         *, strict: bool = True) -> Any:
    """The subject row for an identity, or NotFound. ``strict`` also checks name and birth date."""
    row = uow.execute(_BY_HMAC, {"id_hmac": vault.lookup_hash(identity.national_id)}).first()
    if row is None:
        raise NotFound(NO_FILE)
    if strict:
        if not names_match(row.name, identity.name):
            raise NotFound(NO_FILE)
        if (identity.date_of_birth is not None and row.date_of_birth is not None
                and identity.date_of_birth != row.date_of_birth):
            raise NotFound(NO_FILE)
    return row


def find_or_create(uow: UnitOfWork, vault: IdentityVault, identity: SubjectIdentity,
                   kind: str = "person") -> int:
    h = vault.lookup_hash(identity.national_id)
    row = uow.execute(select(subjects.c.id, subjects.c.date_of_birth)
                      .where(subjects.c.id_hmac == h)).first()
    if row is not None:
        return int(row.id)
    return int(uow.execute(insert(subjects).values(
        id_hmac=h, id_ciphertext=vault.encrypt(identity.national_id),
        id_suffix=identity.national_id[-4:], name=identity.name,
        date_of_birth=identity.date_of_birth, kind=kind, created_at=uow.clock.now(),
        item_ref=new_ref("sub")).returning(subjects.c.id)).scalar_one())


def by_id(uow: UnitOfWork, subject_id: int) -> Any:
    row = uow.execute(_BY_ID, {"subject_id": subject_id}).first()
    if row is None:
        raise NotFound(NO_FILE)
    return row


def identity_view(vault: IdentityVault, row: Any, reveal: bool) -> dict[str, Any]:
    """The identity block of a report; the full identifier only for the subject themself."""
    nid = vault.decrypt(row.id_ciphertext)
    dob: date | None = row.date_of_birth
    return {
        "item_ref": row.item_ref,
        "name": row.name,
        "date_of_birth": dob.isoformat() if dob else None,
        "national_id": nid if reveal else None,
        "national_id_masked": "*" * max(len(nid) - 4, 0) + nid[-4:],
    }
