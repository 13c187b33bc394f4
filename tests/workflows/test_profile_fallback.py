"""One unusual column does not fail the table: it carries its reason, the others are profiled.

Real sources: PostgreSQL ``money`` (no ``STDDEV_SAMP(money)``, and the driver hands
``'$1.00'`` text to a numeric sketch), SQLite text in a REAL column, and a view column that
raises when a row is read (PostgreSQL, DuckDB). The bisection itself is checked on a plain
function that fails for chosen columns.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from tests.workflows.profile_sources import Source, make_source

from dataready.analysis.profile_masking import Exposure, mask_column
from dataready.analysis.profiling import TableProfile
from dataready.connectors import connect
from dataready.errors import QueryFailed, QueryTimeout
from dataready.sql.profile import ColumnSpec
from dataready.sql.types import TypeFamily
from dataready.workflows.profile_fallback import aggregate_by_groups, isolate_columns
from dataready.workflows.profiler import profile_table

N = 200


def _profile(src: Source, table: str) -> TableProfile:
    with connect(src.config) as conn:
        return profile_table(conn, src.database, src.schema, table)


@pytest.fixture
def pg(tmp_path: Path) -> Iterator[Source]:
    yield from make_source("postgres", tmp_path)


def _assert_good(profile: TableProfile, names: list[str | None]) -> None:
    """``id`` is 0..N-1, ``name`` holds ``names``: both fully and correctly profiled."""
    ident = profile.column("id")
    assert ident.profile_status == "complete" and ident.profile_errors is None
    assert (ident.min, ident.max, ident.distinct_count, ident.null_count) == (0, N - 1, N, 0)
    assert ident.sum == sum(range(N))
    name = profile.column("name")
    assert name.profile_status == "complete"
    present = [n for n in names if n is not None]
    assert name.distinct_count == len(set(present))
    assert name.null_count == names.count(None)
    assert name.max_length == max(len(n) for n in present)


@pytest.mark.postgres
def test_postgres_money_column_fails_alone(pg: Source) -> None:
    pg.write("CREATE TABLE t (id INTEGER, name TEXT, m MONEY)")
    names = [None if i % 9 == 0 else f"n{i % 13}" for i in range(N)]
    money = [None if i % 10 == 0 else f"${i}.00" for i in range(N)]
    pg.insert("t", ["id", "name", "m"], [[i, names[i], money[i]] for i in range(N)])
    profile = _profile(pg, "t")
    _assert_good(profile, names)
    m = profile.column("m")
    assert m.profile_status == "partial" and m.profiled
    stages = {e["stage"]: e for e in m.profile_errors or []}
    # STDDEV_SAMP(money) / money = integer do not exist: SQLSTATE 42883 (undefined function)
    assert stages["aggregate"]["code"] == "QUERY_FAILED:42883"
    assert "money" in stages["aggregate"]["message"]
    assert stages["sample"]["code"] == "SAMPLE_VALUE_UNREADABLE"
    assert "str" in stages["sample"]["message"] and "$" not in stages["sample"]["message"]
    # the retry with a bare count still counts its nulls over every row
    assert m.null_count == money.count(None) and m.counts_exact
    assert m.min is None and m.top_values == []
    # columns, table facts, the stream; the aggregate (fails), [id] and [name, m] (fails),
    # [name] and [m] (fails), m's bare count
    assert profile.statements == 3 + 1 + 2 + 2 + 1


def test_sqlite_real_column_holding_text(tmp_path: Path) -> None:
    src = next(make_source("sqlite", tmp_path))
    src.write("CREATE TABLE t (id INTEGER, name TEXT, r REAL)")
    names = [f"x{i % 7}" for i in range(N)]
    reals = ["n/a" if i % 25 == 3 else (None if i % 11 == 0 else i / 4) for i in range(N)]
    src.insert("t", ["id", "name", "r"], [[i, names[i], reals[i]] for i in range(N)])
    profile = _profile(src, "t")
    _assert_good(profile, list(names))
    r = profile.column("r")
    assert r.profile_status == "partial"
    codes = {e["code"] for e in r.profile_errors or []}
    # the sketch stopped on 'n/a'; MAX() of the column is the text 'n/a' itself
    assert codes == {"SAMPLE_VALUE_UNREADABLE", "AGGREGATE_VALUE_UNREADABLE"}
    assert all("n/a" not in e["message"] for e in r.profile_errors or [])
    assert r.null_count == reals.count(None)


@pytest.mark.parametrize("engine", ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_view_column_that_raises_on_one_row(engine: str, tmp_path: Path) -> None:
    gen = make_source(engine, tmp_path)
    src = next(gen)
    src.write("CREATE TABLE base (id INTEGER, name VARCHAR(20))")
    names: list[str | None] = ["oops" if i == 7 else str(i % 17) for i in range(N)]
    src.insert("base", ["id", "name"], [[i, names[i]] for i in range(N)])
    src.write(
        "CREATE VIEW v AS SELECT id, name, "
        "CASE WHEN id = 7 THEN CAST(name AS INTEGER) ELSE id END AS bad FROM base"
    )
    profile = _profile(src, "v")
    _assert_good(profile, names)
    bad = profile.column("bad")
    assert bad.profile_status == "failed" and not bad.profiled
    stages = [e["stage"] for e in bad.profile_errors or []]
    # the stream could not send it, the aggregates could not compute it, nor even count it
    assert stages == ["sample", "aggregate", "aggregate"]
    assert all(e["code"].startswith("QUERY_FAILED") for e in bad.profile_errors or [])
    gen.close()


def _run_failing(bad: set[str], log: list[list[str]]) -> Any:
    def run(chosen: Sequence[ColumnSpec]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        names = [c.name for c in chosen]
        log.append(names)
        if any(c.name in bad and c.family is not TypeFamily.OTHER for c in chosen):
            raise QueryFailed("the source rejected the statement", sqlstate="42883")
        return {"rows": 10}, [{"non_null": 10, "name": n} for n in names]

    return run


def test_bisection_isolates_the_failing_columns() -> None:
    specs = [ColumnSpec(f"c{i}", TypeFamily.INTEGER) for i in range(64)]
    log: list[list[str]] = []
    first = QueryFailed("whole statement", sqlstate="42883")
    result = aggregate_by_groups(_run_failing({"c5", "c40"}, log), specs, first)
    assert sorted(result.errors) == [5, 40]
    assert [m["name"] for m in result.columns] == [f"c{i}" for i in range(64)]
    assert result.columns[5] == {"non_null": 10, "name": "c5"}  # the bare count's
    assert result.errors[5][0]["code"] == "QUERY_FAILED:42883"
    # far fewer statements than one per column: 2 k (log2(n / k) + 1) halves + k bare counts
    assert result.statements == len(log) + 1 <= 2 * 2 * (5 + 1) + 2 + 1 < len(specs)
    assert ["c5"] in log and ["c40"] in log


def test_bisection_reraises_what_is_not_a_column_fault() -> None:
    specs = [ColumnSpec(f"c{i}", TypeFamily.INTEGER) for i in range(4)]

    def run(chosen: Sequence[ColumnSpec]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        raise QueryTimeout("the statement ran past the statement timeout")

    with pytest.raises(QueryTimeout):
        aggregate_by_groups(run, specs, QueryFailed("first"))

    def probe(names: Sequence[str]) -> None:
        raise QueryTimeout("the statement ran past the statement timeout")

    with pytest.raises(QueryTimeout):
        isolate_columns(probe, ["a", "b"], QueryFailed("first"))


def test_table_fault_is_reraised_when_even_count_star_fails() -> None:
    specs = [ColumnSpec(f"c{i}", TypeFamily.INTEGER) for i in range(3)]
    first = QueryFailed("relation does not exist")

    def run(chosen: Sequence[ColumnSpec]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        raise QueryFailed("relation does not exist")

    with pytest.raises(QueryFailed) as caught:
        aggregate_by_groups(run, specs, first)
    assert caught.value is first
    sent: list[int] = []

    def counting(chosen: Sequence[ColumnSpec]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        sent.append(len(chosen))
        raise QueryFailed("relation does not exist")

    wide = [ColumnSpec(f"c{i}", TypeFamily.INTEGER) for i in range(100)]
    with pytest.raises(QueryFailed):
        aggregate_by_groups(counting, wide, first)
    assert sent == [50, 50, 0]  # two halves, then COUNT(*): no bisection of a vanished table
    sent.clear()
    with pytest.raises(QueryFailed):
        aggregate_by_groups(counting, wide[:1], first)
    assert sent == [0]


def test_masking_withholds_error_messages_of_personal_columns() -> None:
    column = {
        "name": "email",
        "profile_status": "partial",
        "profile_errors": [{"stage": "aggregate", "code": "QUERY_FAILED", "message": "x@y.z"}],
    }
    masked = mask_column(column, Exposure.PERSONAL, None)
    assert masked["profile_status"] == "partial" and masked["profile_errors"] is None
