"""Pure description of the dataready sample database (the DVD-rental schema).

The fifteen tables, their columns, primary keys and foreign keys mirror the PostgreSQL
"dvdrental"/Sakila sample database, so anything a user knows about that database holds here.
The description is engine-neutral: :mod:`dataready.sample.ddl` renders it per dialect.

Deliberate differences from the original, each one so the sample loads everywhere or can
carry the documented quality faults (see :mod:`dataready.sample.faults`):

* ``film.rating`` is a ``VARCHAR(5)`` holding the MPAA values instead of an enum type;
  ``film.special_features`` is text (comma-separated) instead of ``text[]``; the
  ``film.fulltext`` tsvector column is left out.
* Keys are plain integers loaded explicitly (no sequences / auto-increment).
* ``address.phone`` is nullable (the NULL-phone fault) and ``payment.amount`` is
  ``NUMERIC(8, 2)`` instead of ``NUMERIC(5, 2)`` (the ``> 1000`` amount fault).
* ``payment.rental_id -> rental.rental_id`` is a *logical* relationship that is not declared
  as a constraint (``declared=False``): it carries the orphaned-key fault, and every engine
  accepts the orphans without switching constraint checks off.
* ``staff.store_id -> store.store_id`` closes a cycle with ``store.manager_staff_id ->
  staff.staff_id``; it is marked ``cyclic=True`` so engines that cannot add a constraint
  after creating the table (DuckDB) leave it out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ColumnType(StrEnum):
    """Portable column types; the DDL renderer maps each one to a dialect type."""

    INTEGER = "integer"
    SMALLINT = "smallint"
    VARCHAR = "varchar"
    CHAR = "char"
    TEXT = "text"
    NUMERIC = "numeric"
    BOOLEAN = "boolean"
    DATE = "date"
    TIMESTAMP = "timestamp"
    BLOB = "blob"


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a sample table.

    Attributes:
        name: Column name, identical to the original schema.
        type: Portable type.
        nullable: Whether NULL is allowed.
        length: Length for ``VARCHAR``/``CHAR``.
        precision: Precision for ``NUMERIC``.
        scale: Scale for ``NUMERIC``.
    """

    name: str
    type: ColumnType
    nullable: bool = False
    length: int | None = None
    precision: int | None = None
    scale: int | None = None


@dataclass(frozen=True, slots=True)
class ForeignKey:
    """A relationship from ``table.columns`` to ``ref_table.ref_columns``.

    Attributes:
        columns: Referencing columns.
        ref_table: Referenced table.
        ref_columns: Referenced columns.
        declared: False for a logical relationship that is not created as a constraint.
        cyclic: True when the constraint closes a cycle between tables.
    """

    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]
    declared: bool = True
    cyclic: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    """A sample table: columns in load order, primary key and foreign keys."""

    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = field(default=())

    @property
    def column_names(self) -> tuple[str, ...]:
        """Column names in the order rows are generated."""
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        """Return the column called ``name``.

        Raises:
            KeyError: If the table has no such column.
        """
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.name} has no column {name!r}")


def _int(name: str, *, nullable: bool = False) -> Column:
    return Column(name, ColumnType.INTEGER, nullable)


def _small(name: str, *, nullable: bool = False) -> Column:
    return Column(name, ColumnType.SMALLINT, nullable)


def _vchar(name: str, length: int, *, nullable: bool = False) -> Column:
    return Column(name, ColumnType.VARCHAR, nullable, length=length)


def _num(name: str, precision: int, scale: int) -> Column:
    return Column(name, ColumnType.NUMERIC, precision=precision, scale=scale)


def _ts(name: str, *, nullable: bool = False) -> Column:
    return Column(name, ColumnType.TIMESTAMP, nullable)


def _fk(column: str, ref_table: str, *, declared: bool = True, cyclic: bool = False) -> ForeignKey:
    return ForeignKey((column,), ref_table, (column,), declared=declared, cyclic=cyclic)


_LAST_UPDATE = _ts("last_update")

# Tables are listed in an order where every declared, non-cyclic foreign key points backwards,
# so creating and loading them in this order satisfies engines that check keys on insert.
TABLES: tuple[Table, ...] = (
    Table(
        "country",
        (_int("country_id"), _vchar("country", 50), _LAST_UPDATE),
        ("country_id",),
    ),
    Table(
        "city",
        (_int("city_id"), _vchar("city", 50), _int("country_id"), _LAST_UPDATE),
        ("city_id",),
        (_fk("country_id", "country"),),
    ),
    Table(
        "address",
        (
            _int("address_id"),
            _vchar("address", 50),
            _vchar("address2", 50, nullable=True),
            _vchar("district", 20),
            _int("city_id"),
            _vchar("postal_code", 10, nullable=True),
            _vchar("phone", 20, nullable=True),
            _LAST_UPDATE,
        ),
        ("address_id",),
        (_fk("city_id", "city"),),
    ),
    Table(
        "language",
        (_int("language_id"), Column("name", ColumnType.CHAR, length=20), _LAST_UPDATE),
        ("language_id",),
    ),
    Table(
        "category",
        (_int("category_id"), _vchar("name", 25), _LAST_UPDATE),
        ("category_id",),
    ),
    Table(
        "actor",
        (_int("actor_id"), _vchar("first_name", 45), _vchar("last_name", 45), _LAST_UPDATE),
        ("actor_id",),
    ),
    Table(
        "film",
        (
            _int("film_id"),
            _vchar("title", 255),
            Column("description", ColumnType.TEXT, nullable=True),
            _int("release_year", nullable=True),
            _int("language_id"),
            _int("original_language_id", nullable=True),
            _small("rental_duration"),
            _num("rental_rate", 4, 2),
            _small("length", nullable=True),
            _num("replacement_cost", 5, 2),
            _vchar("rating", 5, nullable=True),
            _LAST_UPDATE,
            Column("special_features", ColumnType.TEXT, nullable=True),
        ),
        ("film_id",),
        (
            _fk("language_id", "language"),
            ForeignKey(("original_language_id",), "language", ("language_id",)),
        ),
    ),
    Table(
        "film_actor",
        (_int("actor_id"), _int("film_id"), _LAST_UPDATE),
        ("actor_id", "film_id"),
        (_fk("actor_id", "actor"), _fk("film_id", "film")),
    ),
    Table(
        "film_category",
        (_int("film_id"), _int("category_id"), _LAST_UPDATE),
        ("film_id", "category_id"),
        (_fk("film_id", "film"), _fk("category_id", "category")),
    ),
    Table(
        "staff",
        (
            _int("staff_id"),
            _vchar("first_name", 45),
            _vchar("last_name", 45),
            _int("address_id"),
            _vchar("email", 50, nullable=True),
            _int("store_id"),
            Column("active", ColumnType.BOOLEAN),
            _vchar("username", 16),
            _vchar("password", 40, nullable=True),
            _LAST_UPDATE,
            Column("picture", ColumnType.BLOB, nullable=True),
        ),
        ("staff_id",),
        (_fk("address_id", "address"), _fk("store_id", "store", cyclic=True)),
    ),
    Table(
        "store",
        (_int("store_id"), _int("manager_staff_id"), _int("address_id"), _LAST_UPDATE),
        ("store_id",),
        (
            ForeignKey(("manager_staff_id",), "staff", ("staff_id",)),
            _fk("address_id", "address"),
        ),
    ),
    Table(
        "customer",
        (
            _int("customer_id"),
            _int("store_id"),
            _vchar("first_name", 45),
            _vchar("last_name", 45),
            _vchar("email", 50, nullable=True),
            _int("address_id"),
            Column("activebool", ColumnType.BOOLEAN),
            Column("create_date", ColumnType.DATE),
            _ts("last_update", nullable=True),
            _int("active", nullable=True),
        ),
        ("customer_id",),
        (_fk("address_id", "address"), _fk("store_id", "store")),
    ),
    Table(
        "inventory",
        (_int("inventory_id"), _int("film_id"), _int("store_id"), _LAST_UPDATE),
        ("inventory_id",),
        (_fk("film_id", "film"), _fk("store_id", "store")),
    ),
    Table(
        "rental",
        (
            _int("rental_id"),
            _ts("rental_date"),
            _int("inventory_id"),
            _int("customer_id"),
            _ts("return_date", nullable=True),
            _int("staff_id"),
            _LAST_UPDATE,
        ),
        ("rental_id",),
        (
            _fk("inventory_id", "inventory"),
            _fk("customer_id", "customer"),
            _fk("staff_id", "staff"),
        ),
    ),
    Table(
        "payment",
        (
            _int("payment_id"),
            _int("customer_id"),
            _int("staff_id"),
            _int("rental_id"),
            _num("amount", 8, 2),
            _ts("payment_date"),
        ),
        ("payment_id",),
        (
            _fk("customer_id", "customer"),
            _fk("staff_id", "staff"),
            _fk("rental_id", "rental", declared=False),
        ),
    ),
)

TABLE_NAMES: tuple[str, ...] = tuple(t.name for t in TABLES)


def get_table(name: str) -> Table:
    """Return the sample table called ``name``.

    Raises:
        KeyError: If there is no such sample table.
    """
    for table in TABLES:
        if table.name == name:
            return table
    raise KeyError(f"no sample table {name!r}; known: {', '.join(TABLE_NAMES)}")
