"""``dataready demo`` through the real entry point, at 80 columns: what it says is true.

The demo runs once (module fixture) in a subprocess with ``COLUMNS=80``; each test checks
one promise of the tour against the source database (plain SQL on the generated SQLite
file) and the store the demo wrote.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

import dataready
from dataready.cli.main import app
from dataready.sample.faults import expected_faults
from dataready.settings import get_settings

SCALE = 0.3
WIDTH = 80
SCHEMA = "sample.sample.main"


@dataclass(frozen=True)
class Demo:
    out: str
    data_dir: Path

    @property
    def sample(self) -> Path:
        return self.data_dir / "sources" / "sample.db"

    @property
    def store(self) -> Path:
        return self.data_dir / "dataready.db"


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAREADY_")}
    src = str(Path(dataready.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join([src, *filter(None, [env.get("PYTHONPATH")])])
    env["DATAREADY_DATA_DIR"] = str(data_dir)
    env["COLUMNS"] = str(WIDTH)
    env.pop("LINES", None)
    return env


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    data_dir = tmp_path_factory.mktemp("demo") / "data"
    done = subprocess.run(
        [sys.executable, "-m", "dataready.cli.main", "demo", "--scale", str(SCALE)],
        env=_env(data_dir),
        capture_output=True,
        text=True,
        timeout=280,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return Demo(done.stdout, data_dir)


def _query(path: Path, sql: str) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _column_profile(demo: Demo, table: str, column: str) -> dict[str, Any]:
    (doc,) = _query(
        demo.store,
        f"SELECT profile FROM profiles WHERE table_fqn = '{SCHEMA}.{table}' "
        "ORDER BY profiled_at DESC LIMIT 1",
    )[0]
    columns: list[dict[str, Any]] = json.loads(doc)["columns"]
    return next(c for c in columns if c["name"] == column)


def _rows_of(out: str, *header: str) -> dict[str, str]:
    """The rows of the printed table whose header starts with ``header``, wrapped cells
    joined: first cell → the rest."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.split()[: len(header)] == [*header])
    rows: dict[str, str] = {}
    key = None
    for line in lines[start + 2 :]:
        if not line.strip():
            break
        if line[:2].strip():  # a new row starts in the first column
            key, _, rest = line.strip().partition("  ")
            rows[key] = rest.strip()
        elif key is not None:
            rows[key] += " " + line.strip()
    return rows


def test_fits_80_columns_and_walks_through_numbered_steps(demo: Demo) -> None:
    long = [line for line in demo.out.splitlines() if len(line) > WIDTH]
    assert long == []
    steps = re.findall(r"^(\d+)\. ", demo.out, flags=re.M)
    assert steps == [str(n) for n in range(1, 9)]
    for text in ("customer", "email", "payment.amount", "personal data found"):
        assert text in demo.out


def test_catalogue_rows_are_the_tables_exact_counts(demo: Demo) -> None:
    tables = [
        t for (t,) in _query(demo.sample, "SELECT name FROM sqlite_master WHERE type='table'")
    ]
    shown = _rows_of(demo.out, "table", "rows")
    assert set(shown) == set(tables)
    for table in tables:
        ((count,),) = _query(demo.sample, f'SELECT COUNT(*) FROM "{table}"')
        assert shown[table].split()[0] == f"{count:,}", table
    header = next(line for line in demo.out.splitlines() if line.split()[:2] == ["table", "rows"])
    assert " rows " in header and "est." not in header
    assert "counted exactly by the profile" in demo.out


def _explained(out: str, verb: str) -> tuple[int, int, list[str]]:
    done, total = map(int, re.search(rf"(\d+) of (\d+) columns {verb}", out).groups())  # type: ignore[union-attr]
    flat = re.sub(r"\s*\n(?!\s*(?:not |\d+\.|try:))", " ", out)  # undo the terminal's wrap
    listed = [
        c.strip() for line in re.findall(rf"not {verb}: (.+?) — ", flat) for c in line.split(",")
    ]
    return done, total, listed


def test_column_counts_agree_or_each_difference_is_explained(demo: Demo) -> None:
    ((ingested,),) = _query(
        demo.store,
        f"SELECT COUNT(*) FROM assets WHERE asset_type = 'column' AND fqn LIKE '{SCHEMA}.%'",
    )
    for verb in ("profiled", "classified"):
        done, total, listed = _explained(demo.out, verb)
        assert total == ingested and done + len(listed) == ingested, (verb, listed)
    # and the columns named really were left out, for the reason the store gives
    _, _, not_profiled = _explained(demo.out, "profiled")
    assert not_profiled == ["staff.picture"]
    assert _column_profile(demo, "staff", "picture")["skipped_reason"]
    _, _, not_classified = _explained(demo.out, "classified")
    assert "staff.picture" in not_classified and "address.address2" in not_classified
    ((pii,),) = _query(
        demo.store,
        f"SELECT COUNT(*) FROM tags WHERE asset_fqn = '{SCHEMA}.address.address2' "
        "AND tag LIKE 'PII.%'",
    )
    assert pii == 0


def test_nothing_personal_is_printed_unmasked(demo: Demo) -> None:
    emails = {e for (e,) in _query(demo.sample, "SELECT email FROM customer") if e}
    emails |= {e for (e,) in _query(demo.sample, "SELECT email FROM staff") if e}
    phones = {p for (p,) in _query(demo.sample, "SELECT phone FROM address") if p}
    assert len(emails) > 100 and len(phones) > 100
    assert "***@" in demo.out  # the masked forms are there
    assert {e for e in emails if e[:12] in demo.out} == set()
    assert {p for p in phones if p in demo.out} == set()


def _tag_exists(demo: Demo, fqn: str, tag: str) -> bool:
    rows = _query(
        demo.store,
        f"SELECT 1 FROM tags WHERE asset_fqn = '{fqn}' AND tag = '{tag}' AND state = 'applied'",
    )
    return bool(rows)


def test_every_planted_fault_line_is_true(demo: Demo) -> None:
    """Each line's verdict and figures hold in the source (SQL) and in the store."""
    lines = _rows_of(demo.out, "planted", "fault", "rows")
    src = demo.sample
    for fc in expected_faults(SCALE):
        text = lines[fc.fault.name]
        assert text.split()[0] == f"{fc.count:,}", fc.fault.name  # the planted rows
        assert f"in {fc.fault.table}." in text
    # what the source holds (ground truth) = what the profile counted = what is printed
    truth = {
        "customer_email_null": ("SELECT COUNT(*) FROM customer WHERE email IS NULL", "null_count"),
        "address_phone_null": ("SELECT COUNT(*) FROM address WHERE phone IS NULL", "null_count"),
        "address_district_blank": (
            "SELECT COUNT(*) FROM address WHERE district = ''",
            "empty_count",
        ),
        "address_postal_code_blank": (
            "SELECT COUNT(*) FROM address WHERE postal_code <> '' AND TRIM(postal_code) = ''",
            "blank_count",
        ),
        "payment_amount_negative": (
            "SELECT COUNT(*) FROM payment WHERE amount < 0",
            "negative_count",
        ),
        "payment_date_future": (
            "SELECT COUNT(*) FROM payment WHERE payment_date > '2030-01-01 00:00:00'",
            "future_count",
        ),
    }
    planted = {fc.fault.name: fc for fc in expected_faults(SCALE)}
    for name, (sql, figure) in truth.items():
        fault = planted[name].fault
        ((count,),) = _query(src, sql)
        profiled = _column_profile(demo, fault.table, fault.column)[figure]
        assert count == profiled == planted[name].count, name
        assert lines[name].split()[1] == "found", name
        assert f"profile: {count:,} " in lines[name], name

    # malformed e-mails: the values outside the e-mail format, as the profile's share says
    ((malformed,),) = _query(
        src,
        "SELECT COUNT(*) FROM customer WHERE email NOT LIKE '%_@_%._%' OR email LIKE '%@@%'",
    )
    email = _column_profile(demo, "customer", "email")
    off = email["formats_values"] - round(email["formats"]["email"] * email["formats_values"])
    assert malformed == off == planted["customer_email_malformed"].count
    assert lines["customer_email_malformed"].split()[1:3] == ["found", "in"]
    assert (
        f"profile: {off} of {email['formats_values']:,} values" in lines["customer_email_malformed"]
    )

    # large amounts: the maximum printed is the source's and above the bound; the tag exists
    ((largest,),) = _query(src, "SELECT MAX(amount) FROM payment")
    shown = f"{largest:,.2f}".rstrip("0").rstrip(".")
    assert largest > 1000 and f"max {shown} > 1,000" in lines["payment_amount_too_large"]
    assert lines["payment_amount_too_large"].split()[1] == "found"
    assert "DQ.Outliers" in lines["payment_amount_too_large"]
    assert _tag_exists(demo, f"{SCHEMA}.payment.amount", "DQ.Outliers")

    # duplicates: only hinted, by the e-mail's repeats, which the store's profile counts
    ((pairs,),) = _query(
        src,
        "SELECT COUNT(*) - COUNT(DISTINCT first_name || '|' || last_name || '|' || email) "
        "FROM customer WHERE email IS NOT NULL",
    )
    assert pairs == planted["customer_duplicate"].count
    assert lines["customer_duplicate"].split()[1] == "hinted"
    assert email["duplicate_count"] == pairs
    assert f"profile: {pairs} repeated values" in lines["customer_duplicate"]

    # orphans: present in the source, and nothing in the store speaks of them
    ((orphans,),) = _query(
        src,
        "SELECT COUNT(*) FROM payment WHERE rental_id NOT IN (SELECT rental_id FROM rental)",
    )
    assert orphans == planted["payment_rental_orphan"].count
    assert lines["payment_rental_orphan"].split()[1:4] == ["not", "detected", "yet"]
    tags = _query(
        demo.store, f"SELECT tag FROM tags WHERE asset_fqn = '{SCHEMA}.payment.rental_id'"
    )
    assert {t for (t,) in tags} <= {"DQ.KeyCandidate", "DQ.CriticalDataElement"}


@pytest.fixture
def same_store(demo: Demo, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key in [k for k in os.environ if k.startswith("DATAREADY_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("DATAREADY_DATA_DIR", str(demo.data_dir))
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_every_suggested_command_works(demo: Demo, same_store: None) -> None:
    commands = re.findall(r"try: dataready (.+)$", demo.out, flags=re.M)
    assert len(commands) >= 6
    for command in commands:
        result = CliRunner().invoke(app, command.split())
        assert result.exit_code == 0, (command, result.output)
        assert result.stdout.strip(), command
    shown = CliRunner().invoke(app, ["assets", "show", f"{SCHEMA}.customer.email"])
    doc = json.loads(shown.stdout)
    assert {t["tag"] for t in doc["tags"]} >= {"PII.Email"}


def test_names_are_escaped_for_rich() -> None:
    from dataready.cli.demo_tour import _profile_view

    console = Console(width=WIDTH, record=True)
    doc = {"columns": [{"name": "[red]x[/red]", "type_family": "[b]", "null_ratio": 0.0}]}
    console.print(_profile_view(doc, "t"))
    text = console.export_text()
    assert "[red]x[/red]" in text and "[b]" in text


def test_rows_without_an_exact_count_are_marked_estimated() -> None:
    from dataready.cli.demo_tour import _catalogue_view
    from dataready.store.orm import Asset

    def table(name: str, estimate: int | None) -> Asset:
        fqn = f"{SCHEMA}.{name}"
        return Asset(fqn=fqn, name=name, row_count_estimate=estimate, details={})

    profiles = {f"{SCHEMA}.a": {"row_count": 1200, "row_count_exact": True}}
    console = Console(width=WIDTH, record=True)
    console.print(_catalogue_view([table("a", None), table("b", 900), table("c", None)], profiles))
    text = console.export_text()
    rows = _rows_of(text, "table", "rows")
    assert [rows[t].split()[0] for t in "abc"] == ["1,200", "≈900", "not"]
    assert "rows (≈ est.)" in text
    # all counted exactly: the header says so, with no estimate mark
    console = Console(width=WIDTH, record=True)
    console.print(_catalogue_view([table("a", 5)], profiles))
    text = console.export_text()
    assert "est." not in text and "≈" not in text and "1,200" in text
