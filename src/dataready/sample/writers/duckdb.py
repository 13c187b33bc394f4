"""DuckDB writer: each table is staged as a CSV file and loaded with one ``COPY``.

DuckDB's ``executemany`` binds row by row and is slow; its CSV reader is fast and needs no
pandas or pyarrow.  NULL is written as ``\\N`` so that empty strings stay empty strings.
DuckDB checks foreign keys on insert and cannot add one to an existing table, so the keys are
declared inline, the tables load in schema order, and the cycle-closing ``staff.store_id``
key is left out.
"""

from __future__ import annotations

import contextlib
import csv
import tempfile
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import ClassVar

import duckdb

from dataready.errors import ConfigError, ConnectionFailed
from dataready.sample.ddl import FkMode
from dataready.sample.schema import TABLE_NAMES, Table
from dataready.sample.writers.base import Row, SampleWriter

_NULL = "\\N"


def _csv_value(value: object) -> object:
    if value is None:
        return _NULL
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


class DuckdbWriter(SampleWriter):
    """Writes the sample into a DuckDB file."""

    dialect: ClassVar[str] = "duckdb"
    fk_mode: ClassVar[FkMode] = FkMode.INLINE
    inline_cyclic: ClassVar[bool] = False
    driver_errors: ClassVar[tuple[type[Exception], ...]] = (duckdb.Error,)

    _conn: duckdb.DuckDBPyConnection | None = None
    _staging: tempfile.TemporaryDirectory[str] | None = None

    def open(self) -> None:
        """Open (or create) the database file and start the load transaction."""
        path = self.target.database
        if path != ":memory:" and not Path(path).parent.is_dir():
            raise ConfigError(
                f"cannot create {path}: the folder {Path(path).parent} does not exist",
                path=path,
            )
        try:
            conn = duckdb.connect(path)
            conn.execute("BEGIN TRANSACTION")
        except duckdb.Error as exc:
            raise ConnectionFailed(
                f"cannot open DuckDB database {path}: {exc}; check the path is a writable "
                "DuckDB file that no other process holds open",
                target=self.target.redacted(),
            ) from exc
        self._conn = conn
        self._staging = tempfile.TemporaryDirectory(prefix="dataready-sample-")

    @property
    def conn(self) -> duckdb.DuckDBPyConnection:
        """The open connection."""
        if self._conn is None:
            raise RuntimeError("writer is not open")
        return self._conn

    def close(self) -> None:
        """Roll back anything uncommitted, close and remove the staging files."""
        if self._conn is not None:
            # After a successful load there is nothing to roll back and DuckDB says so.
            with contextlib.suppress(duckdb.Error):
                self._conn.execute("ROLLBACK")
            self._conn.close()
            self._conn = None
        if self._staging is not None:
            self._staging.cleanup()
            self._staging = None

    def execute(self, statement: str) -> None:
        """Run one statement in the load transaction."""
        self.conn.execute(statement)

    def existing_tables(self) -> list[str]:
        """Return the sample tables present in the current schema."""
        rows = self.conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        ).fetchall()
        found = {str(r[0]) for r in rows}
        return [name for name in TABLE_NAMES if name in found]

    def load(self, table: Table, batches: Iterable[list[Row]]) -> int:
        """Stage the rows as CSV, then ``COPY`` the file into the table."""
        if self._staging is None:
            raise RuntimeError("writer is not open")
        path = Path(self._staging.name) / f"{table.name}.csv"
        total = 0
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            for batch in batches:
                writer.writerows([_csv_value(v) for v in row] for row in batch)
                total += len(batch)
        literal = str(path).replace("'", "''")
        self.conn.execute(
            f"COPY {table.name} FROM '{literal}' (FORMAT csv, HEADER false, DELIMITER ',', "
            f"QUOTE '\"', ESCAPE '\"', NULLSTR '{_NULL}', AUTO_DETECT false)"
        )
        path.unlink()
        return total

    def commit(self) -> None:
        """Commit the load transaction."""
        self.conn.execute("COMMIT")
