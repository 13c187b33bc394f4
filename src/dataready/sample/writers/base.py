"""The interface every sample writer implements.

A writer owns one connection to one target and a transaction where the engine has them.  The
generator drives it: :meth:`open`, :meth:`existing_tables`, optionally :meth:`drop_tables`,
:meth:`create_tables`, :meth:`load` once per table in schema order, :meth:`finish`, and
:meth:`close` whatever happened.  Dialect differences are declarative class attributes.
Driver exceptions are translated at this edge: connecting raises
:class:`~dataready.errors.ConnectionFailed`, statements raise
:class:`~dataready.errors.QueryFailed`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import ClassVar

from dataready.errors import QueryFailed
from dataready.sample.ddl import FkMode, create_table_statements, foreign_key_statements
from dataready.sample.schema import TABLE_NAMES, Table
from dataready.sample.target import Target

Row = tuple[object, ...]


class SampleWriter(ABC):
    """Writes the sample tables into one target database.

    Attributes:
        dialect: DDL dialect name (see :mod:`dataready.sample.ddl`).
        fk_mode: Whether foreign keys are created with the tables or after the load.
        inline_cyclic: With inline keys, whether the cycle-closing key can be created.
        driver_errors: Exceptions of the driver that statements may raise.
    """

    dialect: ClassVar[str]
    fk_mode: ClassVar[FkMode] = FkMode.INLINE
    inline_cyclic: ClassVar[bool] = True
    driver_errors: ClassVar[tuple[type[Exception], ...]] = ()

    def __init__(self, target: Target) -> None:
        self.target = target

    @abstractmethod
    def open(self) -> None:
        """Connect, creating the database first where the engine has databases.

        Raises:
            ConnectionFailed: If the server cannot be reached or refuses the login.
        """

    @abstractmethod
    def close(self) -> None:
        """Close the connection, rolling back anything not finished."""

    @abstractmethod
    def execute(self, statement: str) -> None:
        """Run one statement inside the load transaction."""

    @abstractmethod
    def existing_tables(self) -> list[str]:
        """Return the sample table names that already exist in the target."""

    @abstractmethod
    def load(self, table: Table, batches: Iterable[list[Row]]) -> int:
        """Insert every row of ``batches`` into ``table`` and return the row count."""

    @abstractmethod
    def commit(self) -> None:
        """Make the load durable."""

    def drop_tables(self, names: Iterable[str]) -> None:
        """Drop the named sample tables, dependents first."""
        wanted = set(names)
        for name in reversed(TABLE_NAMES):
            if name in wanted:
                self.execute(f"DROP TABLE IF EXISTS {name}")

    def create_tables(self) -> None:
        """Create every sample table with its primary key (and inline foreign keys)."""
        for statement in create_table_statements(
            self.dialect, fk_mode=self.fk_mode, inline_cyclic=self.inline_cyclic
        ):
            self.execute(statement)

    def finish(self) -> None:
        """Add the foreign keys that wait for the data, then commit."""
        if self.fk_mode is FkMode.AFTER_LOAD:
            for statement in foreign_key_statements(self.dialect):
                self.execute(statement)
        self.commit()

    @contextmanager
    def translate_errors(self, action: str) -> Iterator[None]:
        """Turn driver errors raised while doing ``action`` into ``QueryFailed``."""
        try:
            yield
        except self.driver_errors as exc:
            raise QueryFailed(
                f"{action} failed on {self.target.redacted()}: {exc}",
                target=self.target.redacted(),
            ) from exc

    def __enter__(self) -> SampleWriter:
        self.open()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
