"""MySQL/MariaDB writer: multi-row ``INSERT`` batches (PyMySQL ``executemany``).

Foreign-key and unique checks are switched off for the session while loading, so the keys,
including the store/staff cycle, are declared inline and the tables load in any order.  A
missing database is created (utf8mb4) before use.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

import pymysql
import pymysql.cursors

from dataready.errors import ConnectionFailed
from dataready.sample.ddl import FkMode
from dataready.sample.schema import TABLE_NAMES, Table
from dataready.sample.writers.base import Row, SampleWriter

CONNECT_TIMEOUT_SECONDS = 10


def _quote(identifier: str) -> str:
    return "`" + identifier.replace("`", "``") + "`"


class MysqlWriter(SampleWriter):
    """Writes the sample into a MySQL or MariaDB database."""

    dialect: ClassVar[str] = "mysql"
    fk_mode: ClassVar[FkMode] = FkMode.INLINE
    driver_errors: ClassVar[tuple[type[Exception], ...]] = (pymysql.MySQLError,)

    _conn: pymysql.connections.Connection[pymysql.cursors.Cursor] | None = None

    def open(self) -> None:
        """Connect, create the database if needed and switch key checks off."""
        t = self.target
        try:
            conn = pymysql.connect(
                host=t.host or "127.0.0.1",
                port=t.port or 3306,
                user=t.user or "root",
                password=t.password.get_secret_value() if t.password else "",
                charset="utf8mb4",
                autocommit=False,
                connect_timeout=CONNECT_TIMEOUT_SECONDS,
            )
        except pymysql.MySQLError as exc:
            raise ConnectionFailed(
                f"cannot connect to MySQL/MariaDB at {t.host}:{t.port} as "
                f"{t.user or 'root'}: {exc.args[-1] if exc.args else exc}. Check the server is "
                "running, the host and port, and the user and password in the URL.",
                target=t.redacted(),
            ) from exc
        self._conn = conn
        with self.translate_errors("creating the database"), conn.cursor() as cur:
            cur.execute(
                f"CREATE DATABASE IF NOT EXISTS {_quote(t.database)} "
                "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
            )
            conn.select_db(t.database)
            cur.execute("SET SESSION foreign_key_checks = 0")
            cur.execute("SET SESSION unique_checks = 0")

    @property
    def conn(self) -> pymysql.connections.Connection[pymysql.cursors.Cursor]:
        """The open connection."""
        if self._conn is None:
            raise RuntimeError("writer is not open")
        return self._conn

    def close(self) -> None:
        """Roll back anything uncommitted and close."""
        if self._conn is not None:
            try:
                self._conn.rollback()
            finally:
                self._conn.close()
                self._conn = None

    def execute(self, statement: str) -> None:
        """Run one statement (DDL commits implicitly on MySQL)."""
        with self.conn.cursor() as cur:
            cur.execute(statement)

    def existing_tables(self) -> list[str]:
        """Return the sample tables present in the database."""
        with self.conn.cursor() as cur:
            cur.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
            )
            found = {str(r[0]) for r in cur.fetchall()}
        return [name for name in TABLE_NAMES if name in found]

    def load(self, table: Table, batches: Iterable[list[Row]]) -> int:
        """Insert the batches; PyMySQL folds each ``executemany`` into multi-row INSERTs."""
        columns = ", ".join(_quote(c) for c in table.column_names)
        marks = ", ".join(["%s"] * len(table.columns))
        statement = f"INSERT INTO {_quote(table.name)} ({columns}) VALUES ({marks})"
        total = 0
        with self.conn.cursor() as cur:
            for batch in batches:
                cur.executemany(statement, batch)
                total += len(batch)
        return total

    def commit(self) -> None:
        """Commit and switch key checks back on."""
        self.conn.commit()
        with self.conn.cursor() as cur:
            cur.execute("SET SESSION foreign_key_checks = 1")
            cur.execute("SET SESSION unique_checks = 1")
