"""Bounded sample queries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import column, literal_column, quoted_name, select, table
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.expression import ColumnClause

from dataready.sql.quoting import qualify, quote_identifier


def sample_query(
    table_parts: Sequence[str | None],
    columns: Sequence[str] | None,
    limit: int,
    *,
    dialect: str,
) -> str:
    """``SELECT <cols> FROM <table> LIMIT <n>`` with every name quoted for ``dialect``.

    Args:
        table_parts: the qualified name, outermost first; ``None`` parts are skipped.
        columns: the columns to read; ``None`` or empty for all of them.
        limit: the row bound (a non-negative integer, rendered as a literal).
        dialect: the SQLAlchemy dialect name.
    """
    bound = int(limit)
    if bound < 0:
        raise ValueError("limit must be >= 0")
    projection = ", ".join(quote_identifier(c, dialect) for c in columns) if columns else "*"
    return f"SELECT {projection} FROM {qualify(*table_parts, dialect=dialect)} LIMIT {bound}"


def compile_sample_query(
    dialect: Dialect,
    schema: str | None,
    table_name: str,
    columns: Sequence[str] | None,
    limit: int,
) -> str:
    """The sample statement compiled by a SQLAlchemy dialect (``TOP``/``FETCH FIRST``...).

    Every name is a force-quoted ``quoted_name``: always quoted by the dialect's identifier
    preparer, and never split on dots (SQL Server would read ``a.b`` as database.schema).
    """
    bound = int(limit)
    if bound < 0:
        raise ValueError("limit must be >= 0")
    source = table(quoted_name(table_name, True))
    source.schema = quoted_name(schema, True) if schema else None
    projection: list[ColumnClause[Any]] = [column(quoted_name(c, True)) for c in columns or ()]
    if not projection:
        projection = [literal_column("*")]
    stmt = select(*projection).select_from(source).limit(bound)
    return str(stmt.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
