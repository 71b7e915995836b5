"""One contract, two implementations: the credentials repository (``uow.credentials``) behaves
alike in SQL (on SQLite and PostgreSQL) and in memory (tests/fakes.py), so the access and
web-session use cases tested against the fakes mean what they say on the database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import insert

from openbureau.adapters.tables import subjects
from tests.conftest import NOW
from tests.fakes import FakeStore, FakeUnitOfWork

HOUR = timedelta(hours=1)


@pytest.fixture(params=["sql", "fake"])
def repos(request, bureau, clock):
    """(a unit-of-work factory, Ada's file id) for each implementation."""
    if request.param == "sql":
        with bureau.uow() as uow:
            ada = uow.execute(insert(subjects).values(
                name="Ada Lovelace", date_of_birth=date(1990, 1, 2), kind="person",
                created_at=NOW, item_ref="sub_cred_a", id_hmac="h:cred-a")
                .returning(subjects.c.id)).scalar_one()
            uow.commit()
        return bureau.uow, int(ada)
    store = FakeStore()
    store.files[1] = store.add_file(1, id_hmac="h:cred-a")
    return (lambda: FakeUnitOfWork(store, clock)), 1


def test_organisations_keys_and_web_sessions_alike(repos):
    new_uow, _ = repos
    with new_uow() as uow:
        creds = uow.credentials
        org = creds.add_organisation("Cred Lender", "member", NOW)
        creds.add_key(org, "credpfx1", "hash-1", NOW)
        creds.start_web_session("s1", org, NOW, NOW + HOUR)
        creds.start_web_session("s2", org, NOW, NOW + HOUR)
        uow.commit()
    with new_uow() as uow:
        creds = uow.credentials
        found = creds.organisation("Cred Lender")
        assert (found.id, found.role, found.created_at, found.revoked_at) == (
            org, "member", NOW, None)
        assert creds.organisation("Nobody") is None
        assert "Cred Lender" in [o.name for o in creds.organisations()]
        key = creds.key("credpfx1")
        assert (key.org_id, key.key_hash, key.revoked_at, key.org_revoked) == (
            org, "hash-1", None, None)
        assert creds.key("nope") is None
        assert creds.web_session("s1", NOW).name == "Cred Lender"
        assert creds.web_session("s1", NOW + HOUR) is None           # run out
        creds.end_web_session("s1", NOW)
        uow.commit()
    with new_uow() as uow:
        creds = uow.credentials
        assert creds.web_session("s1", NOW) is None
        assert creds.web_session("s2", NOW) is not None
        creds.start_web_session("s3", org, NOW, NOW + HOUR)         # forgets ended s1
        creds.end_web_sessions(org, NOW)
        creds.revoke_keys(org, NOW)
        creds.revoke_organisation(org, NOW)
        creds.changed()
        uow.commit()
    with new_uow() as uow:
        creds = uow.credentials
        assert creds.web_session("s2", NOW) is None and creds.web_session("s3", NOW) is None
        key = creds.key("credpfx1")
        assert key.revoked_at == NOW and key.org_revoked == NOW
        assert creds.organisation("Cred Lender").revoked_at == NOW


def test_enrolment_logins_and_sessions_alike(repos):
    new_uow, ada = repos
    with new_uow() as uow:
        creds = uow.credentials
        holder = creds.holder("h:cred-a")
        assert (holder.id, holder.item_ref, holder.kind) == (ada, holder.item_ref, "person")
        assert holder.date_of_birth == date(1990, 1, 2)
        assert creds.holder("h:nobody") is None
        creds.add_enrolment_code(ada, "code-1", NOW, NOW + HOUR)
        uow.commit()
    with new_uow() as uow:
        creds = uow.credentials
        assert creds.enrolment_code(ada, "code-1", NOW + HOUR) is None        # expired
        code = creds.enrolment_code(ada, "code-1", NOW)
        assert code is not None and creds.enrolment_code(ada, "code-2", NOW) is None
        assert not creds.enrolled(ada) and creds.login("h:cred-a") is None
        creds.use_enrolment_code(code, NOW)
        creds.add_login(ada, "pw-1", NOW)
        creds.add_session("t1", ada, NOW, NOW + HOUR)
        creds.add_session("t2", ada, NOW, NOW + HOUR)
        uow.commit()
    with new_uow() as uow:
        creds = uow.credentials
        assert creds.enrolment_code(ada, "code-1", NOW) is None               # used
        assert creds.enrolled(ada)
        assert creds.login("h:cred-a").password_hash == "pw-1"
        s = creds.session("t1")
        assert (s.subject_id, s.name, s.expires_at) == (ada, "Ada Lovelace", NOW + HOUR)
        creds.end_session("t1")
        creds.set_password(ada, "pw-2")
        uow.commit()
    with new_uow() as uow:
        creds = uow.credentials
        assert creds.session("t1") is None and creds.session("t2") is not None
        assert creds.login("h:cred-a").password_hash == "pw-2"
        creds.end_sessions(ada)
        uow.commit()
    with new_uow() as uow:
        assert uow.credentials.session("t2") is None
