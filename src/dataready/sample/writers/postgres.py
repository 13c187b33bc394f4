"""PostgreSQL writer: ``COPY ... FROM STDIN`` inside one transaction (psycopg 3).

Tables are created with their primary keys only; the foreign keys are added after the data
is in, one validation scan per constraint instead of a lookup per row.  A missing database is
created first through the ``postgres`` maintenance database.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

import psycopg
from psycopg import sql

from dataready.errors import ConnectionFailed
from dataready.sample.ddl import FkMode
from dataready.sample.schema import TABLE_NAMES, Table
from dataready.sample.writers.base import Row, SampleWriter

MAINTENANCE_DB = "postgres"
CONNECT_TIMEOUT_SECONDS = 10


class PostgresWriter(SampleWriter):
    """Writes the sample into a PostgreSQL database."""

    dialect: ClassVar[str] = "postgresql"
    fk_mode: ClassVar[FkMode] = FkMode.AFTER_LOAD
    driver_errors: ClassVar[tuple[type[Exception], ...]] = (psycopg.Error,)

    _conn: psycopg.Connection[Any] | None = None

    def _connect(self, dbname: str, *, autocommit: bool = False) -> psycopg.Connection[Any]:
        t = self.target
        return psycopg.connect(
            host=t.host,
            port=t.port,
            user=t.user,
            password=t.password.get_secret_value() if t.password else None,
            dbname=dbname,
            autocommit=autocommit,
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            application_name="dataready-sample",
        )

    def _failed(self, exc: Exception) -> ConnectionFailed:
        t = self.target
        return ConnectionFailed(
            f"cannot connect to PostgreSQL at {t.host}:{t.port} as {t.user or 'the default user'}"
            f": {str(exc).strip()}. Check the server is running, the host and port, and the "
            "user and password in the URL.",
            target=t.redacted(),
        )

    def _create_database(self) -> None:
        try:
            with self._connect(MAINTENANCE_DB, autocommit=True) as admin:
                admin.execute(
                    sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.target.database))
                )
        except psycopg.errors.DuplicateDatabase:
            pass  # created concurrently: fine
        except psycopg.Error as exc:
            raise self._failed(exc) from exc

    def open(self) -> None:
        """Connect to the target database, creating it when it does not exist."""
        try:
            self._conn = self._connect(self.target.database)
        except psycopg.OperationalError as exc:
            if f'database "{self.target.database}" does not exist' not in str(exc):
                raise self._failed(exc) from exc
            self._create_database()
            try:
                self._conn = self._connect(self.target.database)
            except psycopg.Error as exc2:
                raise self._failed(exc2) from exc2
        except psycopg.Error as exc:
            raise self._failed(exc) from exc

    @property
    def conn(self) -> psycopg.Connection[Any]:
        """The open connection."""
        if self._conn is None:
            raise RuntimeError("writer is not open")
        return self._conn

    def close(self) -> None:
        """Roll back anything uncommitted and close."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def execute(self, statement: str) -> None:
        """Run one statement in the load transaction."""
        self.conn.execute(statement.encode())

    def existing_tables(self) -> list[str]:
        """Return the sample tables present in the current schema."""
        rows = self.conn.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_name = ANY(%s)",
            (list(TABLE_NAMES),),
        ).fetchall()
        found = {r[0] for r in rows}
        return [name for name in TABLE_NAMES if name in found]

    def drop_tables(self, names: Iterable[str]) -> None:
        """Drop the named tables (and whatever depends on them)."""
        for name in names:
            self.execute(f"DROP TABLE IF EXISTS {name} CASCADE")

    def load(self, table: Table, batches: Iterable[list[Row]]) -> int:
        """Stream the batches through ``COPY FROM STDIN``."""
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, table.column_names))
        )
        total = 0
        with self.conn.cursor() as cur, cur.copy(statement) as copy:
            for batch in batches:
                for row in batch:
                    copy.write_row(row)
                total += len(batch)
        return total

    def commit(self) -> None:
        """Commit the load transaction."""
        self.conn.commit()
