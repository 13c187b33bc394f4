"""Every statement dataready builds passes its own read-only guard, in every dialect.

The guard refuses what it cannot verify, so a builder that emits something sqlglot cannot
parse (or a function the deny-list names) would break profiling: this test compiles the
profiler's aggregate and stream statements for every connector's capability flags, every
type family, distinct method and sampling plan, plus the sample queries and the golden
files, and runs each through ``check_read_statement`` with the dialect the connector passes.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy.dialects import mssql, mysql, oracle, postgresql, sqlite

from dataready.connectors.base import Connector
from dataready.connectors.duckdb import DuckDBConnector
from dataready.connectors.mysql import MySQLConnector
from dataready.connectors.postgres import PostgresConnector
from dataready.connectors.sqlalchemy_gateway import DIALECT_EXTRAS
from dataready.connectors.sqlalchemy_generic import SQLAlchemyConnector
from dataready.connectors.sqlite import SQLiteConnector
from dataready.sql.guard import check_read_statement
from dataready.sql.profile import (
    ColumnSpec,
    DistinctMethod,
    ProfileDialect,
    SampleSpec,
    aggregate_statement,
    plan_sample,
    stream_statement,
)
from dataready.sql.quoting import quote_identifier
from dataready.sql.sample import compile_sample_query, sample_query
from dataready.sql.types import TypeFamily
from dataready.workflows.profiler import dialect_of

GOLDEN = Path(__file__).parent / "golden"
HOSTILE = ('x"; DROP TABLE y; --', "sel`ect ';' /* */", "nextval(1)", "ünï")

# The connector classes and the dialect names their execute() hands the guard. The generic
# connector builds ANSI profiling SQL and is guarded with its URL's backend.
CONNECTORS: list[tuple[type[Connector], tuple[str, ...]]] = [
    (PostgresConnector, ("postgresql",)),
    (MySQLConnector, ("mysql", "mariadb")),
    (SQLiteConnector, ("sqlite",)),
    (DuckDBConnector, ("duckdb",)),
    (SQLAlchemyConnector, ("ansi", *sorted(DIALECT_EXTRAS))),
]

# Declared types per family, as each engine spells them (text, typed hashes, time zones).
TYPES: dict[TypeFamily, tuple[str, ...]] = {
    TypeFamily.INTEGER: ("integer", "bigint", "smallint", "int(11)"),
    TypeFamily.DECIMAL: ("numeric(10,2)", "DECIMAL(10,2)"),
    TypeFamily.FLOAT: ("double precision", "real", "DOUBLE"),
    TypeFamily.BOOLEAN: ("boolean",),
    TypeFamily.STRING: (
        "text",
        "character varying(20)",
        "varchar(20)",
        "char(3)",
        "enum",
        "point",
        "bit(3)",
    ),
    TypeFamily.BINARY: ("bytea",),
    TypeFamily.DATE: ("date",),
    TypeFamily.TIME: ("time",),
    TypeFamily.TIMESTAMP: (
        "timestamp without time zone",
        "timestamp with time zone",
        "timestamptz",
        "datetime",
    ),
    TypeFamily.JSON: ("json", "jsonb"),
    TypeFamily.UUID: ("uuid",),
    TypeFamily.ARRAY: ("integer[]",),
    TypeFamily.INTERVAL: ("interval",),
    TypeFamily.RANGE: ("int4range", "tstzrange"),
    TypeFamily.STRUCT: ("STRUCT(a INTEGER)",),
    TypeFamily.OTHER: ("geometry",),
}


def _profile_dialect(cls: type[Connector]) -> ProfileDialect:
    # dialect_of reads only capability flags, which are class attributes.
    return dialect_of(cls)  # type: ignore[arg-type]


def _hostile(guard_dialect: str) -> tuple[str, ...]:
    # BigQuery and Databricks read "…" as a string: the ANSI profiling SQL the generic
    # connector builds cannot name a column that holds a double quote there (a limitation of
    # the ANSI quoting, which the engines would refuse too), so those names are left out.
    if guard_dialect in ("bigquery", "databricks"):
        return tuple(h for h in HOSTILE if '"' not in h)
    return HOSTILE


def _specs(dialect: ProfileDialect, hostile: str) -> list[ColumnSpec]:
    methods = [DistinctMethod.NONE, DistinctMethod.EXACT]
    if dialect.approx_distinct_function:
        methods.append(DistinctMethod.NATIVE_APPROX)
    if dialect.supports_hash_distinct:
        methods.append(DistinctMethod.HASH_SAMPLED)
    specs = []
    for family, declared_types in TYPES.items():
        for declared in declared_types:
            for method in methods:
                for modulus in (1, 64) if method is DistinctMethod.HASH_SAMPLED else (1,):
                    specs.append(
                        ColumnSpec(
                            f"{family.value} {declared} {method.value} {modulus} {hostile}",
                            family,
                            declared,
                            method,
                            hash_modulus=modulus,
                            quantiles=dialect.supports_native_quantiles,
                        )
                    )
    return specs


def _samples(dialect: ProfileDialect) -> list[SampleSpec]:
    plans = [SampleSpec()]
    for rows in (None, 1000):
        for percent in (None, 12.5, 100.0):
            for estimate in (None, 10, 1_000_000):
                for system in (False, True):
                    for view in (False, True):
                        if rows is None and percent is None:
                            continue
                        plans.append(
                            plan_sample(
                                dialect,
                                rows=rows,
                                percent=percent,
                                row_estimate=estimate,
                                system=system,
                                view=view,
                            )
                        )
    return list(dict.fromkeys(plans))


def _statements(dialect: ProfileDialect, hostile: tuple[str, ...]) -> list[str]:
    table = ".".join(dialect.quote(p) for p in ("sch", *hostile))
    specs = _specs(dialect, hostile[0])
    out = [aggregate_statement(dialect, table, specs).sql]
    out += [aggregate_statement(dialect, table, specs[:3], s).sql for s in _samples(dialect)]
    out += [aggregate_statement(dialect, table, []).sql]
    out += [stream_statement(dialect, table, [*hostile, "id"], s) for s in _samples(dialect)]
    out += [stream_statement(dialect, table, [], SampleSpec())]
    return out


@pytest.mark.parametrize(
    ("cls", "guard_dialect"),
    [(cls, name) for cls, names in CONNECTORS for name in names],
    ids=lambda v: v if isinstance(v, str) else v.__name__,
)
def test_profiling_statements_pass_the_guard(cls: type[Connector], guard_dialect: str) -> None:
    dialect = _profile_dialect(cls)
    statements = _statements(dialect, _hostile(guard_dialect))
    # the full and sampled aggregates, the empty one and the streams (a dialect without a
    # sampling clause of its own has fewer distinct sample plans)
    assert len(statements) >= 6
    for sql in statements:
        check_read_statement(sql, guard_dialect)


@pytest.mark.parametrize("path", sorted(GOLDEN.glob("profile_*.sql")), ids=lambda p: p.stem)
def test_golden_statements_pass_the_guard(path: Path) -> None:
    dialect = path.stem.removeprefix("profile_")
    chunks = [c.strip() for c in re.split(r"^-- .*$", path.read_text(), flags=re.M)]
    statements = [c for c in chunks if c]
    assert len(statements) == 5  # three aggregates (whole, share, capped), two streams
    for sql in statements:
        check_read_statement(sql, dialect)
        check_read_statement(sql.rstrip(";"), dialect)


@pytest.mark.parametrize("dialect", ["postgresql", "mysql", "sqlite", "duckdb"])
def test_sample_queries_pass_the_guard(dialect: str) -> None:
    for columns in (None, list(HOSTILE)):
        sql = sample_query(("sch", HOSTILE[0]), columns, 100, dialect=dialect)
        check_read_statement(sql, dialect)
    check_read_statement(f"SELECT 1 FROM {quote_identifier(HOSTILE[1], dialect)}", dialect)


@pytest.mark.parametrize(
    ("name", "sqlalchemy_dialect"),
    [
        ("mssql", mssql.dialect()),
        ("oracle", oracle.dialect()),
        ("postgresql", postgresql.dialect()),
        ("mysql", mysql.dialect()),
        ("sqlite", sqlite.dialect()),
    ],
)
def test_compiled_sample_queries_pass_the_guard(name: str, sqlalchemy_dialect: object) -> None:
    for columns in (None, list(HOSTILE)):
        sql = compile_sample_query(sqlalchemy_dialect, "sch", HOSTILE[0], columns, 100)  # type: ignore[arg-type]
        check_read_statement(sql, name)


def test_connectors_ping_with_a_statement_the_guard_accepts() -> None:
    for _, names in CONNECTORS:
        for name in names:
            check_read_statement("SELECT 1", name)
