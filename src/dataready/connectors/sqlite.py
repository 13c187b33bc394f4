"""SQLite through the standard library, opened read-only.

The file is opened with a ``file:...?mode=ro`` URI and ``PRAGMA query_only=ON``; ATTACH is
disabled (limit 0) and an authorizer refuses to switch ``query_only`` off. A
``progress_handler`` interrupts a statement once the statement timeout has passed.

Hierarchy: one database named after the file stem, one schema ``main``.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections import defaultdict
from collections.abc import Generator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from dataready.connectors.base import Connector, Params, Row
from dataready.connectors.config import SQLiteConfig
from dataready.connectors.failures import (
    ConnectFailure,
    connect_error,
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
from dataready.errors import ConnectorError, QueryFailed, SourceObjectUnreadable
from dataready.sql.quoting import qualify
from dataready.sql.types import type_family

_PROGRESS_STEPS = 1000
_LOCKED_PRAGMAS = frozenset({"query_only", "writable_schema", "trusted_schema"})


def _authorizer(action: int, arg1: str | None, arg2: str | None, *_: str | None) -> int:
    if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_PRAGMA and (arg1 or "").lower() in _LOCKED_PRAGMAS and arg2:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


class SQLiteConnector(Connector):
    """A SQLite file. Database = file stem, schema = ``main``."""

    type_name = "sqlite"
    sqlalchemy_dialect = "sqlite"
    paramstyle = "qmark"
    supports_schemas = True

    def __init__(self, config: SQLiteConfig, settings: Any = None) -> None:
        super().__init__(config, settings)
        self._path = Path(config.path).expanduser()
        self._conn: sqlite3.Connection | None = None
        self._deadline = 0.0

    @property
    def is_open(self) -> bool:
        return self._conn is not None

    @property
    def default_database(self) -> str:
        return self._path.stem or "main"

    def open(self) -> None:
        if self._conn is not None:
            return
        if not self._path.is_file():
            raise connect_error(
                ConnectFailure.UNKNOWN_DATABASE, self.target, "no such file", path=str(self._path)
            )
        uri = f"file:{quote(str(self._path.resolve()))}?mode=ro"
        try:
            conn = sqlite3.connect(
                uri,
                uri=True,
                timeout=self.settings.connect_timeout_seconds,
                check_same_thread=False,
                isolation_level=None,
            )
            conn.execute("PRAGMA query_only = ON")
            conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()  # is it a database?
        except sqlite3.Error as exc:
            raise connect_error(ConnectFailure.OTHER, self.target, str(exc)) from None
        conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
        conn.set_authorizer(_authorizer)
        conn.set_progress_handler(self._progress, _PROGRESS_STEPS)
        self._conn = conn

    def close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            with contextlib.suppress(sqlite3.Error):
                conn.close()

    def _progress(self) -> int:
        # A non-zero return interrupts the running statement.
        return 1 if self._deadline and time.monotonic() > self._deadline else 0

    def _fetch(
        self,
        sql: str,
        params: Params | None,
        *,
        max_rows: int,
        database: str | None = None,
    ) -> QueryResult:
        self.open()
        assert self._conn is not None
        timeout = self.settings.statement_timeout_seconds
        conn = self._conn
        self._deadline = time.monotonic() + timeout
        try:
            with self._cancellable(conn):
                cursor = conn.execute(sql, params if params is not None else ())
                rows = cursor.fetchmany(max_rows + 1) if max_rows >= 0 else []
                columns = tuple(d[0] for d in cursor.description or ())
                cursor.close()
                self._check_cancelled()
        except sqlite3.Error as exc:
            raise self._failure(self._translate(exc)) from None
        finally:
            self._deadline = 0.0
        return QueryResult(columns, rows[:max_rows], truncated=len(rows) > max_rows)

    def _stream(
        self,
        sql: str,
        params: Params | None,
        *,
        batch_size: int,
        database: str | None = None,
    ) -> Generator[list[Row], None, None]:
        # sqlite3 steps the statement lazily: each fetchmany runs it only as far as needed.
        # The progress handler's deadline covers each step, not the caller's time between.
        self.open()
        assert self._conn is not None
        timeout = self.settings.statement_timeout_seconds
        conn = self._conn
        cursor: sqlite3.Cursor | None = None
        try:
            with self._cancellable(conn):
                self._deadline = time.monotonic() + timeout
                cursor = conn.execute(sql, params if params is not None else ())
                while cursor.description is not None:
                    self._check_cancelled()
                    self._deadline = time.monotonic() + timeout
                    rows = cursor.fetchmany(batch_size)
                    self._deadline = 0.0
                    self._check_cancelled()
                    if not rows:
                        break
                    yield rows
        except sqlite3.Error as exc:
            raise self._failure(self._translate(exc)) from None
        finally:
            self._deadline = 0.0
            if cursor is not None:
                with contextlib.suppress(sqlite3.Error):
                    cursor.close()

    def _interrupt(self, handle: Any) -> None:
        # sqlite3_interrupt is safe from any thread; the statement fails with "interrupted".
        conn: sqlite3.Connection = handle
        conn.interrupt()

    def _translate(self, exc: sqlite3.Error) -> ConnectorError:
        message = str(exc)
        lowered = message.lower()
        if "interrupted" in lowered:
            return timeout_error(self.settings.statement_timeout_seconds)
        if "readonly" in lowered or "read-only" in lowered or "not authorized" in lowered:
            return read_only_error(message)
        if "one statement at a time" in lowered:
            return QueryFailed("the SQL text holds several statements: send one per call")
        return query_error(message)

    def server_version(self) -> str | None:
        return sqlite3.sqlite_version

    def _rows(self, sql: str, params: Params | None = None) -> list[tuple[Any, ...]]:
        return self._fetch(sql, params, max_rows=1_000_000).rows

    # -- introspection ------------------------------------------------------------------

    def list_databases(self) -> list[str]:
        return [self.default_database]

    def list_schemas(self, database: str) -> list[str]:
        return [row[1] for row in self._rows("PRAGMA database_list") if row[1] != "temp"]

    def list_tables(self, database: str, schema: str) -> list[TableInfo]:
        sql = (
            f"SELECT name, type FROM {qualify(schema, 'sqlite_schema', dialect='sqlite')} "
            "WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
            "ORDER BY name"
        )
        return [
            TableInfo(
                name=name,
                kind=TableKind.VIEW if kind == "view" else TableKind.TABLE,
                schema=schema,
                database=database,
            )
            for name, kind in self._rows(sql)
        ]

    def _table_info(self, schema: str, table: str) -> list[tuple[Any, ...]]:
        try:
            rows = self._rows(
                'SELECT cid, name, type, "notnull", dflt_value, pk FROM pragma_table_info(?, ?)',
                (table, schema),
            )
        except QueryFailed as exc:
            # a view over a dropped table: SQLite compiles the view to describe it and fails
            view = self.get_table(self.default_database, schema, table)
            if type(exc) is not QueryFailed or view is None or view.kind is not TableKind.VIEW:
                raise
            name = f"{schema}.{table}"
            raise SourceObjectUnreadable(
                f"{name} cannot be described: {exc.message}", asset=name, reason=exc.message
            ) from None
        if not rows:
            raise self._not_found(schema, table)
        return rows

    def get_columns(self, database: str, schema: str, table: str) -> list[ColumnInfo]:
        return [
            ColumnInfo(
                name=name,
                ordinal_position=cid + 1,
                declared_type=declared or "",
                type_family=type_family(declared, "sqlite"),
                nullable=not notnull and not pk,
                default=default,
            )
            for cid, name, declared, notnull, default, pk in self._table_info(schema, table)
        ]

    def get_primary_key(self, database: str, schema: str, table: str) -> PrimaryKeyInfo | None:
        keyed = sorted((row[5], row[1]) for row in self._table_info(schema, table) if row[5])
        return PrimaryKeyInfo(tuple(name for _, name in keyed)) if keyed else None

    def get_foreign_keys(self, database: str, schema: str, table: str) -> list[ForeignKeyInfo]:
        rows = self._rows(
            'SELECT id, seq, "table", "from", "to", on_update, on_delete '
            "FROM pragma_foreign_key_list(?, ?) ORDER BY id, seq",
            (table, schema),
        )
        groups: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        for row in rows:
            groups[row[0]].append(row)
        keys = []
        for parts in groups.values():
            referred = parts[0][2]
            to_columns = [p[4] for p in parts]
            if any(c is None for c in to_columns):  # REFERENCES t without columns: its PK
                pk = self.get_primary_key(database, schema, referred)
                to_columns = list(pk.columns) if pk else to_columns
            keys.append(
                ForeignKeyInfo(
                    name=None,
                    columns=tuple(p[3] for p in parts),
                    referred_table=referred,
                    referred_columns=tuple(to_columns),
                    referred_schema=schema,
                    referred_database=database,
                    on_update=parts[0][5],
                    on_delete=parts[0][6],
                )
            )
        return keys

    def _index_list(self, schema: str, table: str) -> list[tuple[Any, ...]]:
        self._table_info(schema, table)
        return self._rows(
            'SELECT name, "unique", origin FROM pragma_index_list(?, ?) ORDER BY name',
            (table, schema),
        )

    def _index_columns(self, schema: str, index: str) -> tuple[str | None, ...]:
        rows = self._rows(
            "SELECT name FROM pragma_index_xinfo(?, ?) WHERE key = 1 ORDER BY seqno",
            (index, schema),
        )
        return tuple(row[0] for row in rows)

    def get_unique_constraints(
        self, database: str, schema: str, table: str
    ) -> list[UniqueConstraintInfo]:
        return [
            UniqueConstraintInfo(
                name=None if name.startswith("sqlite_autoindex_") else name,
                columns=tuple(c for c in self._index_columns(schema, name) if c is not None),
            )
            for name, _, origin in self._index_list(schema, table)
            if origin == "u"
        ]

    def get_indexes(self, database: str, schema: str, table: str) -> list[IndexInfo]:
        return [
            IndexInfo(
                name=name,
                columns=self._index_columns(schema, name),
                unique=bool(unique),
                primary=origin == "pk",
            )
            for name, unique, origin in self._index_list(schema, table)
        ]


register_connector(SQLiteConnector.type_name, SQLiteConnector)
