"""Real data: the Sakila (dvdrental) tables get the tags a data steward would give them.

Reads the PostgreSQL data dump in ``shared/datasets/sakila`` (skipped when it is not there),
takes up to 1,000 values per column and classifies every column of the tables below.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dataready.analysis.pii import ColumnEvidence, classify_column

DUMP = (
    Path(__file__).resolve().parents[3].parent / "shared/datasets/sakila/postgres-sakila-data.sql"
)

# Type families of the columns read (from the Sakila DDL).
FAMILIES = {
    "customer_id": "integer", "store_id": "integer", "address_id": "integer",
    "activebool": "boolean", "create_date": "date", "last_update": "timestamp",
    "active": "integer", "staff_id": "integer", "picture": "binary", "city_id": "integer",
    "country_id": "integer", "film_id": "integer", "release_year": "integer",
    "language_id": "integer", "original_language_id": "integer", "rental_duration": "integer",
    "rental_rate": "decimal", "length": "integer", "replacement_cost": "decimal",
    "special_features": "array", "fulltext": "other", "category_id": "integer",
    "payment_id": "integer", "rental_id": "integer", "amount": "decimal",
    "payment_date": "timestamp", "actor_id": "integer",
}  # fmt: skip

EXPECTED: dict[str, dict[str, str]] = {
    "customer": {"first_name": "FirstName", "last_name": "LastName", "email": "Email"},
    "staff": {
        "first_name": "FirstName",
        "last_name": "LastName",
        "email": "Email",
        "username": "Username",
        "password": "Secret",
    },
    "address": {"address": "StreetAddress", "postal_code": "PostalCode"},
    "city": {"city": "City"},
    "country": {"country": "Country"},
    "actor": {"first_name": "FirstName", "last_name": "LastName"},
    "film": {},
    "category": {},
    "language": {},
    "payment": {},
}


def read_table(table: str, limit: int = 1000) -> Iterator[tuple[str, list[str | None]]]:
    lines = iter(DUMP.read_text(encoding="utf-8").splitlines())
    header = f"COPY public.{table} ("
    for line in lines:
        if line.startswith(header):
            names = line[len(header) : line.index(")")].split(", ")
            break
    else:
        raise AssertionError(f"{table} not in the dump")
    rows: list[list[str | None]] = []
    for line in lines:
        if line == "\\.":
            break
        if len(rows) < limit:
            rows.append([None if v == "\\N" else v for v in line.split("\t")])
    for i, name in enumerate(names):
        yield name, [row[i] for row in rows]


@pytest.mark.skipif(not DUMP.exists(), reason="the shared Sakila dump is not present")
@pytest.mark.parametrize("table", sorted(EXPECTED))
def test_sakila_table(table: str) -> None:
    got: dict[str, str] = {}
    for column, values in read_table(table):
        family = FAMILIES.get(column, "string")
        result = classify_column(ColumnEvidence(column, table, "", family, values))
        if result.top is not None:
            got[column] = result.top.value
    assert got == EXPECTED[table]
