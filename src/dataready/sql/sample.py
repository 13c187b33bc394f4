"""Bounded sample queries."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import column, literal_column, select, table
from sqlalchemy.engine import Dialect

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

    Names are always quoted through the dialect's identifier preparer.
    """
    bound = int(limit)
    if bound < 0:
        raise ValueError("limit must be >= 0")
    source = table(table_name, *(column(c, is_literal=False) for c in columns or ()))
    source.schema = schema
    stmt = select(*source.columns) if columns else select(literal_column("*")).select_from(source)
    compiled = stmt.limit(bound).compile(dialect=dialect, compile_kwargs={"literal_binds": True})
    return str(compiled)
