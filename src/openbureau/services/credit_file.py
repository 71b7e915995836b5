"""One consumer's credit file, as the scorecard may see it at a date, read from the database.

The exclusion rules (deleted, suppressed, disputed under investigation: an open dispute or a
compliance code XB/XC/XF/XG/XH; purged inquiries; inactive public records) are those of
``docs/attributes.md``; the loader is the reference engine's own
(:func:`openbureau.scoring.engines.credit_files`), narrowed to one subject, so a simulation starts
from exactly the file every engine scores.
"""

from __future__ import annotations

from datetime import date

from openbureau.scoring.attributes import CreditFile
from openbureau.unit_of_work import UnitOfWork


def load_credit_file(uow: UnitOfWork, subject_id: int, as_of: date) -> CreditFile:
    from openbureau.scoring.engines import credit_files
    from openbureau.scoring.sql import Subjects

    files = credit_files(uow.session.connection(), as_of, Subjects(ids=(subject_id,)))
    return files.get(subject_id, CreditFile(as_of=as_of))
