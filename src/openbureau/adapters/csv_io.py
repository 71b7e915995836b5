"""CSV furnisher files: the AccountRecord columns, the subject and the nested objects flattened.

Columns: the subject's own fields as ``subject_national_id, subject_name, subject_date_of_birth,
subject_surname, subject_first_name, subject_middle_name, subject_generation_code,
subject_phone``; its address and employer as ``subject.address.line1`` ...
``subject.employer.occupation``; then the other AccountRecord field names (``account_ref, as_of,
kind, ...``), the nested account objects dotted (``original_creditor.name``,
``purchase.indicator``, ``mortgage.mers_min``, ``specialised_payment.balloon_due``,
``account_change.new_account_ref`` ...). ``COLUMNS`` lists them all, in the order ``write_csv``
writes them. Any order; only the columns of required fields must be present (a subject without
a national id needs its date of birth: that is checked per row). UTF-8, with or without a BOM;
an empty cell means "absent", and a nested object whose cells are all empty is absent.

The header is checked before any row is read: an unknown column, or one in a prohibited
category (``religion``, ``facebook_friends``, ``subject.address.gps`` ...), refuses the whole
file with ``ValidationFailed`` / ``ProhibitedData`` naming the column and the category. A row
with the wrong number of cells is a ``LineError``; everything else is left to
``parse_account_record``. Lines are physical lines (header = 1), so a quoted cell spanning lines
is counted honestly.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

from openbureau.adapters.fileformats import FileUnreadable, LineError, RawRecord
from openbureau.domain.errors import FieldError, ProhibitedData, ValidationFailed
from openbureau.domain.record_parts import (
    ACCOUNT_CHANGE_FIELDS,
    ADDRESS_FIELDS,
    EMPLOYER_FIELDS,
    MORTGAGE_FIELDS,
    ORIGINAL_CREDITOR_FIELDS,
    PURCHASE_FIELDS,
    SPECIALISED_PAYMENT_FIELDS,
)
from openbureau.domain.records import (
    RECORD_FIELDS,
    SUBJECT_FIELDS,
    AccountRecord,
    check_fields,
    record_to_dict,
)

# the subject's scalar fields and its nested objects
_SUBJECT_SCALARS = tuple(f for f in SUBJECT_FIELDS if f not in ("address", "employer"))
_NESTED = {"subject.address": ADDRESS_FIELDS, "subject.employer": EMPLOYER_FIELDS,
           "original_creditor": ORIGINAL_CREDITOR_FIELDS, "purchase": PURCHASE_FIELDS,
           "mortgage": MORTGAGE_FIELDS, "specialised_payment": SPECIALISED_PAYMENT_FIELDS,
           "account_change": ACCOUNT_CHANGE_FIELDS}
SUBJECT_COLUMNS = tuple(f"subject_{f}" for f in _SUBJECT_SCALARS)


def _column_paths() -> dict[str, tuple[str, ...]]:
    """Column name -> where its cell goes in the record dict."""
    paths: dict[str, tuple[str, ...]] = {f"subject_{f}": ("subject", f) for f in _SUBJECT_SCALARS}
    for prefix in ("subject.address", "subject.employer"):
        paths.update({f"{prefix}.{f}": (*prefix.split("."), f) for f in _NESTED[prefix]})
    for name in RECORD_FIELDS[1:]:
        if name in _NESTED:
            paths.update({f"{name}.{f}": (name, f) for f in _NESTED[name]})
        else:
            paths[name] = (name,)
    return paths


_PATHS = _column_paths()
COLUMNS = tuple(_PATHS)
REQUIRED_COLUMNS = ("subject_name", "account_ref", "as_of", "kind", "opened_on", "balance",
                    "amount_past_due", "status", "ecoa", "currency")


def _check_header(header: list[str]) -> None:
    # a column name is echoed at most 64 characters long (a file that is not CSV at all, say a
    # Metro 2 file with a damaged header, has "columns" hundreds of characters long)
    errors = [FieldError(e.field if len(e.field) <= 64 else e.field[:61] + "...", e.message,
                         line=1, category=e.category)
              for e in check_fields(dict.fromkeys(header), COLUMNS)]
    seen: set[str] = set()
    for name in header:
        if name in seen and name in COLUMNS:
            errors.append(FieldError(name, "column appears twice", line=1))
        seen.add(name)
    errors += [FieldError(name, "required column is missing", line=1)
               for name in REQUIRED_COLUMNS if name not in seen]
    if errors:
        if any(e.category for e in errors):
            raise ProhibitedData(errors)
        raise ValidationFailed(errors)


_MAX_LINE = 1 << 20


def _lines(stream: BinaryIO) -> Iterator[str]:
    """Decoded physical lines, one at a time, so a bad byte is pinned to its line."""
    raw = stream.readline(_MAX_LINE)
    yield raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    while raw := stream.readline(_MAX_LINE):
        yield raw.decode("utf-8")


def read_csv(stream: BinaryIO) -> Iterator[RawRecord | LineError]:
    """Check the header row, then return the iterator over the data rows."""
    reader = csv.reader(_lines(stream))
    try:
        header = next(reader, None)
    except (csv.Error, UnicodeDecodeError) as exc:
        raise FileUnreadable(f"the CSV header row cannot be read: {exc}") from None
    if not header or not any(cell.strip() for cell in header):
        raise FileUnreadable("empty file: no CSV header row")
    header = [cell.strip() for cell in header]
    _check_header(header)
    return _rows(reader, header)


def _rows(reader: Any, header: list[str]) -> Iterator[RawRecord | LineError]:
    width = len(header)
    subject_at = [(i, name[len("subject_"):]) for i, name in enumerate(header)
                  if name in SUBJECT_COLUMNS]
    other_at = [(i, name) for i, name in enumerate(header) if len(_PATHS[name]) == 1]
    nested_at = [(i, _PATHS[name]) for i, name in enumerate(header)
                 if len(_PATHS[name]) > 1 and name not in SUBJECT_COLUMNS]
    last = reader.line_num
    while True:
        start = last + 1
        try:
            row = next(reader, None)
        except csv.Error as exc:
            yield LineError(start, "row", f"not valid CSV: {exc}; the rest of the file is "
                            "not read")
            return
        except UnicodeDecodeError:
            yield LineError(start, "file", "not valid UTF-8 from here on; the rest of the file "
                            "is not read")
            return
        if row is None:
            return
        last = reader.line_num
        if not row or (len(row) == 1 and not row[0].strip()):
            continue  # blank line
        if len(row) != width:
            yield LineError(start, "row", f"expected {width} cells, got {len(row)}")
            continue
        subject = {key: row[i] for i, key in subject_at if row[i] != ""}
        fields: dict[str, Any] = {name: row[i] for i, name in other_at if row[i] != ""}
        fields["subject"] = subject
        for i, path in nested_at:
            if row[i] != "":
                *outer, key = path
                d = fields
                for name in outer:
                    d = d.setdefault(name, {})
                d[key] = row[i]
        yield RawRecord(start, fields)


def _cells(d: dict[str, Any]) -> list[Any]:
    row = []
    for path in _PATHS.values():
        value: Any = d
        for name in path:
            value = value.get(name) if value is not None else None
        row.append("" if value is None else value)
    return row


def write_csv(records: Iterable[AccountRecord], out: BinaryIO) -> int:
    """Write records as UTF-8 CSV (header first, every column); returns the number of rows."""
    text = codecs.getwriter("utf-8")(out)
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    for rec in records:
        writer.writerow(_cells(record_to_dict(rec)))
        count += 1
    return count
