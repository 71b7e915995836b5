"""Consents, and the organisations they are given to."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Text,
    any_,
    bindparam,
    cast,
    func,
    insert,
    literal_column,
    select,
    update,
)

from openbureau.adapters.repository import Repository
from openbureau.adapters.tables import accounts, consents, organisations
from openbureau.services.stored import ConsentRecord, Organisation

# what a consumer and a member are shown: consents given to an organisation
_WITH_ORG = (select(consents, organisations.c.name.label("organisation"))
             .join(organisations, organisations.c.id == consents.c.organisation_id))
# what checks a consent: any stored one
_ANY = (select(consents, organisations.c.name.label("organisation"))
        .outerjoin(organisations, organisations.c.id == consents.c.organisation_id))
_COLUMNS = tuple(c.name for c in consents.c) + ("organisation",)


def _record(row: Any) -> ConsentRecord:
    m = row._mapping
    return ConsentRecord(**{c: m[c] for c in _COLUMNS})


def among(dialect: str, column: ColumnElement[Any], values: list[Any]) -> ColumnElement[bool]:
    """``column IN values``; on PostgreSQL as ``= ANY(array)``, one parameter however many.
    A list of strings or of integers travels as one text parameter, split by the database
    (``string_to_array``, immutable: the array is still a constant to the planner, which
    hashes it): the driver would dump a list element by element in Python, which for a
    chunk's keys costs more than the query."""
    if dialect != "postgresql":
        return column.in_(values)
    joined = _joined(values)
    if joined is None:
        return column == any_(cast(bindparam(None, values, type_=ARRAY(column.type)),
                                   ARRAY(column.type)))
    return column == any_(cast(func.string_to_array(bindparam(None, joined, type_=Text()),
                                                    literal_column("chr(31)")),
                               ARRAY(column.type)))


def _joined(values: list[Any]) -> str | None:
    """``values`` joined by the unit separator (chr 31) when all are ``str`` (none holding
    it) or all ``int`` (not bool); None otherwise."""
    if values and all(type(v) is int for v in values):
        return _SEP.join(map(str, values))
    if values != [""] and all(type(v) is str for v in values):     # "" splits into no element
        joined = _SEP.join(values)
        if joined.count(_SEP) == max(len(values) - 1, 0):
            return joined
    return None


_SEP = "\x1f"


def among_param(dialect: str, column: ColumnElement[Any], name: str) -> ColumnElement[bool]:
    """``among`` with its values a named parameter, for a statement built once and run with
    ``{name: values}`` (building a statement and its cache key on every call costs about as
    much CPU as running it)."""
    if dialect == "postgresql":
        return column == any_(cast(bindparam(name, type_=ARRAY(column.type)),
                                   ARRAY(column.type)))
    return column.in_(bindparam(name, expanding=True))


class SqlConsents(Repository):
    def __init__(self, run: Any, dialect: str) -> None:
        super().__init__(run)
        self._dialect = dialect

    def add(self, *, subject_id: int, organisation_id: int, purpose: str, reference: str,
            granted_at: datetime, expires_at: datetime, scope: str, source: str,
            evidence_kind: str, evidence_sha256: str, recorded_at: datetime) -> ConsentRecord:
        self._run(insert(consents).values(
            subject_id=subject_id, organisation_id=organisation_id, purpose=purpose,
            reference=reference, granted_at=granted_at, expires_at=expires_at, scope=scope,
            source=source, evidence_kind=evidence_kind, evidence_sha256=evidence_sha256,
            recorded_at=recorded_at))
        return _record(self._run(_WITH_ORG.where(consents.c.reference == reference)).one())

    def on_file(self, subject_id: int) -> list[ConsentRecord]:
        return [_record(r) for r in self._run(
            _WITH_ORG.where(consents.c.subject_id == subject_id)
            .order_by(consents.c.recorded_at.desc(), consents.c.id.desc())).all()]

    def own(self, reference: str, subject_id: int) -> ConsentRecord | None:
        row = self._run(_WITH_ORG.where(consents.c.reference == reference,
                                        consents.c.subject_id == subject_id)).first()
        return None if row is None else _record(row)

    def revoke(self, consent_id: int, now: datetime) -> ConsentRecord:
        self._run(update(consents).where(consents.c.id == consent_id).values(revoked_at=now))
        return _record(self._run(_WITH_ORG.where(consents.c.id == consent_id)).one())

    def by_ref(self, reference: str) -> ConsentRecord | None:
        row = self._run(_ANY.where(consents.c.reference == reference)).first()
        return None if row is None else _record(row)

    def by_refs(self, references: list[str]) -> list[ConsentRecord]:
        if not references:
            return []
        return [_record(r) for r in self._run(_ANY.where(
            among(self._dialect, consents.c.reference, references))).all()]

    def of_member(self, organisation_id: int, subject_id: int,
                  purpose: str) -> list[ConsentRecord]:
        return [_record(r) for r in self._run(_ANY.where(
            consents.c.organisation_id == organisation_id,
            consents.c.subject_id == subject_id, consents.c.purpose == purpose)).all()]


class SqlOrganisations(Repository):
    def in_role(self, role: str) -> list[Organisation]:
        o = organisations.c
        return [Organisation(int(r.id), r.name) for r in self._run(
            select(o.id, o.name).where(o.role == role, o.revoked_at.is_(None))
            .order_by(o.name)).all()]

    def active(self, key: int | str, role: str) -> Organisation | None:
        o = organisations.c
        column = o.id if isinstance(key, int) else o.name
        r = self._run(select(o.id, o.name).where(column == key, o.role == role,
                                                 o.revoked_at.is_(None))).first()
        return None if r is None else Organisation(int(r.id), r.name)

    def furnishers_of(self, subject_id: int) -> list[Organisation]:
        o = organisations.c
        return [Organisation(int(r.id), r.name) for r in self._run(
            select(o.id, o.name).distinct()
            .join(accounts, accounts.c.furnisher_id == o.id)
            .where(accounts.c.subject_id == subject_id, o.role == "furnisher",
                   o.revoked_at.is_(None))
            .order_by(o.name)).all()]
