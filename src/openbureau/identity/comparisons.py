"""The matching model's comparisons, each level written once in SQL (splink trains and batch-
links with it) and in Python (the in-process scorer), side by side so they cannot drift apart
unnoticed: ``tests/unit/test_identity_model.py`` scores the same pairs both ways (splink's own
``score_pairs`` and the in-process scorer), and runs each level's SQL on DuckDB beside its
Python.

Levels are tried in order; the first that holds is the pair's level for that comparison. The
first level of each comparison is its null level (a field one side lacks says nothing); a
comparison may have other null levels (the surname's "names reversed" and "names reversed and
similar": the swap is weighed once, in the first name).
String similarity is Jaro-Winkler (DuckDB's ``jaro_winkler_similarity``, rapidfuzz's
``JaroWinkler`` in Python: one algorithm).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rapidfuzz.distance import DamerauLevenshtein, Hamming, JaroWinkler

from openbureau.identity.features import Features

Test = Callable[[Features, Features], bool]


@dataclass(frozen=True, slots=True)
class Level:
    label: str
    sql: str
    test: Test
    tf: str | None = None         # term-frequency adjusted on this column (exact levels)
    null: bool = False


@dataclass(frozen=True, slots=True)
class Comparison:
    name: str                     # splink's output column name
    description: str
    levels: tuple[Level, ...]     # the last is "else" (all other pairs)

    def level_of(self, a: Features, b: Features) -> int:
        """The index of the first level that holds for the pair."""
        for i, level in enumerate(self.levels):
            if level.test(a, b):
                return i
        raise AssertionError("the last level holds for every pair")


def _null(col: str) -> Level:
    return Level("null", f'"{col}_l" IS NULL OR "{col}_r" IS NULL',
                 lambda a, b: getattr(a, col) is None or getattr(b, col) is None, null=True)


def _exact(col: str, tf: bool = False) -> Level:
    return Level("exact", f'"{col}_l" = "{col}_r"',
                 lambda a, b: getattr(a, col) == getattr(b, col), tf=col if tf else None)


def _jw(col: str, threshold: float) -> Level:
    return Level(f"jaro-winkler >= {threshold}",
                 f'jaro_winkler_similarity("{col}_l", "{col}_r") >= {threshold}',
                 lambda a, b: JaroWinkler.similarity(getattr(a, col), getattr(b, col))
                 >= threshold)


_ELSE = Level("else", "ELSE", lambda a, b: True)


def _eq(x: str | None, y: str | None) -> bool:
    """SQL's ``=``: never true when either side is NULL."""
    return x is not None and x == y


def _one_digit_off(a: Features, b: Features) -> bool:
    x, y = a.nid or "", b.nid or ""
    return len(x) == len(y) and Hamming.distance(x, y) == 1


def _transposed(a: Features, b: Features) -> bool:
    return DamerauLevenshtein.distance(a.nid or "", b.nid or "") == 1


def _reversed(a: Features, b: Features) -> bool:
    """First name and surname swapped: each side's first name is the other's surname."""
    return _eq(a.first, b.surname) and _eq(b.first, a.surname)


# splink's ``ColumnsReversedLevel("first", "surname", symmetrical=True)``: one event, weighed
# once -- in the first-name comparison; in the surname comparison the same pairs fall in a null
# level (weight 0), or the swap would be counted twice.
_REVERSED_SQL = '"first_l" = "surname_r" AND "first_r" = "surname_l"'


def _reversed_similar(a: Features, b: Features) -> bool:
    """First name and surname swapped and one of them (or both) misspelt: each side's first
    name is like the other's surname (Jaro-Winkler >= 0.9 both ways), and neither name is
    the same in place."""
    if a.first is None or b.first is None or a.surname is None or b.surname is None:
        return False
    return (a.first != b.first and a.surname != b.surname
            and JaroWinkler.similarity(a.first, b.surname) >= 0.9
            and JaroWinkler.similarity(b.first, a.surname) >= 0.9)


# "Bery Daniel" or "Berry Danial" for Daniel Berry. One SQL condition for both comparisons,
# which names both columns, so its pairs are the same in each (after their null, exact and
# "names reversed" levels): weighed once, in the first name, a null level in the surname's.
_REVERSED_SIMILAR_SQL = (
    'jaro_winkler_similarity("first_l", "surname_r") >= 0.9 AND '
    'jaro_winkler_similarity("first_r", "surname_l") >= 0.9 AND '
    '"first_l" <> "first_r" AND "surname_l" <> "surname_r"')


def _initial(a: Features, b: Features, col: str) -> bool:
    x, y = getattr(a, col) or "", getattr(b, col) or ""
    return x[:1] == y[:1] and (len(x) == 1 or len(y) == 1)


def _dob_swapped(a: Features, b: Features) -> bool:
    x, y = a.dob, b.dob
    assert x is not None and y is not None
    return x.year == y.year and x.day == y.month and x.month == y.day


def _dob_one_part(a: Features, b: Features) -> bool:
    x, y = a.dob, b.dob
    assert x is not None and y is not None
    return (x.year == y.year) + (x.month == y.month) + (x.day == y.day) == 2


COMPARISONS: tuple[Comparison, ...] = (
    Comparison("nid", "national id: exact, one digit off, two digits transposed", (
        _null("nid"), _exact("nid"),
        Level("one digit off",
              'length("nid_l") = length("nid_r") AND hamming("nid_l", "nid_r") = 1',
              _one_digit_off),
        Level("transposition", 'damerau_levenshtein("nid_l", "nid_r") = 1', _transposed),
        _ELSE)),
    Comparison("first", "first name: exact (frequency adjusted), names reversed, names "
               "reversed and similar, nickname, similar, initial", (
        _null("first"), _exact("first", tf=True),
        Level("names reversed", _REVERSED_SQL, _reversed),
        Level("names reversed and similar", _REVERSED_SIMILAR_SQL, _reversed_similar),
        Level("nickname", 'list_contains("first_nicks_l", "first_r") OR '
              'list_contains("first_nicks_r", "first_l")',
              lambda a, b: a.first in b.first_nicks or b.first in a.first_nicks),
        _jw("first", 0.9),
        Level("initial", 'substr("first_l", 1, 1) = substr("first_r", 1, 1) AND '
              '(length("first_l") = 1 OR length("first_r") = 1)',
              lambda a, b: _initial(a, b, "first")),
        _ELSE)),
    Comparison("middle", "middle name: exact, initial", (
        _null("middle"), _exact("middle"),
        Level("initial", 'substr("middle_l", 1, 1) = substr("middle_r", 1, 1)',
              lambda a, b: (a.middle or "")[:1] == (b.middle or "")[:1]),
        _ELSE)),
    Comparison("surname", "surname: exact (frequency adjusted), names reversed and names "
               "reversed and similar (both weighed with the first name), phonetic, similar", (
        _null("surname"), _exact("surname", tf=True),
        Level("names reversed (weighed with the first name)", _REVERSED_SQL, _reversed,
              null=True),
        Level("names reversed and similar (weighed with the first name)",
              _REVERSED_SIMILAR_SQL, _reversed_similar, null=True),
        Level("phonetic", '"surname_phon_l" = "surname_phon_r"',
              lambda a, b: a.surname_phon == b.surname_phon),
        _jw("surname", 0.9),
        _ELSE)),
    Comparison("gen", "generation code (Jr, Sr, II...): same, different", (
        _null("gen"), _exact("gen"), _ELSE)),
    Comparison("dob", "birth date: exact, day and month swapped, one part off", (
        _null("dob"), _exact("dob"),
        Level("day and month swapped",
              '"dob_y_l" = "dob_y_r" AND "dob_d_l" = "dob_m_r" AND "dob_m_l" = "dob_d_r"',
              _dob_swapped),
        Level("one part off",
              'CAST("dob_y_l" = "dob_y_r" AS INTEGER) + CAST("dob_m_l" = "dob_m_r" AS INTEGER)'
              ' + CAST("dob_d_l" = "dob_d_r" AS INTEGER) = 2', _dob_one_part),
        _ELSE)),
    Comparison("addr", "address: same first line, similar first line, same ZIP only", (
        Level("null", '("addr_l" IS NULL OR "addr_r" IS NULL) AND '
              '("zip_l" IS NULL OR "zip_r" IS NULL)',
              lambda a, b: (a.addr is None or b.addr is None)
              and (a.zip is None or b.zip is None), null=True),
        Level("same address", '"addr_l" = "addr_r"', lambda a, b: _eq(a.addr, b.addr)),
        Level("similar address", 'jaro_winkler_similarity("addr_l", "addr_r") >= 0.92',
              lambda a, b: a.addr is not None and b.addr is not None
              and JaroWinkler.similarity(a.addr, b.addr) >= 0.92),
        Level("same ZIP", '"zip_l" = "zip_r"', lambda a, b: _eq(a.zip, b.zip)),
        _ELSE)),
    Comparison("phone", "phone (last ten digits): exact", (
        _null("phone"), _exact("phone"), _ELSE)),
)

BY_NAME = {c.name: c for c in COMPARISONS}


def splink_comparisons() -> list[dict[str, Any]]:
    """The comparisons as splink settings (dicts: splink 5 reads them as they are)."""
    out = []
    for c in COMPARISONS:
        levels: list[dict[str, Any]] = []
        for level in c.levels:
            entry: dict[str, Any] = {"sql_condition": level.sql, "label_for_charts": level.label}
            if level.null:
                entry["is_null_level"] = True
            if level.tf:
                entry["tf_adjustment_column"] = level.tf
                entry["tf_adjustment_weight"] = 1.0
            levels.append(entry)
        out.append({"output_column_name": c.name, "comparison_description": c.description,
                    "comparison_levels": levels})
    return out
