"""PostgreSQL through psycopg 3.

Sessions are read-only twice over: ``default_transaction_read_only=on`` in the startup
options and psycopg's ``read_only`` so every transaction opens with ``BEGIN READ ONLY``;
each statement runs in its own transaction, rolled back afterwards (so even ``set_config``
does not outlive it). ``statement_timeout`` is a startup option and ``connect_timeout``
bounds the connect. Statements run through the extended protocol (``cursor.stream``), so the
server refuses a second statement hidden behind a ``;``.

Hierarchy: databases are PostgreSQL databases (one connection each, opened on first use),
schemas are namespaces. Row estimates come from ``pg_class.reltuples``, sizes from
``pg_total_relation_size``, comments from ``obj_description``/``col_description``.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import threading
from collections.abc import Generator
from typing import Any

import psycopg
from psycopg import errors as pg_errors

from dataready.connectors.base import Connector, Params, Row
from dataready.connectors.config import PostgresConfig
from dataready.connectors.failures import (
    classify_connect_message,
    connect_error,
    lost_connection_error,
    permission_error,
    query_error,
    read_only_error,
    scrub,
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
from dataready.sql.types import TypeFamily, type_family

_KINDS = {
    "r": TableKind.TABLE,
    "p": TableKind.PARTITIONED_TABLE,
    "v": TableKind.VIEW,
    "m": TableKind.MATERIALIZED_VIEW,
    "f": TableKind.FOREIGN_TABLE,
}
_IDLE = psycopg.pq.TransactionStatus.IDLE
_CURSOR_IDS = itertools.count(1)
_ACTIONS = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}

_TABLES_SQL = """
SELECT c.relname, c.relkind, obj_description(c.oid, 'pg_class'),
       CASE WHEN c.reltuples >= 0 AND c.relkind IN ('r', 'm', 'p') THEN c.reltuples::bigint END,
       CASE WHEN c.relkind IN ('r', 'm', 'p') THEN pg_total_relation_size(c.oid) END
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %s AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition
ORDER BY c.relname
"""

_COLUMNS_SQL = """
SELECT a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull,
       pg_get_expr(d.adbin, d.adrelid), col_description(a.attrelid, a.attnum), t.typtype
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE n.nspname = %s AND c.relname = %s AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum
"""

_TYPTYPE_FAMILY: dict[str, TypeFamily] = {"e": TypeFamily.STRING, "r": TypeFamily.RANGE}
"""User types named by their kind (``pg_type.typtype``): an enum's values are labels."""

_KEY_COLUMNS = """array(SELECT a.attname FROM unnest({keys}) WITH ORDINALITY k(num, ord)
  JOIN pg_catalog.pg_attribute a ON a.attrelid = {rel} AND a.attnum = k.num ORDER BY k.ord)"""

_CONSTRAINTS_SQL = f"""
SELECT con.conname, {_KEY_COLUMNS.format(keys="con.conkey", rel="con.conrelid")},
       rn.nspname, rc.relname,
       {_KEY_COLUMNS.format(keys="con.confkey", rel="con.confrelid")},
       con.confdeltype, con.confupdtype
FROM pg_catalog.pg_constraint con
JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid
LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
WHERE n.nspname = %s AND c.relname = %s AND con.contype = %s
ORDER BY con.conname
"""

_INDEXES_SQL = """
SELECT i.relname, ix.indisunique, ix.indisprimary,
       array(SELECT a.attname FROM unnest(ix.indkey::int2[]) WITH ORDINALITY k(num, ord)
             LEFT JOIN pg_catalog.pg_attribute a
               ON a.attrelid = ix.indrelid AND a.attnum = k.num AND k.num > 0
             WHERE k.ord <= ix.indnkeyatts ORDER BY k.ord)
FROM pg_catalog.pg_index ix
JOIN pg_catalog.pg_class i ON i.oid = ix.indexrelid
JOIN pg_catalog.pg_class c ON c.oid = ix.indrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %s AND c.relname = %s
ORDER BY i.relname
"""


class PostgresConnector(Connector):
    """A PostgreSQL server."""

    type_name = "postgres"
    sqlalchemy_dialect = "postgresql"
    default_port = 5432
    paramstyle = "pyformat"
    supports_databases = True
    supports_tablesample = True
    supports_comments = True
    supports_row_estimate = True
    supports_size = True
    supports_materialized_views = True
    supports_native_quantiles = True
    supports_server_cursor = True

    def __init__(self, config: PostgresConfig, settings: SourceSettings | None = None) -> None:
        super().__init__(config, settings)
        self._config = config
        self._conns: dict[str, psycopg.Connection[Any]] = {}
        self._lock = threading.RLock()

    @property
    def is_open(self) -> bool:
        return bool(self._conns)

    @property
    def default_database(self) -> str:
        return self._config.database

    def _secret(self) -> str | None:
        return self._config.password.get_secret_value() if self._config.password else None

    def _connect(self, database: str) -> psycopg.Connection[Any]:
        cfg = self._config
        statement_ms = max(1, int(self.settings.statement_timeout_seconds * 1000))
        options = f"-c default_transaction_read_only=on -c statement_timeout={statement_ms}"
        kwargs: dict[str, Any] = {
            "host": cfg.host,
            "port": cfg.port,
            "user": cfg.user,
            "dbname": database,
            # libpq takes whole seconds (and treats 1 as 2).
            "connect_timeout": max(1, math.ceil(self.settings.connect_timeout_seconds)),
            "application_name": "dataready",
            "options": options,
            **cfg.params,
        }
        if cfg.password is not None:
            kwargs["password"] = cfg.password.get_secret_value()
        if cfg.sslmode:
            kwargs["sslmode"] = cfg.sslmode
        target = self.target if database == cfg.database else f"{self.target} (db {database!r})"
        try:
            conn = psycopg.connect(**kwargs)
        except psycopg.Error as exc:
            detail = scrub(str(exc), self._secret()).replace("connection failed: ", "")
            raise connect_error(
                classify_connect_message(detail),
                target,
                detail,
                timeout=self.settings.connect_timeout_seconds,
                host=cfg.host,
                port=cfg.port,
                database=database,
                user=cfg.user,
            ) from None
        conn.read_only = True
        return conn

    def _conn_for(self, database: str | None) -> psycopg.Connection[Any]:
        name = database or self._config.database
        self._check_database(name)
        conn = self._conns.get(name)
        if conn is None or conn.closed:
            conn = self._conns[name] = self._connect(name)
        return conn

    def open(self) -> None:
        with self._lock:
            self._conn_for(None)

    def close(self) -> None:
        with self._lock:
            conns, self._conns = self._conns, {}
        for conn in conns.values():
            with contextlib.suppress(psycopg.Error):
                conn.close()

    def _fetch(
        self,
        sql: str,
        params: Params | None,
        *,
        max_rows: int,
        database: str | None = None,
    ) -> QueryResult:
        with self._lock:
            conn = self._conn_for(database)
            rows: list[tuple[Any, ...]] = []
            truncated = False
            try:
                with self._cancellable(conn), conn.cursor() as cursor:
                    stream = cursor.stream(sql, params, size=max(1, min(max_rows + 1, 1000)))
                    try:
                        for row in stream:
                            if len(rows) >= max_rows:
                                truncated = True
                                break
                            rows.append(row)
                    finally:
                        close = getattr(stream, "close", None)
                        if close is not None:
                            close()  # ends the stream: cancels what the server still sends
                    columns = tuple(d.name for d in cursor.description or ())
                    self._check_cancelled()
                conn.rollback()
            except psycopg.Error as exc:
                raise self._failure(self._translate(exc, conn)) from None
            finally:
                self._end_transaction(conn)
        return QueryResult(columns, rows, truncated=truncated)

    def _stream(
        self,
        sql: str,
        params: Params | None,
        *,
        batch_size: int,
        database: str | None = None,
    ) -> Generator[list[Row], None, None]:
        # A named cursor is DECLAREd inside the read-only transaction; every FETCH is its own
        # statement under statement_timeout, and the server keeps the rows not yet fetched.
        with self._lock:
            conn = self._conn_for(database)
            name = f"dataready_stream_{next(_CURSOR_IDS)}"
            try:
                with self._cancellable(conn), conn.cursor(name=name) as cursor:
                    cursor.itersize = batch_size
                    cursor.execute(sql, params)
                    # Between batches the server runs nothing a cancel request could stop:
                    # the flag ends the stream at its next batch instead.
                    while True:
                        self._check_cancelled()
                        rows = cursor.fetchmany(batch_size)
                        if not rows:
                            break
                        self._check_cancelled()
                        yield rows
                conn.rollback()
            except psycopg.Error as exc:
                raise self._failure(self._translate(exc, conn)) from None
            finally:
                # Left early (break, close, an error in the caller): end the transaction,
                # which closes the cursor on the server.
                self._end_transaction(conn)

    @staticmethod
    def _end_transaction(conn: psycopg.Connection[Any]) -> None:
        """Roll back what a statement left open (it was cancelled, or left early)."""
        if not conn.closed and conn.info.transaction_status != _IDLE:
            with contextlib.suppress(psycopg.Error):
                conn.rollback()

    def _interrupt(self, handle: Any) -> None:
        # A cancel request on its own connection (libpq's cancel API): never blocks on the
        # connection the statement runs on, and bounded by the connect timeout.
        conn: psycopg.Connection[Any] = handle
        conn.cancel_safe(timeout=self.settings.connect_timeout_seconds)

    def _translate(self, exc: psycopg.Error, conn: psycopg.Connection[Any]) -> ConnectorError:
        message = scrub(str(exc), self._secret())
        try:
            if not conn.closed:
                conn.rollback()
        except psycopg.Error:
            pass
        if isinstance(exc, pg_errors.QueryCanceled):
            return timeout_error(self.settings.statement_timeout_seconds, message)
        if isinstance(exc, pg_errors.ReadOnlySqlTransaction):
            return read_only_error(message, sqlstate=exc.sqlstate)
        if isinstance(exc, pg_errors.InsufficientPrivilege):
            return permission_error(message, sqlstate=exc.sqlstate)
        if isinstance(exc, pg_errors.SyntaxError) and "multiple commands" in message:
            return QueryFailed("the SQL text holds several statements: send one per call")
        if conn.closed or isinstance(exc, psycopg.OperationalError):
            return lost_connection_error(self.target, message)
        return query_error(message, sqlstate=exc.sqlstate)

    def server_version(self) -> str | None:
        return str(self._rows("SHOW server_version")[0][0])

    def _rows(
        self, sql: str, params: Params | None = None, database: str | None = None
    ) -> list[tuple[Any, ...]]:
        return self._fetch(sql, params, max_rows=1_000_000, database=database).rows

    # -- introspection ------------------------------------------------------------------

    def list_databases(self) -> list[str]:
        """The service's databases: the one its config names, or every database the server
        lets us connect to when the config says ``all_databases`` (or names none)."""
        if not self._config.all_databases:
            name = self._config.database
            return [] if name.casefold() in self.forbidden_databases else [name]
        rows = self._rows(
            "SELECT datname FROM pg_catalog.pg_database "
            "WHERE datallowconn AND NOT datistemplate ORDER BY 1"
        )
        return [row[0] for row in rows if row[0].casefold() not in self.forbidden_databases]

    def list_schemas(self, database: str) -> list[str]:
        rows = self._rows(
            "SELECT nspname FROM pg_catalog.pg_namespace WHERE nspname NOT LIKE 'pg\\_%%' "
            "AND nspname <> 'information_schema' ORDER BY 1",
            (),
            database,
        )
        return [row[0] for row in rows]

    def list_tables(self, database: str, schema: str) -> list[TableInfo]:
        return [
            TableInfo(
                name=name,
                kind=_KINDS[kind],
                schema=schema,
                database=database,
                comment=comment,
                row_estimate=estimate,
                size_bytes=size,
            )
            for name, kind, comment, estimate, size in self._rows(_TABLES_SQL, (schema,), database)
        ]

    def get_table(self, database: str, schema: str, table: str) -> TableInfo | None:
        sql = _TABLES_SQL.replace("ORDER BY c.relname", "AND c.relname = %s")
        rows = self._rows(sql, (schema, table), database)
        if not rows:
            return None
        name, kind, comment, estimate, size = rows[0]
        return TableInfo(name, _KINDS[kind], schema, database, comment, estimate, size)

    def get_columns(self, database: str, schema: str, table: str) -> list[ColumnInfo]:
        rows = self._rows(_COLUMNS_SQL, (schema, table), database)
        if not rows and self.get_table(database, schema, table) is None:
            raise self._not_found(database, schema, table)
        # PostgreSQL allows tables and views without columns (CREATE VIEW v AS SELECT): they
        # are catalogued with none rather than taken for vanished
        return [
            ColumnInfo(
                name=name,
                ordinal_position=position,
                declared_type=declared,
                type_family=_TYPTYPE_FAMILY.get(typtype) or type_family(declared, "postgresql"),
                nullable=nullable,
                default=default,
                comment=comment,
            )
            for position, (name, declared, nullable, default, comment, typtype) in enumerate(
                rows, 1
            )
        ]

    def _constraints(
        self, database: str, schema: str, table: str, kind: str
    ) -> list[tuple[Any, ...]]:
        return self._rows(_CONSTRAINTS_SQL, (schema, table, kind), database)

    def get_primary_key(self, database: str, schema: str, table: str) -> PrimaryKeyInfo | None:
        rows = self._constraints(database, schema, table, "p")
        return PrimaryKeyInfo(tuple(rows[0][1]), rows[0][0]) if rows else None

    def get_foreign_keys(self, database: str, schema: str, table: str) -> list[ForeignKeyInfo]:
        return [
            ForeignKeyInfo(
                name=name,
                columns=tuple(columns),
                referred_table=ref_table,
                referred_columns=tuple(ref_columns),
                referred_schema=ref_schema,
                referred_database=database,
                on_delete=_ACTIONS.get(on_delete),
                on_update=_ACTIONS.get(on_update),
            )
            for name, columns, ref_schema, ref_table, ref_columns, on_delete, on_update in (
                self._constraints(database, schema, table, "f")
            )
        ]

    def get_unique_constraints(
        self, database: str, schema: str, table: str
    ) -> list[UniqueConstraintInfo]:
        return [
            UniqueConstraintInfo(name=row[0], columns=tuple(row[1]))
            for row in self._constraints(database, schema, table, "u")
        ]

    def get_indexes(self, database: str, schema: str, table: str) -> list[IndexInfo]:
        return [
            IndexInfo(name=name, columns=tuple(columns), unique=unique, primary=primary)
            for name, unique, primary, columns in self._rows(
                _INDEXES_SQL, (schema, table), database
            )
        ]


register_connector(PostgresConnector.type_name, PostgresConnector)
