from __future__ import annotations

import pytest

from dataready.domain.fqn import FQN, FQNLevel, split_fqn
from dataready.errors import InvalidFQN


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("PostgreSQL.dvdrental.public.customer", ["PostgreSQL", "dvdrental", "public", "customer"]),
        ('PostgreSQL.sales."eu.west".orders', ["PostgreSQL", "sales", "eu.west", "orders"]),
        ('s.d."say ""hi""".t.c', ["s", "d", 'say "hi"', "t", "c"]),
        ("svc", ["svc"]),
        ('"a.b"', ["a.b"]),
        ('s.d.sch."x""; DROP TABLE y; --"', ["s", "d", "sch", 'x"; DROP TABLE y; --']),
    ],
)
def test_parse(text: str, parts: list[str]) -> None:
    assert split_fqn(text) == parts
    fqn = FQN.parse(text)
    assert fqn.parts == parts
    assert FQN.parse(str(fqn)) == fqn


@pytest.mark.parametrize(
    "text",
    ["", "  ", "a..b", "a.b.", ".a", 'a."b', 'a."b"c', 'a.b"c', "a.b.c.d.e.f"],
)
def test_refuse(text: str) -> None:
    with pytest.raises(InvalidFQN) as info:
        FQN.parse(text)
    assert info.value.field == "asset_fqn"


def test_levels() -> None:
    assert FQN.parse("s").level is FQNLevel.SERVICE
    assert FQN.parse("s.d").level is FQNLevel.DATABASE
    assert FQN.parse("s.d.x.t").level is FQNLevel.TABLE
    assert FQN.parse("s.d.x.t").child("c").level is FQNLevel.COLUMN
