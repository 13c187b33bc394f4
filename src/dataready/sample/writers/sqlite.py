"""SQLite writer: one transaction of ``executemany`` batches with durability PRAGMAs relaxed.

SQLite only checks foreign keys when ``PRAGMA foreign_keys=ON``, which this connection leaves
off, so the keys (including the store/staff cycle) are declared inline.  Dates, timestamps and
decimals are bound as ISO strings and text, which SQLite stores by the columns' affinity.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import ClassVar

from dataready.errors import ConfigError, ConnectionFailed
from dataready.sample.ddl import FkMode
from dataready.sample.schema import TABLE_NAMES, ColumnType, Table
from dataready.sample.writers.base import Row, SampleWriter

_TO_TEXT: frozenset[ColumnType] = frozenset(
    {ColumnType.DATE, ColumnType.TIMESTAMP, ColumnType.NUMERIC}
)


def _text(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | Decimal):
        return str(value)
    return value


def row_converter(table: Table) -> Callable[[Row], Row] | None:
    """Return a function that makes a row bindable, or None when it already is."""
    positions = [i for i, c in enumerate(table.columns) if c.type in _TO_TEXT]
    if not positions:
        return None

    def convert(row: Row) -> Row:
        values = list(row)
        for i in positions:
            values[i] = _text(values[i])
        return tuple(values)

    return convert


class SqliteWriter(SampleWriter):
    """Writes the sample into a SQLite file."""

    dialect: ClassVar[str] = "sqlite"
    fk_mode: ClassVar[FkMode] = FkMode.INLINE
    driver_errors: ClassVar[tuple[type[Exception], ...]] = (sqlite3.Error,)

    _conn: sqlite3.Connection | None = None

    def open(self) -> None:
        """Open (or create) the database file and start the load transaction."""
        path = self.target.database
        if path != ":memory:" and not Path(path).parent.is_dir():
            raise ConfigError(
                f"cannot create {path}: the folder {Path(path).parent} does not exist",
                path=path,
            )
        try:
            conn = sqlite3.connect(path, isolation_level=None)
            conn.execute("PRAGMA synchronous=OFF")
            conn.execute("PRAGMA journal_mode=MEMORY")
            conn.execute("PRAGMA temp_store=MEMORY")
            conn.execute("PRAGMA cache_size=-65536")
            conn.execute("BEGIN")
        except sqlite3.Error as exc:
            raise ConnectionFailed(
                f"cannot open SQLite database {path}: {exc}; check the path is a writable "
                "SQLite file",
                target=self.target.redacted(),
            ) from exc
        self._conn = conn

    @property
    def conn(self) -> sqlite3.Connection:
        """The open connection."""
        if self._conn is None:
            raise RuntimeError("writer is not open")
        return self._conn

    def close(self) -> None:
        """Roll back anything uncommitted and close."""
        if self._conn is not None:
            if self._conn.in_transaction:
                self._conn.rollback()
            self._conn.close()
            self._conn = None

    def execute(self, statement: str) -> None:
        """Run one statement."""
        self.conn.execute(statement)

    def existing_tables(self) -> list[str]:
        """Return the sample tables present in the file."""
        found = {
            r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        return [name for name in TABLE_NAMES if name in found]

    def load(self, table: Table, batches: Iterable[list[Row]]) -> int:
        """Insert the batches with ``executemany``."""
        marks = ", ".join("?" * len(table.columns))
        sql = f"INSERT INTO {table.name} ({', '.join(table.column_names)}) VALUES ({marks})"
        convert = row_converter(table)
        total = 0
        for batch in batches:
            self.conn.executemany(sql, batch if convert is None else map(convert, batch))
            total += len(batch)
        return total

    def commit(self) -> None:
        """Commit the load transaction."""
        self.conn.execute("COMMIT")
