"""The sample schema matches the dvdrental/Sakila schema and renders per dialect."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dataready.errors import ConfigError
from dataready.sample import TABLE_NAMES, TABLES
from dataready.sample.ddl import FkMode, create_table_statements, foreign_key_statements
from dataready.sample.schema import get_table

SAKILA_SCHEMA = Path(__file__).parents[3] / "shared/datasets/sakila/postgres-sakila-schema.sql"
# Columns of the original that the sample leaves out on purpose (engine-specific extras).
LEFT_OUT = {("film", "fulltext")}

PRIMARY_KEYS = {
    "film_actor": ("actor_id", "film_id"),
    "film_category": ("film_id", "category_id"),
}
DECLARED_FKS = {
    ("address", "city_id", "city"),
    ("city", "country_id", "country"),
    ("customer", "address_id", "address"),
    ("customer", "store_id", "store"),
    ("film_actor", "actor_id", "actor"),
    ("film_actor", "film_id", "film"),
    ("film_category", "category_id", "category"),
    ("film_category", "film_id", "film"),
    ("film", "language_id", "language"),
    ("film", "original_language_id", "language"),
    ("inventory", "film_id", "film"),
    ("inventory", "store_id", "store"),
    ("payment", "customer_id", "customer"),
    ("payment", "staff_id", "staff"),
    ("rental", "customer_id", "customer"),
    ("rental", "inventory_id", "inventory"),
    ("rental", "staff_id", "staff"),
    ("staff", "address_id", "address"),
    ("staff", "store_id", "store"),
    ("store", "address_id", "address"),
    ("store", "manager_staff_id", "staff"),
}


def _original_columns() -> dict[str, list[str]]:
    text = SAKILA_SCHEMA.read_text()
    tables: dict[str, list[str]] = {}
    for match in re.finditer(r"CREATE TABLE (\w+) \(\n(.*?)\n\);", text, re.S):
        name, body = match.groups()
        columns = [line.strip().split()[0] for line in body.strip().splitlines()]
        tables[name] = [c for c in columns if (name, c) not in LEFT_OUT]
    return tables


@pytest.mark.skipif(not SAKILA_SCHEMA.exists(), reason="the shared Sakila schema is not here")
def test_tables_and_columns_match_the_original() -> None:
    original = _original_columns()
    assert set(TABLE_NAMES) == {t for t in original if not t.startswith("payment_p")}
    for table in TABLES:
        assert list(table.column_names) == original[table.name], table.name


def test_keys_match_the_original() -> None:
    for table in TABLES:
        expected_pk = PRIMARY_KEYS.get(table.name, (f"{table.name}_id",))
        assert table.primary_key == expected_pk
    fks = {(t.name, fk.columns[0], fk.ref_table) for t in TABLES for fk in t.foreign_keys}
    assert fks == DECLARED_FKS | {("payment", "rental_id", "rental")}
    undeclared = [(t.name, fk.columns) for t in TABLES for fk in t.foreign_keys if not fk.declared]
    assert undeclared == [("payment", ("rental_id",))]


def test_declared_keys_point_backwards_except_the_cycle() -> None:
    order = {name: i for i, name in enumerate(TABLE_NAMES)}
    for table in TABLES:
        for fk in table.foreign_keys:
            if fk.declared and not fk.cyclic:
                assert order[fk.ref_table] <= order[table.name], (table.name, fk.ref_table)


def test_postgres_ddl_adds_foreign_keys_after_the_load() -> None:
    creates = create_table_statements("postgresql", fk_mode=FkMode.AFTER_LOAD)
    assert len(creates) == len(TABLES)
    assert not any("FOREIGN KEY" in s for s in creates)
    assert "PRIMARY KEY (actor_id, film_id)" in creates[TABLE_NAMES.index("film_actor")]
    alters = foreign_key_statements("postgresql")
    assert len(alters) == len(DECLARED_FKS)
    assert all(s.startswith("ALTER TABLE") for s in alters)
    assert not any("REFERENCES rental" in s for s in alters)


def test_duckdb_ddl_leaves_the_cycle_out() -> None:
    creates = create_table_statements("duckdb", fk_mode=FkMode.INLINE, inline_cyclic=False)
    staff = creates[TABLE_NAMES.index("staff")]
    assert "REFERENCES address" in staff
    assert "REFERENCES store" not in staff
    mysql = create_table_statements("mysql", fk_mode=FkMode.INLINE)
    assert "REFERENCES store" in mysql[TABLE_NAMES.index("staff")]
    assert "DATETIME" in mysql[TABLE_NAMES.index("rental")]


def test_unknown_dialect_and_table() -> None:
    with pytest.raises(ConfigError, match="known"):
        create_table_statements("oracle", fk_mode=FkMode.INLINE)
    with pytest.raises(KeyError, match="known"):
        get_table("films")
