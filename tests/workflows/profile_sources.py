"""Empty, writable sources of each engine for the profiler tests.

Each test gets a fresh database (PostgreSQL, MariaDB) or file (SQLite, DuckDB) and fills it
through the raw driver (``Source.write``); the profiler then reads it through a connector.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from tests.services import mysql_params, pg_params, require_mysql, require_postgres

from dataready.connectors import (
    ConnectionConfig,
    DuckDBConfig,
    MySQLConfig,
    PostgresConfig,
    SQLiteConfig,
)
from dataready.sql.quoting import quote_identifier

ENGINES = [
    "sqlite",
    "duckdb",
    pytest.param("postgres", marks=pytest.mark.postgres),
    pytest.param("mysql", marks=pytest.mark.mysql),
]
_DIALECT = {"sqlite": "sqlite", "duckdb": "duckdb", "postgres": "postgresql", "mysql": "mysql"}

# Declared types per engine for the mixed fixture table.
TYPES: dict[str, dict[str, str]] = {
    "sqlite": {
        "float": "REAL",
        "timestamp": "TIMESTAMP",
        "json": "JSON",
        "binary": "BLOB",
        "bool": "BOOLEAN",
        "text": "VARCHAR(400)",
    },
    "duckdb": {
        "float": "DOUBLE",
        "timestamp": "TIMESTAMP",
        "json": "JSON",
        "binary": "BLOB",
        "bool": "BOOLEAN",
        "text": "VARCHAR",
    },
    "postgres": {
        "float": "DOUBLE PRECISION",
        "timestamp": "TIMESTAMP",
        "json": "JSONB",
        "binary": "BYTEA",
        "bool": "BOOLEAN",
        "text": "VARCHAR(400)",
    },
    "mysql": {
        "float": "DOUBLE",
        "timestamp": "DATETIME",
        "json": "JSON",
        "binary": "BLOB",
        "bool": "BOOLEAN",
        "text": "VARCHAR(400)",
    },
}


@dataclass
class Source:
    engine: str
    config: ConnectionConfig
    database: str
    schema: str
    _conn: Any

    @property
    def placeholder(self) -> str:
        return "%s" if self.engine in ("postgres", "mysql") else "?"

    def q(self, name: str) -> str:
        return quote_identifier(name, _DIALECT[self.engine])

    def write(self, sql: str, rows: Sequence[Sequence[Any]] | None = None) -> None:
        """Run DDL, or an INSERT for many rows, through the raw driver (committed)."""
        if self.engine == "duckdb":  # one process may not hold a writer and a reader
            import duckdb

            with duckdb.connect(self._conn) as conn:
                if rows is None:
                    conn.execute(sql)
                elif rows:
                    conn.executemany(sql, [tuple(r) for r in rows])
            return
        cursor = self._conn.cursor()
        if rows is None:
            cursor.execute(sql)
        elif rows:
            cursor.executemany(sql, [tuple(r) for r in rows])
        self._conn.commit()
        cursor.close()

    def insert(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        names = ", ".join(self.q(c) for c in columns)
        marks = "(" + ", ".join([self.placeholder] * len(columns)) + ")"
        if self.engine == "duckdb" and rows:
            self._insert_duckdb(f"INSERT INTO {self.q(table)} ({names}) VALUES ", marks, rows)
            return
        self.write(f"INSERT INTO {self.q(table)} ({names}) VALUES {marks}", rows)

    def _insert_duckdb(self, head: str, marks: str, rows: Sequence[Sequence[Any]]) -> None:
        """Many rows per statement: DuckDB's executemany runs one statement per row (slow)."""
        import duckdb

        chunk = 500
        with duckdb.connect(self._conn) as conn:
            for start in range(0, len(rows), chunk):
                part = rows[start : start + chunk]
                params = [value for row in part for value in row]
                conn.execute(head + ", ".join([marks] * len(part)), params)


def _sqlite(tmp_path: Path) -> Iterator[Source]:
    import sqlite3

    path = tmp_path / "profile.db"
    conn = sqlite3.connect(path)
    source = Source("sqlite", SQLiteConfig(path=str(path)), "profile", "main", conn)
    yield source
    conn.close()


def _duckdb(tmp_path: Path) -> Iterator[Source]:
    import duckdb

    path = tmp_path / "profile.duckdb"
    duckdb.connect(str(path)).close()
    yield Source("duckdb", DuckDBConfig(path=str(path)), "profile", "main", str(path))


def _postgres() -> Iterator[Source]:
    import psycopg

    require_postgres()
    name = f"dr_prof_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(**pg_params(), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    conn = psycopg.connect(**pg_params(name))
    params = pg_params(name)
    config = PostgresConfig(
        host=params["host"], port=params["port"], user=params["user"], database=name
    )
    try:
        yield Source("postgres", config, name, "public", conn)
    finally:
        conn.close()
        with psycopg.connect(**pg_params(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _mysql() -> Iterator[Source]:
    import pymysql

    require_mysql()
    name = f"dr_prof_{uuid.uuid4().hex[:12]}"
    admin = pymysql.connect(**mysql_params())
    with admin.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    admin.close()
    params = {**mysql_params(name), "autocommit": False}
    conn = pymysql.connect(**params)
    config = MySQLConfig(
        host=params["host"], port=params["port"], user=params["user"], database=name
    )
    try:
        yield Source("mysql", config, "default", name, conn)
    finally:
        conn.close()
        admin = pymysql.connect(**mysql_params())
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        admin.close()


def make_source(engine: str, tmp_path: Path) -> Iterator[Source]:
    if engine == "sqlite":
        yield from _sqlite(tmp_path)
    elif engine == "duckdb":
        yield from _duckdb(tmp_path)
    elif engine == "postgres":
        yield from _postgres()
    else:
        yield from _mysql()
