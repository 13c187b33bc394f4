"""Render the sample schema as DDL for one SQL dialect.

The pure description in :mod:`dataready.sample.schema` becomes a SQLAlchemy Core
:class:`~sqlalchemy.MetaData`, and each statement is compiled with the dialect's own compiler,
so quoting and type names are the engine's.  Nothing here executes: writers send the strings.

Foreign keys are rendered in one of two ways (:class:`FkMode`):

* ``INLINE``: inside ``CREATE TABLE`` (SQLite, which cannot add constraints later, and MySQL,
  whose load switches ``foreign_key_checks`` off).  ``inline_cyclic=False`` leaves out the
  cycle-closing constraint for engines that check references at creation time (DuckDB).
* ``AFTER_LOAD``: ``CREATE TABLE`` carries the primary key only and the foreign keys come as
  ``ALTER TABLE ... ADD CONSTRAINT`` statements, run once the data is in (PostgreSQL: one
  validation pass per constraint is far cheaper than a check per inserted row).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.schema import AddConstraint, CreateTable

from dataready.errors import ConfigError
from dataready.sample.schema import TABLES, ColumnType


class FkMode(StrEnum):
    """Where foreign-key constraints go in the rendered DDL."""

    INLINE = "inline"
    AFTER_LOAD = "after_load"


def _dialect(name: str) -> Dialect:
    """Return the SQLAlchemy dialect used to compile DDL for ``name``.

    DuckDB speaks PostgreSQL DDL for everything the sample uses, so it borrows that compiler.
    """
    from sqlalchemy.dialects import mysql, sqlite
    from sqlalchemy.dialects.postgresql.base import PGDialect

    dialects: dict[str, Dialect] = {
        "postgresql": PGDialect(),  # type: ignore[no-untyped-call]  # untyped in SQLAlchemy
        "duckdb": PGDialect(),  # type: ignore[no-untyped-call]
        "mysql": mysql.dialect(),
        "sqlite": sqlite.dialect(),
    }
    try:
        return dialects[name]
    except KeyError:
        known = ", ".join(sorted(dialects))
        raise ConfigError(f"no DDL dialect {name!r}; known: {known}", dialect=name) from None


def _sa_type(
    col_type: ColumnType, length: int | None, precision: int | None, scale: int | None
) -> sa.types.TypeEngine[Any]:
    match col_type:
        case ColumnType.INTEGER:
            return sa.Integer()
        case ColumnType.SMALLINT:
            return sa.SmallInteger()
        case ColumnType.VARCHAR:
            return sa.String(length)
        case ColumnType.CHAR:
            return sa.CHAR(length)
        case ColumnType.TEXT:
            return sa.Text()
        case ColumnType.NUMERIC:
            return sa.Numeric(precision, scale, asdecimal=True)
        case ColumnType.BOOLEAN:
            return sa.Boolean(create_constraint=False)
        case ColumnType.DATE:
            return sa.Date()
        case ColumnType.TIMESTAMP:
            return sa.DateTime(timezone=False)
        case ColumnType.BLOB:
            return sa.LargeBinary()


def build_metadata(*, include_cyclic: bool = True) -> sa.MetaData:
    """Build SQLAlchemy Core tables for the sample schema.

    Args:
        include_cyclic: Whether to include the cycle-closing foreign key.

    Returns:
        A metadata object holding the fifteen sample tables with primary and foreign keys.
        Undeclared (logical) relationships are not part of it.
    """
    metadata = sa.MetaData()
    for table in TABLES:
        columns = [
            sa.Column(
                col.name,
                _sa_type(col.type, col.length, col.precision, col.scale),
                nullable=col.nullable,
                autoincrement=False,
            )
            for col in table.columns
        ]
        constraints: list[sa.schema.SchemaItem] = [
            sa.PrimaryKeyConstraint(*table.primary_key, name=f"{table.name}_pkey")
        ]
        for fk in table.foreign_keys:
            if not fk.declared or (fk.cyclic and not include_cyclic):
                continue
            constraints.append(
                sa.ForeignKeyConstraint(
                    list(fk.columns),
                    [f"{fk.ref_table}.{c}" for c in fk.ref_columns],
                    name=f"{table.name}_{'_'.join(fk.columns)}_fkey",
                )
            )
        sa.Table(table.name, metadata, *columns, *constraints)
    return metadata


def create_table_statements(
    dialect: str, *, fk_mode: FkMode, inline_cyclic: bool = True
) -> list[str]:
    """Return one ``CREATE TABLE`` statement per sample table, in load order.

    Args:
        dialect: ``postgresql``, ``mysql``, ``sqlite`` or ``duckdb``.
        fk_mode: Whether foreign keys go inline or come later from
            :func:`foreign_key_statements`.
        inline_cyclic: With ``INLINE``, whether to keep the cycle-closing constraint.
    """
    compiler = _dialect(dialect)
    metadata = build_metadata(include_cyclic=inline_cyclic or fk_mode is FkMode.AFTER_LOAD)
    statements = []
    for table in TABLES:
        sa_table = metadata.tables[table.name]
        include: list[sa.ForeignKeyConstraint] | None = None if fk_mode is FkMode.INLINE else []
        ddl = CreateTable(sa_table, include_foreign_key_constraints=include)
        statements.append(str(ddl.compile(dialect=compiler)).strip())
    return statements


def foreign_key_statements(dialect: str) -> list[str]:
    """Return ``ALTER TABLE ... ADD CONSTRAINT`` statements for every declared foreign key."""
    compiler = _dialect(dialect)
    metadata = build_metadata()
    statements = []
    for table in TABLES:
        for constraint in sorted(
            metadata.tables[table.name].foreign_key_constraints, key=lambda c: str(c.name)
        ):
            statements.append(str(AddConstraint(constraint).compile(dialect=compiler)).strip())
    return statements
