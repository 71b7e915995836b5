"""The SQLAlchemy unit of work, at its former address for the modules not yet converted to the
port (``services/ports.py``); it lives in ``adapters/unit_of_work.py``."""

from openbureau.adapters.unit_of_work import NestedUnitOfWork, UnitOfWork

__all__ = ["NestedUnitOfWork", "UnitOfWork"]
