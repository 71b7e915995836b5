"""One consumer's credit file, as the scorecard may see it at a date, read from the database.

The exclusion rules (deleted, suppressed, disputed under investigation: an open dispute or a
compliance code XB/XC/XF/XG/XH; purged inquiries; inactive public records) are those of
``docs/attributes.md``; the loader is the reference engine's own
(``uow.scores.credit_file``: :func:`openbureau.adapters.scoring_engines.credit_files`), narrowed
to one subject, so a simulation starts from exactly the file every engine scores.
"""

from __future__ import annotations

from datetime import date

from openbureau.scoring.attributes import CreditFile
from openbureau.services.ports import UnitOfWork


def load_credit_file(uow: UnitOfWork, subject_id: int, as_of: date) -> CreditFile:
    return uow.scores.credit_file(subject_id, as_of)
