"""Sources for the tagging-workflow tests: the sample database in SQLite and helpers that
change it behind dataready's back (the tests write the source; dataready never does)."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dataready.sample import generate_sample

SCALE = 0.1
SERVICE = "sample"
SCHEMA = "sample.sample.main"

# The columns a data steward tags in the sample, and with which entity.
EXPECTED_PII: dict[str, str] = {
    "actor.first_name": "FirstName",
    "actor.last_name": "LastName",
    "customer.first_name": "FirstName",
    "customer.last_name": "LastName",
    "customer.email": "Email",
    "staff.first_name": "FirstName",
    "staff.last_name": "LastName",
    "staff.email": "Email",
    "staff.username": "Username",
    "staff.password": "Secret",
    "address.address": "StreetAddress",
    "address.phone": "Phone",
    "address.postal_code": "PostalCode",
    "city.city": "City",
    "country.country": "Country",
}
# The sample's hard negatives: no PII tag on any of these.
HARD_NEGATIVE_NAMES = {"active", "activebool", "rental_rate", "release_year", "amount"}
HARD_NEGATIVE_COLUMNS = {"film.title", "film.description", "payment.amount"}
UNTAGGED_TABLES = {"film", "category", "language", "payment", "film_category", "inventory"}


def make_template(directory: Path, scale: float = SCALE) -> Path:
    path = directory / "sample.db"
    generate_sample(f"sqlite:///{path}", scale=scale)
    return path


def copy_sample(template: Path, directory: Path) -> Path:
    """A private copy of the generated sample (tests change their source)."""
    path = directory / "sample.db"
    shutil.copyfile(template, path)
    return path


def execute(path: Path, script: str, rows: list[tuple[Any, ...]] | None = None) -> None:
    """Change the SOURCE database directly (DDL, or one statement over ``rows``)."""
    con = sqlite3.connect(path)
    try:
        if rows is None:
            con.executescript(script)
        else:
            con.executemany(script, rows)
        con.commit()
    finally:
        con.close()


def column_values(path: Path, table: str) -> dict[str, list[Any]]:
    """Every value of every column of a source table, read straight from the file."""
    con = sqlite3.connect(path)
    try:
        cur = con.execute(f'SELECT * FROM "{table}"')
        names = [d[0] for d in cur.description]
        rows = cur.fetchall()
    finally:
        con.close()
    return {name: [row[i] for row in rows] for i, name in enumerate(names)}


def add_odd_table(path: Path) -> None:
    """A table with JSON, binary and all-null columns next to one real e-mail column."""
    execute(
        path,
        "CREATE TABLE odd (id INTEGER PRIMARY KEY, payload JSON, picture BLOB, "
        "empty_col TEXT, contact_email TEXT)",
    )
    execute(
        path,
        "INSERT INTO odd VALUES (?, ?, ?, ?, ?)",
        [
            (i, f'{{"k": {i}, "mail": "p{i}@example.org"}}', bytes([i, 0, 255]), None, None)
            for i in range(1, 41)
        ],
    )
    execute(path, "UPDATE odd SET contact_email = 'person' || id || '@example.org'")


def strings(doc: Any) -> Iterator[str]:
    """Every string (keys and values) inside a JSON-like document; numbers are figures."""
    if isinstance(doc, str):
        yield doc
    elif isinstance(doc, dict):
        for key, value in doc.items():
            yield str(key)
            yield from strings(value)
    elif isinstance(doc, list | tuple):
        for item in doc:
            yield from strings(item)


def leaked_values(evidence: dict[str, Any], raw: list[Any]) -> list[str]:
    """Raw text values found in ``evidence``: equal to a string in it, or (for values of six
    characters or more) contained in one."""
    texts = list(strings(evidence))
    values = {v for v in raw if isinstance(v, str) and v.strip()}
    leaks = [t for t in texts if t in values]
    leaks += [v for v in values if len(v) >= 6 for t in texts if v in t]
    return leaks
