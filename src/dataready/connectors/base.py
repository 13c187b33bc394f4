"""The ``Connector`` interface every source engine implements.

A connector is a context manager around one source. Engine differences are declared as
class attributes (capability flags) that callers read instead of checking the class: the
profiler asks ``supports_approx_distinct``, the sampler ``supports_tablesample``.

Hierarchy: ``database`` > ``schema`` > ``table``. Engines without one of the levels map it
as documented on their class (MySQL: one logical database whose schemas are the MySQL
databases; SQLite: the file stem and schema ``main``).

Every connector is read-only: it opens the source with the engine's read-only switch and
:meth:`Connector.execute` accepts only reading statements. Every driver exception is turned
into the dataready error tree (``ConnectorError`` and subclasses) at the connector's edge,
with messages that never contain the password.

:meth:`Connector.cancel` stops the statement in flight from another thread (a run's cancel
watcher calls it); the thread that ran the statement gets ``RunCancelled``.
"""

from __future__ import annotations

import logging
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Generator, Iterator, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import Any, ClassVar, Self

from dataready.connectors.config import ConnectionConfig, describe_target
from dataready.connectors.models import (
    ColumnInfo,
    ForeignKeyInfo,
    IndexInfo,
    PrimaryKeyInfo,
    QueryResult,
    TableInfo,
    UniqueConstraintInfo,
    VerifyResult,
)
from dataready.errors import (
    DatareadyError,
    NotFound,
    RunCancelled,
    SourceNotAllowed,
    ValidationFailed,
)
from dataready.settings import SourceSettings
from dataready.sql.guard import check_read_statement
from dataready.sql.quoting import quote_identifier
from dataready.sql.sample import sample_query

Params = Sequence[Any] | dict[str, Any]

DEFAULT_MAX_ROWS = 10_000
DEFAULT_BATCH_ROWS = 10_000

Row = tuple[Any, ...]

log = logging.getLogger(__name__)


class Connector(ABC):
    """One source connection (possibly a few, e.g. one per PostgreSQL database)."""

    type_name: ClassVar[str]
    """The registry name and the ``type`` of the matching config."""
    sqlalchemy_dialect: ClassVar[str]
    """The SQLAlchemy dialect name, used for quoting and SQL construction."""
    default_port: ClassVar[int | None] = None
    paramstyle: ClassVar[str] = "qmark"
    """PEP 249 paramstyle that ``execute`` expects (``qmark``: ``?``, ``pyformat``: ``%s``)."""
    supports_databases: ClassVar[bool] = False
    """Several databases can be listed and introspected through one connector."""
    supports_schemas: ClassVar[bool] = True
    supports_tablesample: ClassVar[bool] = False
    supports_approx_distinct: ClassVar[bool] = False
    approx_distinct_function: ClassVar[str | None] = None
    supports_comments: ClassVar[bool] = False
    supports_row_estimate: ClassVar[bool] = False
    supports_size: ClassVar[bool] = False
    supports_materialized_views: ClassVar[bool] = False
    supports_statement_timeout: ClassVar[bool] = True
    supports_native_quantiles: ClassVar[bool] = False
    """The engine computes exact quantiles in SQL (``percentile_cont``/``quantile_cont``)."""
    supports_server_cursor: ClassVar[bool] = False
    """:meth:`stream` reads through a server-side cursor (else the driver's lazy fetch)."""
    enforces_read_only: bool = True
    """The engine itself refuses writes in this connector's sessions (beyond the SQL guard).
    The native connectors always do; the generic one sets it per connection, from what the
    engine accepted (``verify`` reports it as ``read_only``)."""
    forbidden_databases: frozenset[str] = frozenset()
    """Databases (case-folded) this connector must not open or list: the store's own, when
    the source is the store's server. Set by :func:`dataready.connectors.registry.connect`."""

    def __init__(self, config: ConnectionConfig, settings: SourceSettings | None = None) -> None:
        if config.type != self.type_name:
            raise ValidationFailed(
                f"{type(self).__name__} takes a {self.type_name!r} config, not {config.type!r}",
                field="type",
            )
        self.config = config
        self.settings = settings or SourceSettings()
        # Cancellation state, shared with the thread that calls cancel(): the handles of the
        # statements in flight (what _interrupt stops) and whether cancel() reached them.
        self._cancel_lock = threading.Lock()
        self._in_flight: list[Any] = []
        self._cancel_requested = False
        self._interrupted = False

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.target}>"

    @property
    def target(self) -> str:
        """A password-free description of the source for messages and logs."""
        return describe_target(self.config)

    # -- lifecycle ----------------------------------------------------------------------

    @property
    @abstractmethod
    def is_open(self) -> bool: ...

    @abstractmethod
    def open(self) -> None:
        """Connect (a no-op when open). Raises ``ConnectionFailed`` or a subclass."""

    @abstractmethod
    def close(self) -> None:
        """Disconnect; never raises, safe to call twice."""

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- introspection ------------------------------------------------------------------

    @abstractmethod
    def list_databases(self) -> list[str]: ...

    @abstractmethod
    def list_schemas(self, database: str) -> list[str]: ...

    @abstractmethod
    def list_tables(self, database: str, schema: str) -> list[TableInfo]:
        """Tables and views with kind, and comment/row estimate/size where the engine knows."""

    def get_table(self, database: str, schema: str, table: str) -> TableInfo | None:
        """One table's catalogue facts (``None`` when it is not listed).

        Engines whose catalogue can be filtered by name override this; the default filters
        :meth:`list_tables`.
        """
        return next((t for t in self.list_tables(database, schema) if t.name == table), None)

    @abstractmethod
    def get_columns(self, database: str, schema: str, table: str) -> list[ColumnInfo]:
        """Columns in ordinal order. Raises ``NotFound`` when the table does not exist."""

    @abstractmethod
    def get_primary_key(self, database: str, schema: str, table: str) -> PrimaryKeyInfo | None: ...

    @abstractmethod
    def get_foreign_keys(self, database: str, schema: str, table: str) -> list[ForeignKeyInfo]: ...

    @abstractmethod
    def get_unique_constraints(
        self, database: str, schema: str, table: str
    ) -> list[UniqueConstraintInfo]: ...

    @abstractmethod
    def get_indexes(self, database: str, schema: str, table: str) -> list[IndexInfo]: ...

    # -- queries ------------------------------------------------------------------------

    @property
    def dialect_name(self) -> str:
        """The engine's SQLAlchemy dialect name: the read-only guard parses SQL with it.

        Equal to :attr:`sqlalchemy_dialect` for native engines; the generic connector
        answers its URL's backend (``trino``, ``snowflake``, ``mssql``, …).
        """
        return self.sqlalchemy_dialect

    def quote(self, name: str) -> str:
        """``name`` quoted as an identifier for this engine."""
        return quote_identifier(name, self.sqlalchemy_dialect)

    def table_parts(self, database: str, schema: str, table: str) -> tuple[str | None, ...]:
        """The parts that name ``table`` in SQL sent through this connector."""
        return (schema, table)

    def qualified_name(self, database: str, schema: str, table: str) -> str:
        """The quoted, qualified name of a table for SQL sent through this connector."""
        return ".".join(self.quote(p) for p in self.table_parts(database, schema, table) if p)

    def sample_sql(
        self,
        database: str,
        schema: str,
        table: str,
        columns: Sequence[str] | None,
        limit: int,
    ) -> str:
        """The bounded sample statement for ``table`` (every name quoted)."""
        return sample_query(
            self.table_parts(database, schema, table),
            columns,
            limit,
            dialect=self.sqlalchemy_dialect,
        )

    def sample_rows(
        self,
        database: str,
        schema: str,
        table: str,
        columns: Sequence[str] | None = None,
        limit: int | None = None,
    ) -> QueryResult:
        """Up to ``limit`` rows (default ``settings.sample_rows``) of ``table``."""
        bound = self.settings.sample_rows if limit is None else limit
        if bound < 0:
            raise ValidationFailed("limit must be >= 0", field="limit")
        sql = self.sample_sql(database, schema, table, columns, bound)
        return self._fetch(sql, None, max_rows=bound, database=database)

    def execute(
        self,
        sql: str,
        params: Params | None = None,
        *,
        max_rows: int = DEFAULT_MAX_ROWS,
        database: str | None = None,
    ) -> QueryResult:
        """Run one reading statement and fetch at most ``max_rows`` rows.

        Args:
            sql: one SELECT-like statement with placeholders in :attr:`paramstyle`.
            params: values for the placeholders; ``None`` for none.
            max_rows: rows beyond this stay on the server and ``truncated`` is set.
            database: the database to run in, for engines with ``supports_databases``.

        Raises:
            ReadOnlyViolation: the statement would write or change the session.
            QueryTimeout: it ran past ``settings.statement_timeout_seconds``.
            QueryFailed: the source rejected it.
        """
        check_read_statement(sql, self.dialect_name)
        return self._fetch(sql, params, max_rows=max_rows, database=database)

    def stream(
        self,
        sql: str,
        params: Params | None = None,
        *,
        batch_size: int = DEFAULT_BATCH_ROWS,
        database: str | None = None,
    ) -> Generator[list[Row], None, None]:
        """Run one reading statement and yield its rows in batches of at most ``batch_size``.

        Memory stays bounded by one batch whatever the size of the result: PostgreSQL reads
        through a server-side (named) cursor, MySQL through an unbuffered cursor, SQLite and
        DuckDB through their lazy ``fetchmany``. The read-only guard and error translation
        are those of :meth:`execute`; the statement timeout bounds each round trip (the
        statement's start and every batch), not the time the caller spends between batches.

        Closing the iterator early (``break``, an exception, ``close()``) ends the statement.
        Do not send other statements through this connector while a stream is open.

        Raises:
            ValidationFailed: ``batch_size`` is below 1.
            ReadOnlyViolation: the statement would write or change the session.
            QueryTimeout: one round trip ran past ``settings.statement_timeout_seconds``.
            QueryFailed: the source rejected it.
        """
        if batch_size < 1:
            raise ValidationFailed("batch_size must be >= 1", field="batch_size")
        check_read_statement(sql, self.dialect_name)
        return self._stream(sql, params, batch_size=batch_size, database=database)

    @abstractmethod
    def _stream(
        self,
        sql: str,
        params: Params | None,
        *,
        batch_size: int,
        database: str | None = None,
    ) -> Generator[list[Row], None, None]:
        """Yield the rows of trusted SQL in batches; translate driver errors."""

    @abstractmethod
    def _fetch(
        self,
        sql: str,
        params: Params | None,
        *,
        max_rows: int,
        database: str | None = None,
    ) -> QueryResult:
        """Run trusted SQL under the statement timeout; translate driver errors."""

    @abstractmethod
    def server_version(self) -> str | None: ...

    @property
    @abstractmethod
    def default_database(self) -> str:
        """The database introspection starts from."""

    def ping(self) -> None:
        """Round-trip to the source (raises ``ConnectorError`` when it fails)."""
        self._fetch("SELECT 1", None, max_rows=1)

    def verify(self) -> VerifyResult:
        """Connect and report what this connection can see."""
        started = time.perf_counter()
        self.open()
        version = self.server_version()
        databases = self.list_databases()
        schemas = self.list_schemas(self.default_database)
        return VerifyResult(
            type=self.type_name,
            server_version=version,
            database=self.default_database,
            databases=len(databases),
            schemas=len(schemas),
            read_only=self.enforces_read_only,
            elapsed_ms=round((time.perf_counter() - started) * 1000, 1),
            user=getattr(self.config, "user", None),
        )

    # -- cancellation ---------------------------------------------------------------------

    def cancel(self) -> None:
        """Stop the statement in flight now; called from another thread than the one running it.

        The thread running the statement (or reading a stream) gets ``RunCancelled``; a
        statement cancel() reached never returns its result, even when the engine let it
        finish. Thread-safe and idempotent; a no-op when no statement runs (the next statement
        is not affected); never raises: a failure to reach the source is logged, and a later
        call tries again. The connector stays usable afterwards (an engine whose connection
        is left in an unknown state drops it and reconnects on the next call).
        """
        with self._cancel_lock:
            if not self._in_flight or self._interrupted:
                return
            self._cancel_requested = self._interrupted = True
            handles = list(self._in_flight)
        reached = True
        for handle in handles:
            try:
                self._interrupt(handle)
            except Exception:  # cancel() never raises: it runs on a watcher's thread
                reached = False
                log.warning("could not cancel the statement on %s", self.target, exc_info=True)
        if not reached:
            with self._cancel_lock:
                self._interrupted = False

    def _interrupt(self, handle: Any) -> None:  # noqa: B027 - optional hook
        """Stop the statement running on ``handle``; called from another thread.

        ``handle`` is what the engine passed to :meth:`_cancellable`. The default stops
        nothing on the server: the statement runs to its end (or its timeout), a stream stops
        at its next batch, and the result is dropped.
        """

    @contextmanager
    def _cancellable(self, handle: Any) -> Iterator[None]:
        """Mark a statement (or an open stream) on ``handle`` as in flight for :meth:`cancel`."""
        with self._cancel_lock:
            if not self._in_flight:  # a new statement: an earlier cancel is not carried over
                self._cancel_requested = self._interrupted = False
            self._in_flight.append(handle)
        try:
            yield
        finally:
            with self._cancel_lock:
                self._in_flight.remove(handle)

    def _check_cancelled(self) -> None:
        """Raise ``RunCancelled`` when cancel() reached the current statement."""
        if self._cancel_requested:
            raise self._cancelled_error()

    def _cancelled_error(self) -> RunCancelled:
        return RunCancelled(
            f"the statement on {self.target} was cancelled; its result was not kept",
            target=self.target,
        )

    def _failure(self, error: DatareadyError) -> DatareadyError:
        """``error``, or ``RunCancelled`` when the statement failed because it was cancelled."""
        return self._cancelled_error() if self._cancel_requested else error

    # -- helpers for subclasses -----------------------------------------------------------

    def _check_database(self, name: str) -> None:
        """Raise ``SourceNotAllowed`` for a database in :attr:`forbidden_databases`."""
        if name.casefold() in self.forbidden_databases:
            raise SourceNotAllowed(
                f"database {name!r} on {self.target} is dataready's own store and cannot be "
                "read as a source",
                field="database",
            )

    def _not_found(self, *parts: str) -> NotFound:
        name = ".".join(parts)
        return NotFound(
            f"{name} was not found in {self.target}; check the names (case matters) and that "
            "the user may see it",
            asset=name,
        )
