"""Names are compared in Unicode: nothing deleted, Latin letters transliterated on purpose."""

from __future__ import annotations

import pytest

from openbureau.services.subjects import names_match, normalise_name, transliterate


@pytest.mark.parametrize(("stored", "given"), [
    ("Wei 王", "Wei 王"),
    ("Łukasz Nowak", "Lukasz Nowak"),
    ("Łukasz Nowak", "ŁUKASZ NOWAK"),
    ("José Álvarez", "Jose Alvarez"),
    ("Müller, Jürgen", "Jürgen Müller"),
    ("Straße Anna", "Anna Strasse"),
    ("Ｗｅｉ 王", "Wei 王"),            # full-width letters (NFKC)
    ("Søren Ørsted", "Soren Orsted"),
])
def test_names_that_match(stored: str, given: str) -> None:
    assert names_match(stored, given)


@pytest.mark.parametrize(("stored", "given"), [
    ("Wei 王", "Wei 李"),
    ("Wei 王", "Wei"),
    ("Łukasz Nowak", "ukasz Nowak"),
    ("Иван Петров", "Ivan Petrov"),       # another script is not guessed at
    ("Иван Петров", "Петров"),
    ("Anna Smith", "Anna Smyth"),
])
def test_names_that_do_not_match(stored: str, given: str) -> None:
    assert not names_match(stored, given)


def test_no_character_is_deleted() -> None:
    assert normalise_name("Wei 王") == "wei 王"
    assert transliterate("Wei 王") == "wei 王"
    assert transliterate("Иван") == "иван"
    assert normalise_name("  Anne-Marie,  O'Neil ") == "anne-marie o'neil"
