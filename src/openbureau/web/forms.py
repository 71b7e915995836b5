"""Form input for the pages: typed from the strings a browser sends, and refusals shown next to
their fields.

The rules are not here: a page converts what it must (a date, an amount written in major units)
and calls the service the API calls, which refuses bad input with ``ValidationFailed`` naming
each field as the API does ("debtor.name", "subject.date_of_birth", "restrictions[0].until").
``field_errors`` maps those names to the form's inputs ("name", "date_of_birth",
"restrictions").
"""

from __future__ import annotations

import re
from datetime import date

from openbureau.domain import money
from openbureau.domain.errors import FieldError, OpenBureauError, ValidationFailed
from openbureau.domain.wording import N_

_PREFIXES = ("subject.", "debtor.")


def minor_units(field: str, text: str, currency: str | None,
                errors: list[FieldError]) -> int | None:
    """An amount in ``currency``'s major units ("1234.50") as integer minor units (123450); None
    and an error appended when it is not written that way. Its bounds are the service's."""
    minor = money.parse_major(text, currency)
    if isinstance(minor, str):
        errors.append(FieldError(field, minor))
        return None
    return minor


def day(field: str, text: str, errors: list[FieldError], required: bool = False) -> date | None:
    """A date written YYYY-MM-DD; None when empty. Its bounds are the service's."""
    text = text.strip()
    if not text:
        if required:
            errors.append(FieldError(field, N_("is required")))
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors.append(FieldError(field, N_("must be a date written YYYY-MM-DD")))
        return None


def input_of(field: str) -> str:
    """The form input a service's field name refers to."""
    for prefix in _PREFIXES:
        if field.startswith(prefix):
            field = field[len(prefix):]
            break
    return re.split(r"[.\[]", field, maxsplit=1)[0]


def field_errors(exc: OpenBureauError, renamed: dict[str, str] | None = None
                 ) -> tuple[dict[str, str], list[str]]:
    """(the message for each input, every message for the summary at the top). A refusal that
    names no field (a conflict, "no file") goes in the summary only."""
    if not isinstance(exc, ValidationFailed):
        return {}, [exc.detail]
    by_input: dict[str, str] = {}
    for e in exc.errors:
        name = input_of(e.field)
        name = (renamed or {}).get(name, name)
        by_input[name] = f"{by_input[name]}; {e.message}" if name in by_input else e.message
    return by_input, [f"{e.field}: {e.message}" for e in exc.errors]
