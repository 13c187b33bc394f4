"""Golden cases for the declared-type normaliser."""

from __future__ import annotations

import pytest

from dataready.sql.types import TypeFamily, type_family

F = TypeFamily

CASES = [
    # (title, declared, dialect, family)
    ("pg varchar", "character varying(20)", "postgresql", F.STRING),
    ("pg text", "text", "postgresql", F.STRING),
    ("pg numeric", "numeric(10,2)", "postgresql", F.DECIMAL),
    ("pg money", "money", "postgresql", F.DECIMAL),
    ("pg double", "double precision", "postgresql", F.FLOAT),
    ("pg timestamptz", "timestamp(3) with time zone", "postgresql", F.TIMESTAMP),
    ("pg timetz", "time without time zone", "postgresql", F.TIME),
    ("pg interval", "interval day to second", "postgresql", F.INTERVAL),
    ("pg jsonb", "jsonb", "postgresql", F.JSON),
    ("pg uuid", "uuid", "postgresql", F.UUID),
    ("pg int array", "integer[]", "postgresql", F.ARRAY),
    ("pg udt array", "_int4", "postgresql", F.ARRAY),
    ("pg bytea", "bytea", "postgresql", F.BINARY),
    ("pg serial", "bigserial", "postgresql", F.INTEGER),
    ("pg geometry", "geometry(Point,4326)", "postgresql", F.OTHER),
    ("mysql int display width", "int(11) unsigned", "mysql", F.INTEGER),
    ("mysql tinyint(1) is a flag", "tinyint(1)", "mysql", F.BOOLEAN),
    ("mysql tinyint(4)", "tinyint(4)", "mysql", F.INTEGER),
    ("mysql enum", "enum('a','b')", "mysql", F.STRING),
    ("mysql longblob", "longblob", "mysql", F.BINARY),
    ("mysql datetime", "datetime(6)", "mysql", F.TIMESTAMP),
    ("mysql year", "year(4)", "mysql", F.INTEGER),
    ("mysql bit(1)", "bit(1)", "mysql", F.BOOLEAN),
    ("mysql json", "json", "mysql", F.JSON),
    ("sqlite affinity int", "UNSIGNED BIG INT", "sqlite", F.INTEGER),
    ("sqlite affinity text", "NATIVE CHARACTER(70)", "sqlite", F.STRING),
    ("sqlite affinity real", "REAL NUMBER", "sqlite", F.FLOAT),
    ("sqlite rule 1 wins: FLOATING POINT holds INT", "FLOATING POINT", "sqlite", F.INTEGER),
    ("sqlite no type", "", "sqlite", F.OTHER),
    ("sqlite numeric affinity", "WHATEVER", "sqlite", F.DECIMAL),
    ("sqlite boolean", "BOOLEAN", "sqlite", F.BOOLEAN),
    ("duckdb hugeint", "HUGEINT", "duckdb", F.INTEGER),
    ("duckdb list", "INTEGER[]", "duckdb", F.ARRAY),
    ("duckdb fixed array", "VARCHAR[3]", "duckdb", F.ARRAY),
    ("duckdb struct", "STRUCT(a INTEGER, b VARCHAR)", "duckdb", F.STRUCT),
    ("duckdb map", "MAP(VARCHAR, INTEGER)", "duckdb", F.OTHER),
    ("duckdb timestamp_ns", "TIMESTAMP_NS", "duckdb", F.TIMESTAMP),
    ("duckdb tz", "TIMESTAMP WITH TIME ZONE", "duckdb", F.TIMESTAMP),
    ("snowflake number(38,0)", "NUMBER(38,0)", "snowflake", F.INTEGER),
    ("snowflake number(10,2)", "NUMBER(10,2)", "snowflake", F.DECIMAL),
    ("snowflake variant", "VARIANT", "snowflake", F.JSON),
    ("snowflake timestamp_ntz", "TIMESTAMP_NTZ(9)", "snowflake", F.TIMESTAMP),
    ("bigquery int64", "INT64", "bigquery", F.INTEGER),
    ("bigquery string", "STRING", "bigquery", F.STRING),
    ("bigquery struct", "STRUCT<a INT64>", "bigquery", F.OTHER),
    ("bigquery array", "ARRAY<STRING>", "bigquery", F.ARRAY),
    ("bigquery bytes", "BYTES", "bigquery", F.BINARY),
    ("trino row", "row(a integer)", "trino", F.OTHER),
    ("trino array", "array(varchar)", "trino", F.ARRAY),
    ("trino varchar", "varchar(255)", "trino", F.STRING),
    ("mssql nvarchar max", "nvarchar(max)", "mssql", F.STRING),
    ("mssql uniqueidentifier", "uniqueidentifier", "mssql", F.UUID),
    ("mssql datetime2", "datetime2(7)", "mssql", F.TIMESTAMP),
    ("unknown", "tsrange", None, F.OTHER),
    ("pg range", "tstzrange", "postgresql", F.RANGE),
    ("pg bit string", "bit(3)", "postgresql", F.STRING),
    ("pg one bit", "bit(1)", "postgresql", F.STRING),
    ("pg varbit", "bit varying(8)", "postgresql", F.STRING),
    ("pg point", "point", "postgresql", F.STRING),
    ("mysql bit flag", "bit(1)", "mysql", F.BOOLEAN),
    ("none", None, None, F.OTHER),
]


@pytest.mark.parametrize(("declared", "dialect", "family"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_type_family(declared: str | None, dialect: str | None, family: TypeFamily) -> None:
    assert type_family(declared, dialect) is family


def test_families_are_the_documented_set() -> None:
    assert [f.value for f in TypeFamily] == [
        "integer", "decimal", "float", "boolean", "string", "binary", "date", "time",
        "timestamp", "json", "uuid", "array", "interval", "range", "struct", "other",
    ]  # fmt: skip
