"""MySQL and MariaDB through PyMySQL.

Read-only: the session is ``SET SESSION TRANSACTION READ ONLY`` and every statement runs
inside ``START TRANSACTION READ ONLY`` ... ``ROLLBACK``; PyMySQL's default client flags do not
allow several statements per call. The statement timeout is ``max_statement_time`` (seconds)
on MariaDB and ``max_execution_time`` (milliseconds, SELECT only) on MySQL, detected from
the server version; ``read_timeout`` is a client-side backstop a little longer than that.

Hierarchy: MySQL has no level above its databases, and a MySQL "database" is what other
engines call a schema. The connector therefore shows one logical database, ``default``,
whose schemas are the MySQL databases (all non-system ones, or only ``config.database``
when it is set). The ``database`` argument of the introspection methods is ignored.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections import defaultdict
from collections.abc import Generator
from typing import Any

import pymysql
import pymysql.cursors

from dataready.connectors.base import Connector, Params, Row
from dataready.connectors.config import MySQLConfig
from dataready.connectors.failures import (
    ConnectFailure,
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
from dataready.errors import ConnectorError, DatareadyError, QueryFailed, SourceObjectUnreadable
from dataready.settings import SourceSettings
from dataready.sql.types import type_family

LOGICAL_DATABASE = "default"
SYSTEM_SCHEMAS = ("information_schema", "mysql", "performance_schema", "sys")

_TIMEOUT_CODES = {1969, 3024, 1317, 1028}
_READ_ONLY_CODES = {1792, 1290, 1836}
_PERMISSION_CODES = {1142, 1143, 1044, 1227, 1370}
_LOST_CODES = {2006, 2013, 2055}
_CONNECT_KINDS = {
    1045: ConnectFailure.AUTH,
    1049: ConnectFailure.UNKNOWN_DATABASE,
    1044: ConnectFailure.AUTH,
    2026: ConnectFailure.TLS,
}
_READ_TIMEOUT_GRACE = 5.0

_CONSTRAINT_COLUMNS_SQL = """
SELECT k.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_SCHEMA, k.REFERENCED_TABLE_NAME,
       k.REFERENCED_COLUMN_NAME
FROM information_schema.TABLE_CONSTRAINTS t
JOIN information_schema.KEY_COLUMN_USAGE k
  ON k.CONSTRAINT_SCHEMA = t.CONSTRAINT_SCHEMA AND k.CONSTRAINT_NAME = t.CONSTRAINT_NAME
 AND k.TABLE_SCHEMA = t.TABLE_SCHEMA AND k.TABLE_NAME = t.TABLE_NAME
WHERE t.TABLE_SCHEMA = %s AND t.TABLE_NAME = %s AND t.CONSTRAINT_TYPE = %s
ORDER BY k.CONSTRAINT_NAME, k.ORDINAL_POSITION
"""


_CLIENT_SSL = 0x0800


def server_offers_tls(host: str, port: int, timeout: float) -> bool:
    """Read the server greeting and tell whether it offers TLS.

    PyMySQL silently stays in plain text when the server offers no TLS, sending the login
    unencrypted; a config that requires TLS checks this first.
    """
    with socket.create_connection((host, port), timeout=timeout) as sock:
        data = b""
        while len(data) < 4 or len(data) < 4 + int.from_bytes(data[:3], "little"):
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    body = data[4:]
    if not body or body[0] == 0xFF:  # an error packet instead of a greeting
        raise OSError("the server sent no greeting")
    version_end = body.index(b"\x00", 1)
    caps_at = version_end + 1 + 4 + 8 + 1  # connection id, auth data part 1, filler
    capabilities = int.from_bytes(body[caps_at : caps_at + 2], "little")
    return bool(capabilities & _CLIENT_SSL)


def _abandon(cursor: pymysql.cursors.SSCursor) -> None:
    """Let go of an unbuffered result without reading it to the end.

    PyMySQL would drain every remaining row on close (there is no protocol message to stop
    the server sending them); the connection is dropped instead, so the result is marked
    inactive first to keep its close/finaliser from reading a closed socket.
    """
    result = getattr(cursor, "_result", None)
    if result is not None:
        result.unbuffered_active = False
    cursor.connection = None


class MySQLConnector(Connector):
    """A MySQL or MariaDB server."""

    type_name = "mysql"
    sqlalchemy_dialect = "mysql"
    default_port = 3306
    paramstyle = "pyformat"
    supports_databases = False
    supports_comments = True
    supports_row_estimate = True
    supports_size = True
    supports_server_cursor = True

    def __init__(self, config: MySQLConfig, settings: SourceSettings | None = None) -> None:
        super().__init__(config, settings)
        self._config = config
        self._conn: pymysql.connections.Connection[Any] | None = None
        self._lock = threading.RLock()
        self._version: str | None = None

    @property
    def is_open(self) -> bool:
        return self._conn is not None

    @property
    def default_database(self) -> str:
        return LOGICAL_DATABASE

    @property
    def is_mariadb(self) -> bool:
        return "mariadb" in (self._version or "").lower()

    def _secret(self) -> str | None:
        return self._config.password.get_secret_value() if self._config.password else None

    def open(self) -> None:
        with self._lock:
            if self._conn is None:
                self._conn = self._connect()

    def _connect(self) -> pymysql.connections.Connection[Any]:
        cfg = self._config
        kwargs: dict[str, Any] = {
            "host": cfg.host,
            "port": cfg.port,
            "user": cfg.user,
            "password": self._secret() or "",
            "charset": cfg.charset,
            "connect_timeout": self.settings.connect_timeout_seconds,
            # The handshake reads under read_timeout: bound it by the connect timeout, then
            # widen to the statement timeout once connected.
            "read_timeout": self.settings.connect_timeout_seconds,
            "write_timeout": self.settings.connect_timeout_seconds,
            "autocommit": True,
            "program_name": "dataready",
        }
        if cfg.database:
            kwargs["database"] = cfg.database
        tls_required = cfg.ssl_mode in ("required", "verify_ca", "verify_identity")
        if tls_required:
            self._check_tls_offered()
        if tls_required or cfg.ssl_ca:
            kwargs["ssl"] = {"ca": cfg.ssl_ca} if cfg.ssl_ca else {}
            kwargs["ssl_verify_cert"] = cfg.ssl_mode in ("verify_ca", "verify_identity")
            kwargs["ssl_verify_identity"] = cfg.ssl_mode == "verify_identity"
        try:
            conn = pymysql.connect(**kwargs)
        except pymysql.Error as exc:
            code = exc.args[0] if exc.args and isinstance(exc.args[0], int) else None
            detail = scrub(str(exc.args[-1] if exc.args else exc), self._secret())
            kind = _CONNECT_KINDS.get(code or 0) or classify_connect_message(detail)
            raise connect_error(
                kind,
                self.target,
                detail,
                timeout=self.settings.connect_timeout_seconds,
                host=cfg.host,
                port=cfg.port,
                database=cfg.database,
                user=cfg.user,
            ) from None
        backstop = self.settings.statement_timeout_seconds + _READ_TIMEOUT_GRACE
        conn._read_timeout = backstop
        conn._write_timeout = backstop
        try:
            with conn.cursor() as cursor:
                cursor.execute("SELECT VERSION()")
                row = cursor.fetchone()
                self._version = str(row[0]) if row else None
                timeout = self.settings.statement_timeout_seconds
                if self.is_mariadb:
                    cursor.execute(f"SET SESSION max_statement_time = {timeout:.3f}")
                else:
                    cursor.execute(
                        f"SET SESSION max_execution_time = {max(1, int(timeout * 1000))}"
                    )
                cursor.execute("SET SESSION TRANSACTION READ ONLY")
        except pymysql.Error as exc:
            conn.close()
            raise connect_error(ConnectFailure.OTHER, self.target, str(exc)) from None
        return conn

    def _check_tls_offered(self) -> None:
        cfg = self._config
        try:
            offered = server_offers_tls(cfg.host, cfg.port, self.settings.connect_timeout_seconds)
        except (OSError, ValueError) as exc:
            kind = classify_connect_message(str(exc))
            if isinstance(exc, TimeoutError):
                kind = ConnectFailure.TIMEOUT
            raise connect_error(kind, self.target, str(exc), host=cfg.host, port=cfg.port) from None
        if not offered:
            raise connect_error(
                ConnectFailure.TLS,
                self.target,
                f"ssl_mode={cfg.ssl_mode} but the server offers no TLS; nothing was sent",
                host=cfg.host,
                port=cfg.port,
            )

    def close(self) -> None:
        with self._lock:
            conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(pymysql.Error):
                conn.close()

    def _drop(self) -> None:
        """Forget a connection in an unknown state (timed out, truncated stream)."""
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(pymysql.Error):
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
            self.open()
            conn = self._conn
            assert conn is not None
            started = time.monotonic()
            try:
                with self._cancellable(conn.thread_id()):
                    with conn.cursor() as begin:
                        begin.execute("START TRANSACTION READ ONLY")
                    cursor = conn.cursor(pymysql.cursors.SSCursor)
                    cursor.execute(sql, params)
                    columns = tuple(d[0] for d in cursor.description or ())
                    rows = list(cursor.fetchmany(max_rows + 1)) if cursor.description else []
                    truncated = len(rows) > max_rows
                    if truncated:
                        _abandon(cursor)
                        self._drop()
                    else:
                        cursor.close()
                        with conn.cursor() as end:
                            end.execute("ROLLBACK")
                    # A killed SLEEP() returns 1 instead of failing: drop what it returned.
                    self._check_cancelled()
            except pymysql.Error as exc:
                raise self._failure(self._translate(exc, time.monotonic() - started)) from None
        return QueryResult(columns, rows[:max_rows], truncated=truncated)

    def _stream(
        self,
        sql: str,
        params: Params | None,
        *,
        batch_size: int,
        database: str | None = None,
    ) -> Generator[list[Row], None, None]:
        # An unbuffered (SSCursor) read: the server sends rows as they are read, so only one
        # batch lives in memory. max_statement_time bounds the statement as a whole.
        with self._lock:
            self.open()
            conn = self._conn
            assert conn is not None
            started = time.monotonic()
            finished = False
            cursor: pymysql.cursors.SSCursor | None = None
            try:
                with self._cancellable(conn.thread_id()):
                    with conn.cursor() as begin:
                        begin.execute("START TRANSACTION READ ONLY")
                    cursor = conn.cursor(pymysql.cursors.SSCursor)
                    cursor.execute(sql, params)
                    while cursor.description and (rows := list(cursor.fetchmany(batch_size))):
                        self._check_cancelled()  # a killed read may end early, without error
                        yield rows
                        self._check_cancelled()
                    self._check_cancelled()
                    finished = True
                    cursor.close()
                    with conn.cursor() as end:
                        end.execute("ROLLBACK")
            except pymysql.Error as exc:
                finished = True
                raise self._failure(self._translate(exc, time.monotonic() - started)) from None
            finally:
                if not finished:
                    # Left early: PyMySQL would read every remaining row to close the result;
                    # drop the connection instead (the next call reconnects).
                    if cursor is not None:
                        _abandon(cursor)
                    self._drop()

    def _interrupt(self, handle: Any) -> None:
        # KILL QUERY on a short-lived side connection (same login and TLS): the statement's
        # own connection is busy reading. A user may always kill its own statements.
        side = self._connect()
        try:
            with side.cursor() as cursor:
                cursor.execute("KILL QUERY %s", (int(handle),))
        finally:
            with contextlib.suppress(pymysql.Error):
                side.close()

    def _translate(self, exc: pymysql.Error, elapsed: float) -> ConnectorError:
        code = exc.args[0] if exc.args and isinstance(exc.args[0], int) else 0
        message = scrub(str(exc.args[-1] if exc.args else exc), self._secret())
        timeout = self.settings.statement_timeout_seconds
        if code in _LOST_CODES or isinstance(exc, pymysql.err.InterfaceError):
            self._drop()
            if code == 2013 and elapsed >= timeout:
                return timeout_error(timeout, message)
            return lost_connection_error(self.target, message)
        try:
            if self._conn is not None:
                self._conn.rollback()
        except pymysql.Error:
            self._drop()
        if code in _TIMEOUT_CODES:
            return timeout_error(timeout, message, error_code=code)
        if code in _READ_ONLY_CODES:
            return read_only_error(message, error_code=code)
        if code in _PERMISSION_CODES:
            return permission_error(message, error_code=code)
        if code == 1064 and ";" in message:
            return QueryFailed(
                f"the source rejected the statement (several statements are not allowed in one "
                f"call): {message}",
                error_code=code,
            )
        return query_error(message, error_code=code)

    def server_version(self) -> str | None:
        self.open()
        return self._version

    def _rows(self, sql: str, params: Params | None = None) -> list[tuple[Any, ...]]:
        return self._fetch(sql, params, max_rows=1_000_000).rows

    # -- introspection ------------------------------------------------------------------

    def list_databases(self) -> list[str]:
        return [LOGICAL_DATABASE]

    def list_schemas(self, database: str) -> list[str]:
        if self._config.database:
            return [self._config.database]
        rows = self._rows(
            "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA "
            "WHERE SCHEMA_NAME NOT IN (%s, %s, %s, %s) ORDER BY 1",
            SYSTEM_SCHEMAS,
        )
        return [row[0] for row in rows]

    def list_tables(self, database: str, schema: str) -> list[TableInfo]:
        return self._tables(database, schema, None)

    def get_table(self, database: str, schema: str, table: str) -> TableInfo | None:
        found = self._tables(database, schema, table)
        return found[0] if found else None

    def _tables(self, database: str, schema: str, table: str | None) -> list[TableInfo]:
        rows = self._rows(
            "SELECT TABLE_NAME, TABLE_TYPE, TABLE_COMMENT, TABLE_ROWS, "
            "DATA_LENGTH + INDEX_LENGTH FROM information_schema.TABLES "
            "WHERE TABLE_SCHEMA = %s AND TABLE_TYPE IN ('BASE TABLE', 'VIEW', "
            "'SYSTEM VERSIONED')"
            + (" AND TABLE_NAME = %s" if table is not None else "")
            + " ORDER BY TABLE_NAME",
            (schema,) if table is None else (schema, table),
        )
        tables = []
        for name, kind, comment, estimate, size in rows:
            is_view = kind == "VIEW"
            tables.append(
                TableInfo(
                    name=name,
                    kind=TableKind.VIEW if is_view else TableKind.TABLE,
                    schema=schema,
                    database=database,
                    comment=None if is_view or not comment else comment,
                    row_estimate=None if is_view or estimate is None else int(estimate),
                    size_bytes=None if is_view or size is None else int(size),
                )
            )
        return tables

    def get_columns(self, database: str, schema: str, table: str) -> list[ColumnInfo]:
        rows = self._rows(
            "SELECT COLUMN_NAME, ORDINAL_POSITION, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, "
            "COLUMN_COMMENT FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = %s "
            "AND TABLE_NAME = %s ORDER BY ORDINAL_POSITION",
            (schema, table),
        )
        if not rows:
            raise self._no_columns(database, schema, table)
        return [
            ColumnInfo(
                name=name,
                ordinal_position=int(position),
                declared_type=declared,
                type_family=type_family(declared, "mysql"),
                nullable=nullable == "YES",
                # MariaDB reports "no default" and DEFAULT NULL both as the text NULL.
                default=None if default in (None, "NULL") else str(default),
                comment=comment or None,
            )
            for name, position, declared, nullable, default, comment in rows
        ]

    def _no_columns(self, database: str, schema: str, table: str) -> DatareadyError:
        """Why ``information_schema.COLUMNS`` shows nothing for ``schema.table``.

        A view over a dropped table, or whose definer lost a right, is still listed in
        ``TABLES`` while ``COLUMNS`` silently skips it (warning 1356): reading it with
        ``LIMIT 0`` gives the server's reason.  Not listed at all: it does not exist.
        """
        if self.get_table(database, schema, table) is None:
            return self._not_found(schema, table)
        name = f"{schema}.{table}"
        try:
            self._fetch(
                f"SELECT * FROM {self.qualified_name(database, schema, table)} LIMIT 0",
                None,
                max_rows=0,
            )
            reason = "the server lists it but shows none of its columns to this user"
        except QueryFailed as exc:  # the reason; a lost connection or a timeout propagates
            reason = exc.message
        return SourceObjectUnreadable(
            f"{name} cannot be described: {reason}", asset=name, reason=reason
        )

    def _constraint_groups(
        self, schema: str, table: str, kind: str
    ) -> dict[str, list[tuple[Any, ...]]]:
        groups: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        for row in self._rows(_CONSTRAINT_COLUMNS_SQL, (schema, table, kind)):
            groups[row[0]].append(row)
        return groups

    def get_primary_key(self, database: str, schema: str, table: str) -> PrimaryKeyInfo | None:
        for name, rows in self._constraint_groups(schema, table, "PRIMARY KEY").items():
            return PrimaryKeyInfo(tuple(r[1] for r in rows), name)
        return None

    def get_foreign_keys(self, database: str, schema: str, table: str) -> list[ForeignKeyInfo]:
        rules = {
            name: (delete, update)
            for name, delete, update in self._rows(
                "SELECT CONSTRAINT_NAME, DELETE_RULE, UPDATE_RULE "
                "FROM information_schema.REFERENTIAL_CONSTRAINTS "
                "WHERE CONSTRAINT_SCHEMA = %s AND TABLE_NAME = %s",
                (schema, table),
            )
        }
        return [
            ForeignKeyInfo(
                name=name,
                columns=tuple(r[1] for r in rows),
                referred_table=rows[0][3],
                referred_columns=tuple(r[4] for r in rows),
                referred_schema=rows[0][2],
                referred_database=database,
                on_delete=rules.get(name, (None, None))[0],
                on_update=rules.get(name, (None, None))[1],
            )
            for name, rows in self._constraint_groups(schema, table, "FOREIGN KEY").items()
        ]

    def get_unique_constraints(
        self, database: str, schema: str, table: str
    ) -> list[UniqueConstraintInfo]:
        return [
            UniqueConstraintInfo(name=name, columns=tuple(r[1] for r in rows))
            for name, rows in self._constraint_groups(schema, table, "UNIQUE").items()
        ]

    def get_indexes(self, database: str, schema: str, table: str) -> list[IndexInfo]:
        rows = self._rows(
            "SELECT INDEX_NAME, NON_UNIQUE, COLUMN_NAME FROM information_schema.STATISTICS "
            "WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s ORDER BY INDEX_NAME, SEQ_IN_INDEX",
            (schema, table),
        )
        grouped: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        for row in rows:
            grouped[row[0]].append(row)
        return [
            IndexInfo(
                name=name,
                columns=tuple(p[2] for p in parts),
                unique=not int(parts[0][1]),
                primary=name == "PRIMARY",
            )
            for name, parts in grouped.items()
        ]


register_connector(MySQLConnector.type_name, MySQLConnector)
