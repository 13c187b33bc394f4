"""Sample writers, one per target engine, in an explicit registry.

Built-in writers register through :func:`register_writer`, the same function a plugin would
call; :func:`writer_for` looks a target's dialect up and names the known ones when it fails.
"""

from __future__ import annotations

from dataready.errors import UnknownName
from dataready.sample.target import Target
from dataready.sample.writers.base import SampleWriter
from dataready.sample.writers.duckdb import DuckdbWriter
from dataready.sample.writers.mysql import MysqlWriter
from dataready.sample.writers.postgres import PostgresWriter
from dataready.sample.writers.sqlite import SqliteWriter

WRITERS: dict[str, type[SampleWriter]] = {}


def register_writer(dialect: str, writer: type[SampleWriter]) -> None:
    """Register ``writer`` for targets of ``dialect``."""
    WRITERS[dialect] = writer


def writer_for(target: Target) -> SampleWriter:
    """Return a new, unopened writer for ``target``.

    Raises:
        UnknownName: If no writer is registered for the target's dialect.
    """
    try:
        cls = WRITERS[target.dialect]
    except KeyError:
        known = ", ".join(sorted(WRITERS))
        raise UnknownName(
            f"no sample writer for {target.dialect!r}; known: {known}", dialect=target.dialect
        ) from None
    return cls(target)


def _register_builtins() -> None:
    register_writer("sqlite", SqliteWriter)
    register_writer("postgresql", PostgresWriter)
    register_writer("mysql", MysqlWriter)
    register_writer("duckdb", DuckdbWriter)


_register_builtins()

__all__ = ["WRITERS", "SampleWriter", "register_writer", "writer_for"]
