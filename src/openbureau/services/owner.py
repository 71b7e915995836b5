"""The consumer's own file, as every consumer use case starts."""

from __future__ import annotations

from openbureau.domain.errors import NotFound
from openbureau.domain.roles import Principal, consumer_id
from openbureau.services.ports import UnitOfWork
from openbureau.services.stored import FileIdentity

NO_FILE = "no file matches this identity"   # services.subjects.NO_FILE


def own_file(uow: UnitOfWork, consumer: Principal) -> FileIdentity:
    """The file of a consumer principal (ValueError for any other principal)."""
    found = uow.files.identity(consumer_id(consumer))
    if found is None:
        raise NotFound(NO_FILE)
    return found
