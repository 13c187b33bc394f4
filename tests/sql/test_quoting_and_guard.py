"""Identifier quoting, sample statements and the read-statement guard."""

from __future__ import annotations

import pytest

from dataready.errors import QueryFailed, ReadOnlyViolation, ValidationFailed
from dataready.sql.guard import check_read_statement, first_keyword, split_statements
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


@pytest.mark.parametrize(
    ("sql", "count"),
    [
        ("SELECT 1", 1),
        ("SELECT 1;", 1),
        ("SELECT 1; SELECT 2", 2),
        ("SELECT ';' AS a", 1),
        ("SELECT 'it''s;' AS a", 1),
        ('SELECT 1 AS "a;b"', 1),
        ("SELECT 1 -- ; comment\n", 1),
        ("SELECT 1 /* ; */", 1),
        ("SELECT $$;$$", 1),
        ("SELECT $tag$ ; $tag$", 1),
        ("SELECT 1 /* unterminated ;", 1),
    ],
)
def test_split_statements(sql: str, count: int) -> None:
    assert len(split_statements(sql, "postgresql")) == count


def test_hash_comments_only_in_mysql() -> None:
    assert len(split_statements("SELECT 1 # ; x", "mysql")) == 1
    assert len(split_statements("SELECT 1 # 2; SELECT 3", "postgresql")) == 2


@pytest.mark.parametrize(
    "sql", ["SELECT 1", "  with x as (select 1) select * from x", "(SELECT 1) UNION SELECT 2",
            "/* lead */ SELECT 1", "EXPLAIN SELECT 1", "VALUES (1)", "SHOW TABLES"],
)  # fmt: skip
def test_reading_statements_pass(sql: str) -> None:
    assert check_read_statement(sql, "postgresql") == sql


@pytest.mark.parametrize(
    "sql",
    ["DELETE FROM t", "-- c\nDROP TABLE t", "SET x = 1", "BEGIN", "COPY t TO '/tmp/x'",
     "CALL p()", "ATTACH 'x.db' AS x", "PRAGMA query_only = OFF", "GRANT ALL ON t TO u"],
)  # fmt: skip
def test_writing_statements_are_refused(sql: str) -> None:
    with pytest.raises(ReadOnlyViolation, match="read-only"):
        check_read_statement(sql, "postgresql")


def test_dialect_keywords() -> None:
    check_read_statement("PRAGMA table_info('t')", "sqlite")
    check_read_statement("FROM t", "duckdb")
    with pytest.raises(ReadOnlyViolation):
        check_read_statement("FROM t", "postgresql")


@pytest.mark.parametrize("sql", ["", "  ;  ", "SELECT 1; DROP TABLE t"])
def test_empty_or_several_statements(sql: str) -> None:
    with pytest.raises(QueryFailed, match="statement"):
        check_read_statement(sql)


def test_first_keyword() -> None:
    assert first_keyword("((select 1))") == "select"
    assert first_keyword("") == ""
