"""Credentials: organisations and their API keys and web sessions, consumers' enrolment codes,
logins and sessions -- the statements of ``services/access.py`` and ``web/sessions.py``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, or_, select, update

from openbureau.adapters import credential_cache
from openbureau.adapters.repository import Repository, Run
from openbureau.adapters.tables import (
    api_keys,
    consumer_logins,
    consumer_sessions,
    enrolment_codes,
    organisation_sessions,
    organisations,
)
from openbureau.adapters.tables import subjects as t
from openbureau.services.stored import (
    ConsumerLogin,
    ConsumerSession,
    FileHolder,
    OrganisationRecord,
    SignedInOrganisation,
    StoredKey,
)

# built once: every API request checks its credential
_KEY = (select(api_keys.c.id, api_keys.c.key_hash, api_keys.c.revoked_at,
               organisations.c.id.label("org_id"), organisations.c.name, organisations.c.role,
               organisations.c.revoked_at.label("org_revoked"))
        .join(organisations, organisations.c.id == api_keys.c.organisation_id)
        .where(api_keys.c.prefix == bindparam("prefix")))
_SESSION = (select(t.c.id, t.c.name, t.c.item_ref, consumer_sessions.c.expires_at)
            .join(consumer_sessions, consumer_sessions.c.subject_id == t.c.id)
            .where(consumer_sessions.c.token_hash == bindparam("token_hash")))
_LIVE_SESSION = (
    select(organisations.c.id, organisations.c.name, organisations.c.role)
    .join(organisation_sessions, organisation_sessions.c.organisation_id == organisations.c.id)
    .where(organisation_sessions.c.session_hash == bindparam("session_hash"),
           organisation_sessions.c.ended_at.is_(None),
           organisation_sessions.c.expires_at > bindparam("now"),
           organisations.c.revoked_at.is_(None)))
HOLDER = (t.c.id, t.c.item_ref, t.c.name, t.c.date_of_birth, t.c.kind, t.c.id_ciphertext)


def _organisation(r: Any) -> OrganisationRecord:
    return OrganisationRecord(r.id, r.name, r.role, r.created_at, r.revoked_at)


def holder(r: Any) -> FileHolder:
    return FileHolder(r.id, r.item_ref, r.name, r.date_of_birth, r.kind, r.id_ciphertext)


class SqlCredentials(Repository):
    def __init__(self, run: Run, dialect: str) -> None:
        super().__init__(run)
        self._dialect = dialect

    def changed(self) -> None:
        credential_cache.notify(self._run, self._dialect)

    # -- organisations ---------------------------------------------------------------------

    def organisation(self, name: str) -> OrganisationRecord | None:
        r = self._run(select(organisations).where(organisations.c.name == name)).first()
        return None if r is None else _organisation(r)

    def organisations(self) -> list[OrganisationRecord]:
        return [_organisation(r) for r in
                self._run(select(organisations).order_by(organisations.c.id)).all()]

    def add_organisation(self, name: str, role: str, now: datetime) -> int:
        return int(self._run(insert(organisations).values(
            name=name, role=role, created_at=now).returning(organisations.c.id)).scalar_one())

    def revoke_organisation(self, org_id: int, now: datetime) -> None:
        self._run(update(organisations).where(organisations.c.id == org_id)
                  .values(revoked_at=now))

    def add_key(self, org_id: int, prefix: str, key_hash: str, now: datetime) -> None:
        self._run(insert(api_keys).values(organisation_id=org_id, prefix=prefix,
                                          key_hash=key_hash, created_at=now))

    def revoke_keys(self, org_id: int, now: datetime) -> None:
        self._run(update(api_keys).where(api_keys.c.organisation_id == org_id,
                                         api_keys.c.revoked_at.is_(None))
                  .values(revoked_at=now))

    def key(self, prefix: str) -> StoredKey | None:
        r = self._run(_KEY, {"prefix": prefix}).first()
        return None if r is None else StoredKey(r.id, r.key_hash, r.revoked_at, r.org_id,
                                                r.name, r.role, r.org_revoked)

    # -- organisations' web sessions -------------------------------------------------------

    def start_web_session(self, session_hash: str, org_id: int, now: datetime,
                          expires_at: datetime) -> None:
        # the organisation's sessions that have ended, or run out, are no longer kept
        self._run(delete(organisation_sessions).where(
            organisation_sessions.c.organisation_id == org_id,
            or_(organisation_sessions.c.expires_at < now,
                organisation_sessions.c.ended_at.is_not(None))))
        self._run(insert(organisation_sessions).values(
            session_hash=session_hash, organisation_id=org_id, created_at=now,
            expires_at=expires_at))

    def web_session(self, session_hash: str, now: datetime) -> SignedInOrganisation | None:
        r = self._run(_LIVE_SESSION, {"session_hash": session_hash, "now": now}).first()
        return None if r is None else SignedInOrganisation(r.id, r.name, r.role)

    def end_web_session(self, session_hash: str, now: datetime) -> None:
        self._run(update(organisation_sessions)
                  .where(organisation_sessions.c.session_hash == session_hash)
                  .values(ended_at=now))

    def end_web_sessions(self, org_id: int, now: datetime) -> None:
        self._run(update(organisation_sessions)
                  .where(organisation_sessions.c.organisation_id == org_id,
                         organisation_sessions.c.ended_at.is_(None))
                  .values(ended_at=now))

    # -- consumers -------------------------------------------------------------------------

    def holder(self, id_hmac: str) -> FileHolder | None:
        r = self._run(select(*HOLDER).where(t.c.id_hmac == id_hmac)).first()
        return None if r is None else holder(r)

    def add_enrolment_code(self, subject_id: int, code_hash: str, now: datetime,
                           expires_at: datetime) -> None:
        self._run(insert(enrolment_codes).values(subject_id=subject_id, code_hash=code_hash,
                                                 created_at=now, expires_at=expires_at))

    def enrolment_code(self, subject_id: int, code_hash: str, now: datetime) -> int | None:
        r = self._run(select(enrolment_codes.c.id).where(
            enrolment_codes.c.subject_id == subject_id,
            enrolment_codes.c.code_hash == code_hash,
            enrolment_codes.c.used_at.is_(None),
            enrolment_codes.c.expires_at > now)).first()
        return None if r is None else int(r.id)

    def use_enrolment_code(self, code_id: int, now: datetime) -> None:
        self._run(update(enrolment_codes).where(enrolment_codes.c.id == code_id)
                  .values(used_at=now))

    def enrolled(self, subject_id: int) -> bool:
        return self._run(select(consumer_logins.c.subject_id)
                         .where(consumer_logins.c.subject_id == subject_id)).first() is not None

    def add_login(self, subject_id: int, password_hash: str, now: datetime) -> None:
        self._run(insert(consumer_logins).values(
            subject_id=subject_id, password_hash=password_hash, created_at=now,
            failed_attempts=0, offers_opt_in=False))

    def set_password(self, subject_id: int, password_hash: str) -> None:
        self._run(update(consumer_logins).where(consumer_logins.c.subject_id == subject_id)
                  .values(password_hash=password_hash, failed_attempts=0, locked_until=None))

    def login(self, id_hmac: str) -> ConsumerLogin | None:
        r = self._run(select(t.c.id, t.c.item_ref, consumer_logins.c.password_hash)
                      .join(consumer_logins, consumer_logins.c.subject_id == t.c.id)
                      .where(t.c.id_hmac == id_hmac)).first()
        return None if r is None else ConsumerLogin(r.id, r.item_ref, r.password_hash)

    def add_session(self, token_hash: str, subject_id: int, now: datetime,
                    expires_at: datetime) -> None:
        self._run(insert(consumer_sessions).values(token_hash=token_hash, subject_id=subject_id,
                                                   created_at=now, expires_at=expires_at))

    def session(self, token_hash: str) -> ConsumerSession | None:
        r = self._run(_SESSION, {"token_hash": token_hash}).first()
        return None if r is None else ConsumerSession(r.id, r.name, r.item_ref, r.expires_at)

    def end_session(self, token_hash: str) -> None:
        self._run(consumer_sessions.delete().where(consumer_sessions.c.token_hash == token_hash))

    def end_sessions(self, subject_id: int) -> None:
        self._run(consumer_sessions.delete().where(consumer_sessions.c.subject_id == subject_id))
