"""``among`` (``column IN values``, one parameter on PostgreSQL) finds exactly the values asked
for, whatever they hold: quotes, backslashes, braces, commas, blanks, the separator the joined
form uses (those fall back to an array parameter), an empty string, no value at all."""

from __future__ import annotations

import pytest
from sqlalchemy import BigInteger, Column, Engine, MetaData, String, Table, select

from openbureau.adapters.consents import among

_TEXTS = ["a", 'b"c', "d\\e", "f g", " h ", "NULL", "{x}", "é,", "", "x\x1fy", "ab" * 32]


@pytest.mark.parametrize("wanted", [_TEXTS, _TEXTS[:-2], [], ["a"], [""], ["", "a"],
                                    ["x\x1fy"], ["nowhere", "a"]])
def test_among_finds_exactly_the_values(engine: Engine, wanted: list[str]) -> None:
    meta = MetaData()
    table = Table("among_probe", meta, Column("s", String(64)), Column("i", BigInteger),
                  prefixes=["TEMPORARY"])
    with engine.connect() as conn:
        meta.create_all(conn)
        conn.execute(table.insert(), [{"s": s, "i": n} for n, s in enumerate(_TEXTS)])
        got = sorted(r.s for r in conn.execute(
            select(table.c.s).where(among(engine.dialect.name, table.c.s, wanted))))
        assert got == sorted(set(wanted) & set(_TEXTS))
        numbers = [n for n, s in enumerate(_TEXTS) if s in wanted] + [999]
        assert sorted(r.i for r in conn.execute(
            select(table.c.i).where(among(engine.dialect.name, table.c.i, numbers)))) \
            == numbers[:-1]
        conn.rollback()
