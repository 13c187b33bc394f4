"""Identifier quoting and sample statements (the read-only guard: test_guard.py)."""

from __future__ import annotations

import pytest

from dataready.errors import ValidationFailed
from dataready.sql.quoting import qualify, quote_identifier, quote_string
from dataready.sql.sample import sample_query

HOSTILE = 'x"; DROP TABLE y; --'


@pytest.mark.parametrize(
    ("name", "dialect", "quoted"),
    [
        ("orders", "postgresql", '"orders"'),
        (HOSTILE, "postgresql", '"x""; DROP TABLE y; --"'),
        (HOSTILE, "sqlite", '"x""; DROP TABLE y; --"'),
        ("we`ird", "mysql", "`we``ird`"),
        ('we"ird', "mysql", '`we"ird`'),
        ("with.dot", "duckdb", '"with.dot"'),
        ("spa ce", "mssql", "[spa ce]"),
        ("a]b", "mssql", "[a]]b]"),
        ("ünï", "unknown-dialect", '"ünï"'),
    ],
)
def test_quote_identifier(name: str, dialect: str, quoted: str) -> None:
    assert quote_identifier(name, dialect) == quoted


@pytest.mark.parametrize("bad", ["", "a\x00b"])
def test_quote_identifier_rejects_empty_and_nul(bad: str) -> None:
    with pytest.raises(ValidationFailed):
        quote_identifier(bad, "postgresql")


def test_qualify_and_strings() -> None:
    assert qualify("db", None, "t", dialect="duckdb") == '"db"."t"'
    assert quote_string("it's") == "'it''s'"


def test_sample_query() -> None:
    sql = sample_query(("s.x", HOSTILE), ['we"ird', "spa ce"], 5, dialect="postgresql")
    assert sql == ('SELECT "we""ird", "spa ce" FROM "s.x"."x""; DROP TABLE y; --" LIMIT 5')
    assert sample_query((None, "t"), None, 0, dialect="mysql") == "SELECT * FROM `t` LIMIT 0"
    with pytest.raises(ValueError):
        sample_query(("t",), None, -1, dialect="mysql")
