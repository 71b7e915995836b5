"""Demo credentials: one organisation per role with a fresh key, and one enrolled consumer.

Only for the synthetic demo population; refused in production.
"""

from __future__ import annotations

from openbureau.adapters.secrets_hashing import hash_secret
from openbureau.domain.errors import Conflict, NotFound
from openbureau.domain.roles import ORG_ROLES, SYSTEM, Role
from openbureau.services import access
from openbureau.services.ports import Deps, UnitOfWork

DEMO_PASSWORD = "demo-password-2026"


def issue(uow: UnitOfWork, deps: Deps) -> list[dict[str, str]]:
    """The demo's credentials, one per role."""
    if deps.settings.environment == "production":
        raise Conflict("demo credentials are not issued in production")
    from openbureau.synthetic.population import FURNISHERS

    creds = []
    for role in ORG_ROLES:
        # the furnisher's key is the first demo bank's, whose accounts the population holds
        name = (next(iter(FURNISHERS.values())) if role is Role.FURNISHER
                else f"Demo {role.value.title()}")
        with uow:
            exists = uow.credentials.organisation(name) is not None
        issued = (access.rotate_key(uow, deps, SYSTEM, name) if exists
                  else access.create_organisation(uow, deps,
                                                  SYSTEM, name, role.value))
        creds.append({"role": role.value, "who": name, "credential": issued.key})
    creds.append(_consumer(uow, deps))
    return creds


def _consumer(uow: UnitOfWork, deps: Deps) -> dict[str, str]:
    """The showcase's consumer (``demo_showcase``: the first enrolled), else the first file."""
    from openbureau.services.demo_showcase import enrolled_consumer

    row = enrolled_consumer(uow, deps)
    if row is None:
        with uow:
            row = uow.demo.first_person()
    if row is None:
        raise NotFound("no credit file yet; run `openbureau demo seed` first")
    assert row.id_ciphertext is not None        # the synthetic population's all have one
    nid = deps.vault.decrypt(row.id_ciphertext)
    with uow:
        enrolled = uow.credentials.enrolled(row.id)
        if enrolled:
            uow.credentials.set_password(row.id, hash_secret(DEMO_PASSWORD))
            uow.commit()
    if not enrolled:
        invite = access.invite_consumer(uow, deps, SYSTEM, nid)
        assert row.date_of_birth is not None
        access.enrol(uow, deps,
                     nid, row.date_of_birth, invite["enrolment_code"], DEMO_PASSWORD)
    return {"role": "consumer", "who": row.name,
            "credential": f"national_id={nid} password={DEMO_PASSWORD}"}

