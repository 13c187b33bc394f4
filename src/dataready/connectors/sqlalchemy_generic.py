"""Warehouses and other engines through a SQLAlchemy dialect and its inspector.

The dialect's package is loaded through :mod:`dataready.connectors.sqlalchemy_gateway`.
This connector is for engines without a native one (PostgreSQL, MySQL/MariaDB, SQLite and
DuckDB URLs are routed to theirs). What it can enforce depends on the engine, so it is read
from a table (``dialect_sessions.toml``): on every new connection it sends the engine's
statement-timeout and read-only statements (``ALTER SESSION SET
STATEMENT_TIMEOUT_IN_SECONDS`` on Snowflake, ``SET readonly = 1`` on ClickHouse, ...), checks
the read-only state where the engine can report it, and :attr:`enforces_read_only` says
whether the session really is read-only. Where the engine has no such switch, give the
service a read-only role; :meth:`Connector.execute` still refuses non-reading statements,
and statements are also cancelled with the DB-API ``cancel()`` when the driver offers it.

Hierarchy: one logical database (the URL's database, or the dialect name); schemas are the
inspector's schema names.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import threading
from collections.abc import Generator, Sequence
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.engine import Connection, Dialect, Engine, make_url
from sqlalchemy.exc import DBAPIError, NoSuchTableError, SQLAlchemyError

from dataready.connectors.base import Connector, Params, Row
from dataready.connectors.config import SQLAlchemyConfig
from dataready.connectors.failures import (
    classify_connect_message,
    connect_error,
    query_error,
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
    VerifyResult,
)
from dataready.connectors.registry import register_connector
from dataready.connectors.secrets import secret_strings, split_secrets
from dataready.connectors.sqlalchemy_gateway import (
    SessionPlan,
    create_source_engine,
    load_dialect,
    session_plan,
)
from dataready.errors import ConnectorError
from dataready.settings import SourceSettings
from dataready.sql.sample import compile_sample_query
from dataready.sql.types import type_family

log = logging.getLogger(__name__)


class SQLAlchemyConnector(Connector):
    """Any engine with a SQLAlchemy dialect (Trino, Snowflake, BigQuery, Redshift, ...)."""

    type_name = "sqlalchemy"
    sqlalchemy_dialect = "ansi"
    paramstyle = "dialect"
    supports_comments = True
    supports_statement_timeout = False

    def __init__(self, config: SQLAlchemyConfig, settings: SourceSettings | None = None) -> None:
        super().__init__(config, settings)
        self._config = config
        url = make_url(config.url)
        if config.password is not None:
            url = url.set(password=config.password.get_secret_value())
        self._url = url
        self._engine: Engine | None = None
        self._conn: Connection | None = None
        self._lock = threading.RLock()
        self.plan: SessionPlan = session_plan(
            url.get_backend_name(), self.settings.statement_timeout_seconds
        )
        self.enforces_read_only = False
        self.enforces_statement_timeout = False
        self.session_problems: list[str] = []
        """Why a switch of :attr:`plan` did not take (driver text, secrets scrubbed)."""
        whole = {"url": config.url, "connect_args": config.connect_args}
        self._secrets = [
            *secret_strings(split_secrets(whole).secrets),
            *([config.password.get_secret_value()] if config.password else []),
        ]

    @property
    def is_open(self) -> bool:
        return self._conn is not None

    @property
    def default_database(self) -> str:
        return self._url.database or self._url.get_backend_name()

    @property
    def dialect_name(self) -> str:
        return self._url.get_backend_name()

    def quote(self, name: str) -> str:
        return str(self._preparer().quote_identifier(name))

    def _dialect(self) -> Dialect:
        return load_dialect(self._url)()

    def _preparer(self) -> Any:
        return self._dialect().identifier_preparer

    def _scrub(self, text: str) -> str:
        return scrub(text, *self._secrets)

    def open(self) -> None:
        with self._lock:
            if self._conn is not None:
                return
            engine = create_source_engine(self._url, dict(self._config.connect_args))
            event.listen(engine, "connect", self._on_connect)
            if self.plan.read_only_transaction:
                event.listen(engine, "begin", self._on_begin)
            try:
                self._conn = engine.connect()
            except SQLAlchemyError as exc:
                engine.dispose()
                detail = self._scrub(str(getattr(exc, "orig", exc)))
                raise connect_error(
                    classify_connect_message(detail),
                    self.target,
                    detail,
                    timeout=self.settings.connect_timeout_seconds,
                ) from None
            self._engine = engine

    def _on_connect(self, dbapi_conn: Any, _record: Any) -> None:
        """Apply :attr:`plan` to a new DB-API connection and record what took."""
        plan, problems = self.plan, []
        timeout = plan.can_enforce_timeout
        if plan.timeout_attribute is not None:
            name, value = plan.timeout_attribute
            try:
                setattr(dbapi_conn, name, value)
            except Exception as exc:  # any driver: an attribute it does not have
                timeout = False
                problems.append(f"{name}: {self._scrub(str(exc))}")
        timeout = self._run_all(dbapi_conn, plan.timeout_session, problems) and timeout
        read_only = self._run_all(dbapi_conn, plan.read_only_session, problems)
        read_only = read_only and plan.can_enforce_read_only
        with contextlib.suppress(Exception):  # keep session settings past the first rollback
            dbapi_conn.commit()
        if read_only and plan.read_only_check:  # in a new transaction, under the new defaults
            read_only = self._check(dbapi_conn, plan.read_only_check, problems)
            with contextlib.suppress(Exception):
                dbapi_conn.rollback()
        self.enforces_statement_timeout = timeout
        self.enforces_read_only = read_only
        self.session_problems = problems

    def _run_all(self, dbapi_conn: Any, statements: Sequence[str], problems: list[str]) -> bool:
        for sql in statements:
            try:
                cursor = dbapi_conn.cursor()
                cursor.execute(sql)
                cursor.close()
            except Exception as exc:  # any driver's error: the switch did not take
                problems.append(f"{sql}: {self._scrub(str(exc))}")
                with contextlib.suppress(Exception):
                    dbapi_conn.rollback()
                return False
        return True

    def _check(self, dbapi_conn: Any, sql: str, problems: list[str]) -> bool:
        try:
            cursor = dbapi_conn.cursor()
            cursor.execute(sql)
            row = cursor.fetchone()
            cursor.close()
        except Exception as exc:  # any driver's error: not shown to be read-only
            problems.append(f"{sql}: {self._scrub(str(exc))}")
            with contextlib.suppress(Exception):
                dbapi_conn.rollback()
            return False
        value = str(row[0]).strip().lower() if row else ""
        if value not in ("1", "on", "true", "t", "yes"):
            problems.append(f"{sql} answered {value!r}: the session is not read-only")
            return False
        return True

    def _on_begin(self, conn: Connection) -> None:
        # Engines whose read-only switch is per transaction (Oracle): first in every one.
        for sql in self.plan.read_only_transaction:
            conn.exec_driver_sql(sql)

    def close(self) -> None:
        with self._lock:
            conn, self._conn = self._conn, None
            engine, self._engine = self._engine, None
        try:
            if conn is not None:
                conn.close()
        except SQLAlchemyError:
            pass
        if engine is not None:
            engine.dispose()

    def cancel(self) -> None:
        """Cancel through the DB-API connection: its ``cancel()`` (or SQLite's ``interrupt()``)
        when the driver has one, else close it (the next call fails; reopen the connector).

        A no-op when no statement runs: every statement runs in its own transaction, so
        none is open between statements. Never raises.
        """
        conn = self._conn
        try:
            if conn is None or not conn.in_transaction():
                return
            raw = conn.connection.dbapi_connection
            stop = getattr(raw, "cancel", None) or getattr(raw, "interrupt", None)
            if callable(stop):
                stop()
            elif raw is not None:
                raw.close()
        except Exception:  # cancel() runs on a watcher's thread and never raises
            log.warning("could not cancel the statement on %s", self.target, exc_info=True)

    def sample_sql(
        self,
        database: str,
        schema: str,
        table: str,
        columns: Sequence[str] | None,
        limit: int,
    ) -> str:
        """Compiled by the dialect, so engines without LIMIT get TOP / FETCH FIRST."""
        return compile_sample_query(self._dialect(), schema, table, columns, limit)

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
            fired = threading.Event()
            raw = conn.connection.dbapi_connection

            def _cancel() -> None:
                fired.set()
                cancel = getattr(raw, "cancel", None)
                if callable(cancel):
                    cancel()

            timer = threading.Timer(self.settings.statement_timeout_seconds, _cancel)
            timer.daemon = True
            timer.start()
            try:
                result = conn.exec_driver_sql(sql, params if params is not None else ())
                columns = tuple(result.keys()) if result.returns_rows else ()
                rows = [tuple(r) for r in result.fetchmany(max_rows + 1)] if columns else []
                result.close()
                conn.rollback()
            except SQLAlchemyError as exc:
                raise self._translate(exc, fired.is_set()) from None
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
        # stream_results asks the dialect for a server-side cursor where it has one; each
        # batch is bounded by a cancel() timer like _fetch.
        with self._lock:
            self.open()
            conn = self._conn
            assert conn is not None
            raw = conn.connection.dbapi_connection
            fired = threading.Event()

            def _cancel() -> None:
                fired.set()
                cancel = getattr(raw, "cancel", None)
                if callable(cancel):
                    cancel()

            def _timed(call: Any, *args: Any) -> Any:
                timer = threading.Timer(self.settings.statement_timeout_seconds, _cancel)
                timer.daemon = True
                timer.start()
                try:
                    return call(*args)
                finally:
                    timer.cancel()

            streaming = conn.execution_options(stream_results=True, max_row_buffer=batch_size)
            result = None
            try:
                result = _timed(
                    streaming.exec_driver_sql, sql, params if params is not None else ()
                )
                while result.returns_rows and (rows := _timed(result.fetchmany, batch_size)):
                    yield [tuple(r) for r in rows]
            except SQLAlchemyError as exc:
                raise self._translate(exc, fired.is_set()) from None
            finally:
                if result is not None:
                    result.close()
                with contextlib.suppress(SQLAlchemyError):
                    conn.rollback()

    def _translate(self, exc: SQLAlchemyError, timed_out: bool) -> ConnectorError:
        try:
            if self._conn is not None:
                self._conn.rollback()
        except SQLAlchemyError:
            pass
        if timed_out:
            return timeout_error(self.settings.statement_timeout_seconds)
        orig = exc.orig if isinstance(exc, DBAPIError) else exc
        return query_error(self._scrub(str(orig)))

    def verify(self) -> VerifyResult:
        """As :meth:`Connector.verify`, with what the engine enforces on this session."""
        result = super().verify()
        details = {
            "dialect": self.dialect_name,
            "statement_timeout": self.enforces_statement_timeout,
            **({"note": self.plan.note} if self.plan.note else {}),
            **({"problems": list(self.session_problems)} if self.session_problems else {}),
        }
        return dataclasses.replace(result, details={**result.details, **details})

    def server_version(self) -> str | None:
        self.open()
        assert self._engine is not None
        info = self._engine.dialect.server_version_info
        return ".".join(str(p) for p in info) if info else None

    def _inspector(self) -> Any:
        self.open()
        return inspect(self._conn)

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        try:
            return getattr(self._inspector(), method)(*args, **kwargs)
        except NoSuchTableError:
            raise self._not_found(*(a for a in (kwargs.get("schema"), *args) if a)) from None
        except SQLAlchemyError as exc:
            raise self._translate(exc, False) from None

    # -- introspection ------------------------------------------------------------------

    def list_databases(self) -> list[str]:
        return [self.default_database]

    def list_schemas(self, database: str) -> list[str]:
        names: list[str] = self._call("get_schema_names")
        return [n for n in names if n.lower() not in ("information_schema", "pg_catalog")]

    def list_tables(self, database: str, schema: str) -> list[TableInfo]:
        out = []
        for name in self._call("get_table_names", schema=schema):
            comment = self._table_comment(name, schema)
            out.append(TableInfo(name, TableKind.TABLE, schema, database, comment=comment))
        for name in self._call("get_view_names", schema=schema):
            out.append(TableInfo(name, TableKind.VIEW, schema, database))
        return sorted(out, key=lambda t: t.name)

    def _table_comment(self, name: str, schema: str) -> str | None:
        try:
            text = self._call("get_table_comment", name, schema=schema).get("text")
        except (NotImplementedError, ConnectorError):
            return None
        return str(text) if text else None

    def get_columns(self, database: str, schema: str, table: str) -> list[ColumnInfo]:
        columns = self._call("get_columns", table, schema=schema)
        pk = self.get_primary_key(database, schema, table)
        keyed = set(pk.columns) if pk else set()
        return [
            ColumnInfo(
                name=c["name"],
                ordinal_position=i,
                declared_type=str(c["type"]),
                type_family=type_family(str(c["type"]), self.dialect_name),
                nullable=bool(c.get("nullable", True)) and c["name"] not in keyed,
                default=None if c.get("default") is None else str(c["default"]),
                comment=c.get("comment"),
            )
            for i, c in enumerate(columns, 1)
        ]

    def get_primary_key(self, database: str, schema: str, table: str) -> PrimaryKeyInfo | None:
        pk = self._call("get_pk_constraint", table, schema=schema)
        cols = tuple(pk.get("constrained_columns") or ())
        return PrimaryKeyInfo(cols, pk.get("name")) if cols else None

    def get_foreign_keys(self, database: str, schema: str, table: str) -> list[ForeignKeyInfo]:
        return [
            ForeignKeyInfo(
                name=fk.get("name"),
                columns=tuple(fk["constrained_columns"]),
                referred_table=fk["referred_table"],
                referred_columns=tuple(fk["referred_columns"]),
                referred_schema=fk.get("referred_schema") or schema,
                referred_database=database,
                on_delete=(fk.get("options") or {}).get("ondelete"),
                on_update=(fk.get("options") or {}).get("onupdate"),
            )
            for fk in self._call("get_foreign_keys", table, schema=schema)
        ]

    def get_unique_constraints(
        self, database: str, schema: str, table: str
    ) -> list[UniqueConstraintInfo]:
        try:
            found = self._call("get_unique_constraints", table, schema=schema)
        except NotImplementedError:
            return []
        return [UniqueConstraintInfo(u.get("name"), tuple(u["column_names"])) for u in found]

    def get_indexes(self, database: str, schema: str, table: str) -> list[IndexInfo]:
        try:
            found = self._call("get_indexes", table, schema=schema)
        except NotImplementedError:
            return []
        return [
            IndexInfo(name=i["name"], columns=tuple(i["column_names"]), unique=bool(i["unique"]))
            for i in found
        ]


register_connector(SQLAlchemyConnector.type_name, SQLAlchemyConnector)
