"""The exact uniqueness check of key candidates: one statement per table.

``SELECT COUNT(*), COUNT(a), COUNT(DISTINCT a), COUNT(b), COUNT(DISTINCT b) … FROM t``
answers, for the few columns a profile singled out as near-unique, whether each is a key: no
nulls and as many distinct values as rows. ``COUNT(DISTINCT)`` compares with the column's own
equality (its collation), the equality a ``UNIQUE`` constraint would enforce. Pure: the
workflow sends the statement through the connector, under its statement timeout.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dataready.sql.quoting import quote_identifier


@dataclass(frozen=True, slots=True)
class ColumnCounts:
    """One column's exact counts over the whole table."""

    rows: int
    non_null: int
    distinct: int

    @property
    def unique(self) -> bool:
        """No nulls, and every value different."""
        return self.rows > 0 and self.non_null == self.rows and self.distinct == self.rows


@dataclass(frozen=True, slots=True)
class UniquenessStatement:
    sql: str
    columns: tuple[str, ...]

    def read(self, row: Sequence[Any]) -> dict[str, ColumnCounts]:
        """The counts per column from the statement's single result row."""
        rows = int(row[0] or 0)
        return {
            name: ColumnCounts(rows, int(row[1 + 2 * i] or 0), int(row[2 + 2 * i] or 0))
            for i, name in enumerate(self.columns)
        }


def uniqueness_statement(
    dialect: str, table_sql: str, columns: Sequence[str]
) -> UniquenessStatement:
    """``COUNT(*)`` and, per column, ``COUNT(col)`` and ``COUNT(DISTINCT col)`` in one scan.

    Args:
        dialect: the SQLAlchemy dialect name (for quoting).
        table_sql: the quoted, qualified table name.
        columns: the candidate columns (at least one).
    """
    if not columns:
        raise ValueError("uniqueness_statement needs at least one column")
    items = ["COUNT(*)"]
    for name in columns:
        quoted = quote_identifier(name, dialect)
        items += [f"COUNT({quoted})", f"COUNT(DISTINCT {quoted})"]
    return UniquenessStatement(f"SELECT {', '.join(items)} FROM {table_sql}", tuple(columns))
