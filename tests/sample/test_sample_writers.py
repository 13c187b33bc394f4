"""Round trips into SQLite, DuckDB, PostgreSQL and MariaDB, read back with SQL.

Each target gets the sample at a small scale; the test reads back every table's row count,
finds each documented fault with plain SQL, and checks the replace / already-exists rules.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import psycopg
import pytest

from dataready.errors import AlreadyExists
from dataready.sample import TABLE_NAMES, SampleReport, expected_faults, generate_sample
from dataready.sample.target import parse_target

from .conftest import mysql_admin

SCALE = 0.05
Query = Callable[[str], list[tuple[Any, ...]]]
VALID_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

FAULT_SQL = {
    "customer_email_null": "SELECT COUNT(*) FROM customer WHERE email IS NULL",
    "customer_duplicate": (
        "SELECT COUNT(*) FROM (SELECT first_name, last_name, email FROM customer "
        "WHERE email IS NOT NULL GROUP BY first_name, last_name, email HAVING COUNT(*) > 1) d"
    ),
    "address_phone_null": "SELECT COUNT(*) FROM address WHERE phone IS NULL",
    "address_district_blank": "SELECT COUNT(*) FROM address WHERE district = ''",
    # LIKE, not TRIM(...) = '': MySQL compares strings ignoring trailing spaces.
    "address_postal_code_blank": "SELECT COUNT(*) FROM address WHERE postal_code LIKE ' %'",
    "payment_amount_negative": "SELECT COUNT(*) FROM payment WHERE amount < 0",
    "payment_amount_too_large": "SELECT COUNT(*) FROM payment WHERE amount > 1000",
    "payment_rental_orphan": (
        "SELECT COUNT(*) FROM payment p LEFT JOIN rental r ON p.rental_id = r.rental_id "
        "WHERE r.rental_id IS NULL"
    ),
    "payment_date_future": "SELECT COUNT(*) FROM payment WHERE payment_date > '2030-01-01'",
}


def check_round_trip(report: SampleReport, query: Query) -> None:
    """Counts, faults and integrity of a loaded sample, read back through ``query``."""
    assert list(report.rows) == list(TABLE_NAMES)
    for table in TABLE_NAMES:
        assert query(f"SELECT COUNT(*) FROM {table}") == [(report.rows[table],)], table
    found = {name: query(sql)[0][0] for name, sql in FAULT_SQL.items()}
    emails = [row[0] for row in query("SELECT email FROM customer WHERE email IS NOT NULL")]
    found["customer_email_malformed"] = sum(not VALID_EMAIL.fullmatch(e) for e in emails)
    expected = {f.fault.name: f.count for f in expected_faults(SCALE)}
    assert found == expected
    assert {f.fault.name: f.count for f in report.faults} == expected
    # Declared keys hold: no rental without its inventory item, customer or staff member.
    assert query(
        "SELECT COUNT(*) FROM rental r LEFT JOIN inventory i ON r.inventory_id = i.inventory_id "
        "LEFT JOIN customer c ON r.customer_id = c.customer_id "
        "WHERE i.inventory_id IS NULL OR c.customer_id IS NULL"
    ) == [(0,)]
    assert report.seconds > 0 and report.rows_per_second > 0


def _generate(url: str, progress: list[tuple[str, int, int]] | None = None) -> SampleReport:
    def record(table: str, done: int, total: int) -> None:
        if progress is not None:
            progress.append((table, done, total))

    return generate_sample(url, scale=SCALE, seed=11, progress=record)


def check_replace_rules(url: str) -> None:
    """A second run fails without ``replace`` and rebuilds the same sample with it."""
    with pytest.raises(AlreadyExists, match="replace=True"):
        _generate(url)
    again = generate_sample(url, scale=SCALE, seed=11, replace=True)
    assert again.rows == generate_sample(url, scale=SCALE, seed=11, replace=True).rows


@contextmanager
def sqlite_query(path: Path) -> Iterator[Query]:
    conn = sqlite3.connect(path)
    try:
        yield lambda sql: conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_sqlite_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "sample.db"
    progress: list[tuple[str, int, int]] = []
    report = _generate(f"sqlite:///{path}", progress)
    assert ("payment", report.rows["payment"], report.rows["payment"]) in progress
    with sqlite_query(path) as query:
        check_round_trip(report, query)
        assert query("PRAGMA foreign_key_check") == []
    check_replace_rules(f"sqlite:///{path}")


def test_duckdb_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "sample.duckdb"
    report = _generate(f"duckdb:///{path}")
    conn = duckdb.connect(str(path))
    try:
        check_round_trip(report, lambda sql: conn.execute(sql).fetchall())
        blank = conn.execute("SELECT COUNT(*) FROM address WHERE district IS NULL").fetchone()
        assert blank == (0,)  # blank strings stay blank, not NULL
    finally:
        conn.close()
    check_replace_rules(f"duckdb:///{path}")


@pytest.mark.postgres
def test_postgres_round_trip_creates_the_database(pg_sample_url: str) -> None:
    report = _generate(pg_sample_url)
    with psycopg.connect(pg_sample_url) as conn:
        check_round_trip(report, lambda sql: conn.execute(sql.encode()).fetchall())
        constraints = conn.execute(
            "SELECT COUNT(*) FROM information_schema.table_constraints "
            "WHERE constraint_type = 'FOREIGN KEY' AND table_schema = 'public'"
        ).fetchone()
        assert constraints == (21,)
    check_replace_rules(pg_sample_url)


@pytest.mark.mysql
def test_mysql_round_trip_creates_the_database(mysql_sample_url: str) -> None:
    report = _generate(mysql_sample_url)
    conn = mysql_admin(parse_target(mysql_sample_url).database)
    try:
        with conn.cursor() as cur:

            def query(sql: str) -> list[tuple[Any, ...]]:
                cur.execute(sql)
                return [tuple(r) for r in cur.fetchall()]

            check_round_trip(report, query)
            assert query(
                "SELECT COUNT(*) FROM information_schema.referential_constraints "
                "WHERE constraint_schema = DATABASE()"
            ) == [(21,)]
    finally:
        conn.close()
    check_replace_rules(mysql_sample_url)
