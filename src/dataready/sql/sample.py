"""Bounded sample queries."""

from __future__ import annotations

from collections.abc import Sequence

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
