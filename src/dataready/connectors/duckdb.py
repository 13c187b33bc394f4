"""DuckDB through its native Python API, opened ``read_only=True``.

External file access (ATTACH, COPY TO, reading files) is disabled unless the config allows
it. A timer thread calls ``interrupt()`` when the statement timeout passes; a lock keeps one
statement at a time on the shared connection.

Hierarchy: databases are DuckDB catalogs (the file's is named after the file stem), schemas
are DuckDB schemas (``main`` by default).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Generator
from pathlib import Path
from typing import Any

import duckdb

from dataready.connectors.base import Connector, Params, Row
from dataready.connectors.config import DuckDBConfig
from dataready.connectors.failures import (
    ConnectFailure,
    connect_error,
    permission_error,
    query_error,
    read_only_error,
    timeout_error,
)
from dataready.connectors.models import (
    ColumnInfo,
    ForeignKeyInfo,
    IndexInfo,
    PrimaryKeyInfo,
    QueryResult,
    TableInfo,
    TableKind,
    UniqueConstraintInfo,
)
from dataready.connectors.registry import register_connector
from dataready.errors import ConnectorError, QueryFailed
from dataready.settings import SourceSettings
from dataready.sql.types import type_family

_SYSTEM_SCHEMAS = ("information_schema", "pg_catalog")


def _split_index_expressions(text: str) -> list[str]:
    """Split DuckDB's ``[a, "b c", '(a + 1)']`` index expression list at top-level commas."""
    body = text.strip()
    if body.startswith("[") and body.endswith("]"):
        body = body[1:-1]
    items: list[str] = []
    buf: list[str] = []
    quote: str | None = None
    depth = 0
    for ch in body:
        if quote:
            buf.append(ch)
            if ch == quote:
                quote = None  # a doubled quote re-opens on the next character
        elif ch in ("'", '"'):
            quote = ch
            buf.append(ch)
        elif ch in "([":
            depth += 1
            buf.append(ch)
        elif ch in ")]":
            depth -= 1
            buf.append(ch)
        elif ch == "," and depth == 0:
            items.append("".join(buf).strip())
            buf = []
        else:
            buf.append(ch)
    if "".join(buf).strip():
        items.append("".join(buf).strip())
    return items


def _index_column(item: str) -> str | None:
    if item.startswith('"') and item.endswith('"'):
        return item[1:-1].replace('""', '"')
    if item.startswith("'") or "(" in item:
        return None  # an expression
    return item


class DuckDBConnector(Connector):
    """A DuckDB file."""

    type_name = "duckdb"
    sqlalchemy_dialect = "duckdb"
    paramstyle = "qmark"
    supports_databases = True
    supports_tablesample = True
    supports_approx_distinct = True
    approx_distinct_function = "approx_count_distinct"
    supports_comments = True
    supports_row_estimate = True
    supports_native_quantiles = True

    def __init__(self, config: DuckDBConfig, settings: SourceSettings | None = None) -> None:
        super().__init__(config, settings)
        self._config = config
        self._path = Path(config.path).expanduser()
        self._conn: duckdb.DuckDBPyConnection | None = None
        self._lock = threading.RLock()

    @property
    def is_open(self) -> bool:
        return self._conn is not None

    @property
    def default_database(self) -> str:
        return self._path.stem

    def open(self) -> None:
        if self._conn is not None:
            return
        if not self._path.is_file():
            raise connect_error(
                ConnectFailure.UNKNOWN_DATABASE, self.target, "no such file", path=str(self._path)
            )
        config: dict[str, Any] = {}
        if not self._config.allow_external_access:
            config["enable_external_access"] = False
        try:
            self._conn = duckdb.connect(str(self._path), read_only=True, config=config)
        except duckdb.Error as exc:
            raise connect_error(ConnectFailure.OTHER, self.target, str(exc)) from None

    def close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            with contextlib.suppress(duckdb.Error):
                conn.close()

    def table_parts(self, database: str, schema: str, table: str) -> tuple[str | None, ...]:
        return (database, schema, table)

    def _fetch(
        self,
        sql: str,
        params: Params | None,
        *,
        max_rows: int,
        database: str | None = None,
    ) -> QueryResult:
        self.open()
        conn = self._conn
        assert conn is not None
        timeout = self.settings.statement_timeout_seconds
        with self._lock:
            fired = threading.Event()

            def _interrupt() -> None:
                fired.set()
                conn.interrupt()

            timer = threading.Timer(timeout, _interrupt)
            timer.daemon = True
            try:
                if len(conn.extract_statements(sql)) != 1:
                    raise QueryFailed("the SQL text holds several statements: send one per call")
                with self._cancellable(conn):
                    timer.start()
                    cursor = conn.execute(sql, params)
                    columns = tuple(d[0] for d in cursor.description or ())
                    rows = cursor.fetchmany(max_rows + 1) if cursor.description else []
                    self._check_cancelled()
            except duckdb.Error as exc:
                raise self._failure(self._translate(exc, timed_out=fired.is_set())) from None
            finally:
                timer.cancel()
        return QueryResult(columns, rows[:max_rows], truncated=len(rows) > max_rows)

    def _stream(
        self,
        sql: str,
        params: Params | None,
        *,
        batch_size: int,
        database: str | None = None,
    ) -> Generator[list[Row], None, None]:
        # DuckDB executes lazily: each fetchmany pulls only the chunks it needs. A timer
        # interrupts the statement when one round trip runs past the timeout.
        self.open()
        conn = self._conn
        assert conn is not None
        timeout = self.settings.statement_timeout_seconds
        fired = threading.Event()
        with self._lock:
            cursor = conn.cursor()  # its own result, so the shared connection stays usable

            def _interrupt() -> None:
                fired.set()
                cursor.interrupt()

            def _timed(call: Any, *args: Any) -> Any:
                timer = threading.Timer(timeout, _interrupt)
                timer.daemon = True
                timer.start()
                try:
                    return call(*args)
                finally:
                    timer.cancel()

            try:
                if len(conn.extract_statements(sql)) != 1:
                    raise QueryFailed("the SQL text holds several statements: send one per call")
                with self._cancellable(cursor):
                    _timed(cursor.execute, sql, params)
                    while cursor.description:
                        self._check_cancelled()
                        rows = _timed(cursor.fetchmany, batch_size)
                        self._check_cancelled()
                        if not rows:
                            break
                        yield rows
            except duckdb.Error as exc:
                raise self._failure(self._translate(exc, timed_out=fired.is_set())) from None
            finally:
                with contextlib.suppress(duckdb.Error):
                    cursor.close()

    def _interrupt(self, handle: Any) -> None:
        # The connection (or the stream's cursor) the statement runs on; safe from any thread.
        target: duckdb.DuckDBPyConnection = handle
        target.interrupt()

    def _translate(self, exc: duckdb.Error, *, timed_out: bool) -> ConnectorError:
        message = str(exc)
        if isinstance(exc, duckdb.InterruptException) or timed_out:
            return timeout_error(self.settings.statement_timeout_seconds)
        if "read-only" in message or "read only" in message.lower():
            return read_only_error(message)
        if isinstance(exc, duckdb.PermissionException):
            return permission_error(message)
        return query_error(message)

    def server_version(self) -> str | None:
        return str(duckdb.__version__)

    def _rows(self, sql: str, params: Params | None = None) -> list[tuple[Any, ...]]:
        return self._fetch(sql, params, max_rows=1_000_000).rows

    # -- introspection ------------------------------------------------------------------

    def list_databases(self) -> list[str]:
        rows = self._rows(
            "SELECT database_name FROM duckdb_databases() WHERE NOT internal ORDER BY 1"
        )
        return [row[0] for row in rows]

    def list_schemas(self, database: str) -> list[str]:
        rows = self._rows(
            "SELECT schema_name FROM duckdb_schemas() WHERE database_name = ? "
            "AND schema_name NOT IN (?, ?) ORDER BY 1",
            (database, *_SYSTEM_SCHEMAS),
        )
        return [row[0] for row in rows]

    def list_tables(self, database: str, schema: str) -> list[TableInfo]:
        rows = self._rows(
            "SELECT table_name, 'table', comment, estimated_size FROM duckdb_tables() "
            "WHERE database_name = ? AND schema_name = ? AND NOT internal "
            "UNION ALL SELECT view_name, 'view', comment, NULL FROM duckdb_views() "
            "WHERE database_name = ? AND schema_name = ? AND NOT internal ORDER BY 1",
            (database, schema, database, schema),
        )
        return [
            TableInfo(
                name=name,
                kind=TableKind(kind),
                schema=schema,
                database=database,
                comment=comment or None,
                row_estimate=estimate,
            )
            for name, kind, comment, estimate in rows
        ]

    def get_columns(self, database: str, schema: str, table: str) -> list[ColumnInfo]:
        rows = self._rows(
            "SELECT column_name, column_index, data_type, is_nullable, column_default, comment "
            "FROM duckdb_columns() WHERE database_name = ? AND schema_name = ? "
            "AND table_name = ? ORDER BY column_index",
            (database, schema, table),
        )
        if not rows:
            raise self._not_found(database, schema, table)
        return [
            ColumnInfo(
                name=name,
                ordinal_position=index,
                declared_type=declared,
                type_family=type_family(declared, "duckdb"),
                nullable=bool(nullable),
                default=default,
                comment=comment or None,
            )
            for name, index, declared, nullable, default, comment in rows
        ]

    def _constraints(
        self, database: str, schema: str, table: str, kind: str
    ) -> list[tuple[Any, ...]]:
        return self._rows(
            "SELECT constraint_name, constraint_column_names, referenced_table, "
            "referenced_column_names FROM duckdb_constraints() WHERE database_name = ? "
            "AND schema_name = ? AND table_name = ? AND constraint_type = ? "
            "ORDER BY constraint_index",
            (database, schema, table, kind),
        )

    def get_primary_key(self, database: str, schema: str, table: str) -> PrimaryKeyInfo | None:
        rows = self._constraints(database, schema, table, "PRIMARY KEY")
        return PrimaryKeyInfo(tuple(rows[0][1]), rows[0][0]) if rows else None

    def get_foreign_keys(self, database: str, schema: str, table: str) -> list[ForeignKeyInfo]:
        return [
            ForeignKeyInfo(
                name=name,
                columns=tuple(columns),
                referred_table=referred,
                referred_columns=tuple(referred_columns),
                referred_schema=schema,
                referred_database=database,
            )
            for name, columns, referred, referred_columns in self._constraints(
                database, schema, table, "FOREIGN KEY"
            )
        ]

    def get_unique_constraints(
        self, database: str, schema: str, table: str
    ) -> list[UniqueConstraintInfo]:
        return [
            UniqueConstraintInfo(name=name, columns=tuple(columns))
            for name, columns, _, _ in self._constraints(database, schema, table, "UNIQUE")
        ]

    def get_indexes(self, database: str, schema: str, table: str) -> list[IndexInfo]:
        rows = self._rows(
            "SELECT index_name, is_unique, is_primary, expressions FROM duckdb_indexes() "
            "WHERE database_name = ? AND schema_name = ? AND table_name = ? ORDER BY 1",
            (database, schema, table),
        )
        return [
            IndexInfo(
                name=name,
                columns=tuple(_index_column(i) for i in _split_index_expressions(str(exprs))),
                unique=bool(unique),
                primary=bool(primary),
            )
            for name, unique, primary, exprs in rows
        ]


register_connector(DuckDBConnector.type_name, DuckDBConnector)
