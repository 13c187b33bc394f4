"""``profile_table`` on SQLite, DuckDB, PostgreSQL and MariaDB, checked metric by metric.

Every expected figure is computed here in plain Python (or numpy) over the very rows that
were inserted, never by the profiler's own helpers.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import re
import statistics
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from tests.workflows.profile_sources import ENGINES, TYPES, Source, make_source

from dataready.analysis.profiling import TableProfile
from dataready.connectors import Connector, connect
from dataready.errors import NotFound, QueryTimeout
from dataready.settings import SourceSettings
from dataready.workflows.profiler import ProfileOptions, profile_table

N = 300
WEIRD = 'we"ird col'
NAMES = [f"name{c}" for c in "abcdefghijklmnopqrst"]
COLUMNS = [
    "id",
    "qty",
    "price",
    "score",
    "name",
    "email",
    "created",
    "born",
    "active",
    "payload",
    "blob",
    WEIRD,
    "allnull",
]
NOW = dt.datetime.now()


@pytest.fixture(params=ENGINES)
def source(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Source]:
    yield from make_source(request.param, tmp_path)


def _create_mixed(src: Source, table: str = "mixed") -> list[dict[str, Any]]:
    t = TYPES[src.engine]
    types = {
        "id": "INTEGER",
        "qty": "INTEGER",
        "price": "DECIMAL(10,2)",
        "score": t["float"],
        "name": t["text"],
        "email": "VARCHAR(100)",
        "created": t["timestamp"],
        "born": "DATE",
        "active": t["bool"],
        "payload": t["json"],
        "blob": t["binary"],
        WEIRD: "VARCHAR(20)",
        "allnull": "INTEGER",
    }
    columns = ", ".join(f"{src.q(c)} {types[c]}" for c in COLUMNS)
    src.write(f"CREATE TABLE {src.q(table)} ({columns})")
    rng = random.Random(11)
    rows: list[dict[str, Any]] = []
    nan_ok = src.engine in ("postgres", "duckdb")
    inf_ok = src.engine != "mysql"
    for i in range(N):
        score: float | None = None if i % 11 == 0 else round(rng.gauss(50, 10), 3)
        if i == 1 and nan_ok:
            score = math.nan
        if i in (2, 3) and inf_ok:
            score = math.inf if i == 2 else -math.inf
        if i == 4:
            score = 1000.0
        if i % 19 == 0:
            name: str | None = None
        elif i % 23 == 0:
            name = ""
        elif i % 29 == 0:
            name = "   "
        elif i == 5:
            name = "\t"
        elif i == 6:
            name = "x" * 300
        else:
            name = rng.choice(NAMES)
        created = dt.datetime(2020, 1, 1) + dt.timedelta(hours=rng.randint(0, 40_000))
        if i % 37 == 0:
            created = dt.datetime(2099, 1, 1) + dt.timedelta(days=i)
        rows.append(
            {
                "id": i,
                "qty": None if i % 17 == 0 else rng.randint(-20, 100),
                "price": None if i % 13 == 0 else Decimal(rng.randint(0, 100_000)) / 100,
                "score": score,
                "name": name,
                "email": None
                if i % 31 == 0
                else ("not-an-email" if i % 10 == 0 else f"user{i % 50}@example.com"),
                "created": created,
                "born": None
                if i % 9 == 0
                else dt.date(1950, 1, 1) + dt.timedelta(rng.randint(0, 20_000)),
                "active": None if i % 7 == 0 else rng.random() < 0.6,
                "payload": json.dumps({"a": i}),
                "blob": bytes([i % 256]) * 3,
                WEIRD: f"v{i % 3}",
                "allnull": None,
            }
        )
    src.insert(table, COLUMNS, [[_driver_value(src, r[c]) for c in COLUMNS] for r in rows])
    return rows


def _driver_value(src: Source, value: Any) -> Any:
    if src.engine != "sqlite":
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime | dt.date):
        return str(value)
    return value


def _profile(source: Source, table: str, **options: Any) -> TableProfile:
    """Profile through a fresh connector (opened after the test wrote its data)."""
    with connect(source.config, SourceSettings(statement_timeout_seconds=30)) as conn:
        return profile_table(
            conn, source.database, source.schema, table, options=ProfileOptions(**options)
        )


def _key(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    if isinstance(value, Decimal):
        return float(value)
    return value


def _as_datetime(value: Any) -> dt.datetime:
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime(value.year, value.month, value.day)


def _shape(value: str) -> str:
    """An independent character-class mapping (per character, runs collapsed after)."""
    out = []
    for ch in value:
        if ch.isascii() and ch.isupper():
            out.append("A")
        elif ch.isascii() and ch.islower():
            out.append("a")
        elif ch.isascii() and ch.isdigit():
            out.append("9")
        elif ch in " \t\r\n":
            out.append("_")
        else:
            out.append(ch)
    text = "".join(out)
    text = re.sub(r"(a{5,})", "a+", text)
    text = re.sub(r"(A{5,})", "A+", text)
    return re.sub(r"(9{13,})", "9+", text)


def test_every_metric_matches_python(source: Source) -> None:
    rows = _create_mixed(source)
    profile = _profile(source, "mixed")
    assert profile.row_count == N and profile.row_count_exact
    assert profile.row_count_source == "count"
    assert profile.column_count == len(COLUMNS)
    assert profile.sampled is False and profile.sample_method == "none"
    assert profile.rows_profiled == N and profile.rows_sketched == N
    assert profile.duplicate_rows == 0 and profile.duplicate_rows_exact
    json.dumps(profile.to_dict())  # JSON-able throughout

    for name in COLUMNS:
        column = profile.column(name)
        values = [r[name] for r in rows]
        present = [v for v in values if v is not None]
        assert column.row_count == N
        assert column.null_count == N - len(present), name
        if name == "payload" and column.declared_type == "longtext":
            pass  # MariaDB's JSON is LONGTEXT with a CHECK: profiled as text
        elif name == "payload":  # documents: key presence over the (complete) sample
            assert column.profiled and column.kind == "document"
            assert column.key_presence == [{"key": "a", "count": len(present), "fraction": 1.0}]
            assert column.key_presence_values == len(present) and column.key_presence_exact
            assert column.distinct_count == len(set(present)), name
            continue
        elif name == "blob":
            assert not column.profiled
            assert column.skipped_reason and "binary" in column.skipped_reason
            continue
        assert column.profiled, name
        keys = Counter(_key(v) for v in present)
        assert column.distinct_count == len(keys), name
        assert column.distinct_exact, name
        assert column.duplicate_count == len(present) - len(keys)
        assert column.unique_count == sum(1 for c in keys.values() if c == 1), name
        assert column.unique_exact
        if name not in ("name",):  # long text is truncated in top values
            expected_top = sorted(keys.items(), key=lambda kv: (-kv[1], str(kv[0])))[:10]
            assert [t["count"] for t in column.top_values] == [c for _, c in expected_top], name
            assert column.top_values_exact

    _check_numbers(profile, rows, source.engine)
    _check_strings(profile, rows)
    _check_temporal_and_boolean(profile, rows)
    allnull = profile.column("allnull")
    assert allnull.null_count == N and allnull.distinct_count == 0 and allnull.min is None
    assert profile.column(WEIRD).distinct_count == 3


def _check_numbers(profile: TableProfile, rows: list[dict[str, Any]], engine: str) -> None:
    for name in ("qty", "price", "score", "id"):
        column = profile.column(name)
        present = [float(r[name]) for r in rows if r[name] is not None]
        finite = [v for v in present if math.isfinite(v)]
        assert column.min == pytest.approx(min(finite)), name
        assert column.max == pytest.approx(max(finite)), name
        assert column.sum == pytest.approx(sum(finite)), name
        assert column.mean == pytest.approx(statistics.fmean(finite)), name
        assert column.stddev == pytest.approx(statistics.stdev(finite), rel=1e-6), name
        assert column.zero_count == sum(1 for v in finite if v == 0), name
        assert column.negative_count == sum(1 for v in finite if v < 0), name
        assert column.quantiles is not None and column.quantiles_exact
        levels = {"p01": 1, "p05": 5, "p25": 25, "p50": 50, "p75": 75, "p95": 95, "p99": 99}
        for label, level in levels.items():
            expected = float(np.percentile(finite, level, method="linear"))
            assert column.quantiles[label] == pytest.approx(expected), (name, label)
        q1, q3 = np.percentile(finite, [25, 75])
        width = 2 * (q3 - q1) / len(finite) ** (1 / 3)
        bins = min(50, math.ceil((max(finite) - min(finite)) / width))
        assert column.histogram is not None and column.histogram["exact"]
        assert len(column.histogram["counts"]) == bins
        counts, _ = np.histogram(finite, bins=column.histogram["edges"])
        assert column.histogram["counts"] == counts.tolist()
        assert column.outliers is not None and column.outliers["exact"]
        low, high = q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)
        expected_iqr = sum(1 for v in finite if v < low or v > high)
        assert column.outliers["iqr"]["count"] == expected_iqr, name
        mean, sd = statistics.fmean(finite), statistics.stdev(finite)
        expected_sigma = sum(1 for v in finite if abs(v - mean) > 3 * sd)
        assert column.outliers["sigma"]["count"] == expected_sigma, name
    score = profile.column("score")
    assert 1000.0 in score.outliers["iqr"]["examples"]  # type: ignore[index]
    assert score.nan_count == (1 if engine in ("postgres", "duckdb") else 0)
    assert score.positive_infinity_count == (0 if engine == "mysql" else 1)
    assert score.negative_infinity_count == (0 if engine == "mysql" else 1)


def _check_strings(profile: TableProfile, rows: list[dict[str, Any]]) -> None:
    name = profile.column("name")
    present = [r["name"] for r in rows if r["name"] is not None]
    assert name.min_length == min(len(v) for v in present)
    assert name.max_length == max(len(v) for v in present) == 300
    assert name.mean_length == pytest.approx(statistics.fmean(len(v) for v in present))
    assert name.empty_count == sum(1 for v in present if v == "")
    assert name.blank_count == sum(1 for v in present if v and not v.strip(" \t\r\n"))
    assert name.blank_count >= 2
    email = profile.column("email")
    emails = [r["email"] for r in rows if r["email"] is not None]
    valid = sum(1 for v in emails if re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", v))
    assert email.formats is not None and email.formats_values == len(emails)
    assert email.formats["email"] == pytest.approx(valid / len(emails))
    expected_patterns = Counter(_shape(v) for v in emails)
    assert {p["pattern"]: p["count"] for p in email.patterns or []} == dict(expected_patterns)
    assert email.patterns_exact and email.observed_type is None
    assert email.pattern_count == len(expected_patterns)


def _check_temporal_and_boolean(profile: TableProfile, rows: list[dict[str, Any]]) -> None:
    for name in ("created", "born"):
        column = profile.column(name)
        present = [_as_datetime(r[name]) for r in rows if r[name] is not None]
        assert _as_datetime(column.min) == min(present), name
        assert _as_datetime(column.max) == max(present), name
        assert column.future_count == sum(1 for v in present if v > NOW), name
    born = profile.column("born")
    newest_born = max(_as_datetime(r["born"]) for r in rows if r["born"] is not None)
    assert born.freshness_seconds == pytest.approx(
        (NOW - newest_born).total_seconds(), abs=2 * 86_400
    )
    assert profile.column("created").freshness_seconds == 0.0  # its newest value is in the future
    assert profile.freshness_column == "created"
    active = profile.column("active")
    flags = [r["active"] for r in rows if r["active"] is not None]
    assert active.true_count == sum(flags) and active.false_count == len(flags) - sum(flags)
    assert active.true_ratio == pytest.approx(sum(flags) / len(flags))


def test_empty_table(source: Source) -> None:
    source.write(f"CREATE TABLE {source.q('empty')} (a INTEGER, b VARCHAR(10), c DATE)")
    profile = _profile(source, "empty")
    assert profile.row_count == 0 and profile.rows_sketched == 0
    assert profile.duplicate_rows == 0 and profile.freshness_seconds is None
    for column in profile.columns:
        assert column.null_count == 0 and column.distinct_count == 0 and column.null_ratio is None
        assert column.top_values == [] and column.min is None and column.quantiles is None
    json.dumps(profile.to_dict())


def test_single_row(source: Source) -> None:
    source.write(f"CREATE TABLE {source.q('one')} (a INTEGER, b VARCHAR(10))")
    source.insert("one", ["a", "b"], [[7, "x"]])
    profile = _profile(source, "one")
    a = profile.column("a")
    assert (a.min, a.max, a.sum, a.mean, a.stddev) == (7, 7, 7, 7.0, None)
    assert a.quantiles == {k: 7.0 for k in ("p01", "p05", "p25", "p50", "p75", "p95", "p99")}
    assert a.histogram == {"edges": [7.0, 7.0], "counts": [1], "exact": True}
    assert a.unique_count == 1 and a.duplicate_count == 0
    assert profile.column("b").patterns == [{"pattern": "a", "count": 1}]


def test_duplicate_rows_are_counted(source: Source) -> None:
    source.write(f"CREATE TABLE {source.q('dups')} (a INTEGER, b VARCHAR(10))")
    source.insert("dups", ["a", "b"], [[1, "x"], [1, "x"], [1, "x"], [2, "x"], [2, None]])
    profile = _profile(source, "dups")
    assert profile.duplicate_rows == 2 and profile.duplicate_rows_exact


def test_missing_table_is_not_found(source: Source) -> None:
    with pytest.raises(NotFound):
        _profile(source, "no_such_table")
    source.write(f"CREATE TABLE {source.q('t')} (a INTEGER)")
    with (
        connect(source.config) as conn,
        pytest.raises(NotFound, match="no column"),
    ):
        profile_table(conn, source.database, source.schema, "t", columns=["zzz"])


def test_table_dropped_while_profiling_is_not_found(source: Source) -> None:
    source.write(f"CREATE TABLE {source.q('gone')} (a INTEGER)")
    source.insert("gone", ["a"], [[i] for i in range(50)])
    if source.engine == "duckdb":
        pytest.skip("DuckDB: a writer cannot open the file while the profiler reads it")
    calls = []

    def drop() -> None:
        # The first call comes between batches, inside the read (which holds the table's
        # lock); the second just before the aggregate statement.
        calls.append(1)
        if len(calls) == 2:
            source.write(f"DROP TABLE {source.q('gone')}")

    with connect(source.config) as conn, pytest.raises(NotFound, match="vanished"):
        profile_table(conn, source.database, source.schema, "gone", check_cancelled=drop)


def _count_statements(conn: Connector) -> list[str]:
    sent: list[str] = []
    fetch, stream = conn._fetch, conn._stream

    def counting_fetch(sql: str, *args: Any, **kwargs: Any) -> Any:
        sent.append(sql)
        return fetch(sql, *args, **kwargs)

    def counting_stream(sql: str, *args: Any, **kwargs: Any) -> Any:
        sent.append(sql)
        return stream(sql, *args, **kwargs)

    conn._fetch = counting_fetch  # type: ignore[method-assign]
    conn._stream = counting_stream  # type: ignore[method-assign]
    return sent


def test_statement_count_does_not_grow_with_columns(source: Source) -> None:
    counts = {}
    for width in (5, 50):
        table = f"w{width}"
        kinds = ["INTEGER", "VARCHAR(20)", "DATE", TYPES[source.engine]["float"]]
        columns = [f"c{i}" for i in range(width)]
        ddl = ", ".join(f"{c} {kinds[i % 4]}" for i, c in enumerate(columns))
        source.write(f"CREATE TABLE {source.q(table)} ({ddl})")
        values = [1, "text", dt.date(2020, 1, 2), 1.5]
        row = [_driver_value(source, values[i % 4]) for i in range(width)]
        source.insert(table, columns, [row] * 20)
        with connect(source.config) as conn:
            sent = _count_statements(conn)
            profile = profile_table(conn, source.database, source.schema, table)
        assert profile.statements == len(sent)
        counts[width] = len(sent)
    assert counts[5] == counts[50] <= 4, counts


def test_sampled_profile_records_how(source: Source) -> None:
    source.write(f"CREATE TABLE {source.q('big')} (a INTEGER, b VARCHAR(20))")
    source.insert("big", ["a", "b"], [[i, f"v{i % 100}"] for i in range(5_000)])
    if source.engine == "postgres":
        source.write("ANALYZE")
    by_rows = _profile(source, "big", sample_rows=1_000)
    assert by_rows.sampled and by_rows.rows_profiled <= 1_000
    assert by_rows.rows_sketched <= 1_000 and by_rows.sample_uniform
    assert by_rows.sample_method in {
        "tablesample_bernoulli",
        "using_sample_reservoir",
        "random_filter",
        "random_order",
    }
    by_percent = _profile(source, "big", sample_percent=20)
    assert by_percent.sampled and by_percent.sample_percent == 20
    assert 500 < by_percent.rows_profiled < 1_600
    if source.engine == "sqlite":  # no estimate: the profiler counted the rows
        assert by_percent.row_count == 5_000 and by_percent.row_count_exact
        assert by_percent.row_count_source == "count"
    else:
        assert not by_percent.row_count_exact and by_percent.row_count_source == "extrapolated"
        low, high = by_percent.row_count_bounds or [0, 0]
        assert low <= by_percent.row_count <= high and 2_500 < by_percent.row_count < 8_000
    assert not by_percent.counts_exact and by_percent.column("a").row_count == by_percent.row_count
    sketched = _profile(source, "big", sketch_rows=500)
    assert sketched.row_count == 5_000 and sketched.row_count_exact
    assert sketched.sampled and sketched.sample_method.startswith("sketches:")
    assert sketched.rows_sketched <= 500


def test_distinct_estimates_stay_inside_their_error(source: Source) -> None:
    n = 100_000
    source.write(f"CREATE TABLE {source.q('wide_distinct')} (k INTEGER, s VARCHAR(20))")
    source.insert("wide_distinct", ["k", "s"], [[i, f"s{i * 7919 % n}"] for i in range(n)])
    if source.engine == "postgres":
        source.write("ANALYZE")
    profile = _profile(
        source, "wide_distinct", sketch_rows=10_000, exact_distinct_cap=0, counts_cap=1_000
    )
    for name in ("k", "s"):
        column = profile.column(name)
        assert not column.distinct_exact, (name, column.distinct_method)
        low, high = (column.bounds or {})["distinct_count"]
        assert low <= n <= high, column
        assert column.distinct_error is not None
        assert abs(column.distinct_count - n) <= column.distinct_error * column.distinct_count


def test_hll_over_the_whole_table_stays_inside_its_error(tmp_path: Path) -> None:
    gen = make_source("sqlite", tmp_path)
    src = next(gen)
    n = 100_000
    src.write("CREATE TABLE h (k INTEGER, s TEXT)")
    src.insert("h", ["k", "s"], [[i, f"value-{i}"] for i in range(n)])
    profile = _profile(src, "h", sketch_rows=200_000, exact_distinct_cap=0, counts_cap=1_000)
    for name in ("k", "s"):
        column = profile.column(name)
        assert column.distinct_method == "hll" and not column.distinct_exact
        assert column.distinct_error is not None and column.distinct_error < 0.02
        assert abs(column.distinct_count - n) / n <= column.distinct_error
        assert not column.unique_exact and column.duplicate_count is not None


def test_statement_timeout_names_the_table(tmp_path: Path) -> None:
    gen = make_source("sqlite", tmp_path)
    src = next(gen)
    src.write("CREATE TABLE slow (x INTEGER, s TEXT)")
    src.write(
        "INSERT INTO slow WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
        "WHERE x < 400000) SELECT x, 'v' || x FROM c"
    )
    settings = SourceSettings(statement_timeout_seconds=0.05)
    with connect(src.config, settings) as conn:
        with pytest.raises(QueryTimeout, match=r"profiling profile\.main\.slow timed out") as info:
            profile_table(
                conn, "profile", "main", "slow", options=ProfileOptions(exact_distinct_cap=50)
            )
        assert info.value.details["table"] == "profile.main.slow"


@pytest.mark.postgres
def test_statement_timeout_on_postgres(tmp_path: Path) -> None:
    gen = make_source("postgres", tmp_path)
    src = next(gen)
    src.write("CREATE VIEW slow AS SELECT g AS x FROM generate_series(1, 10) g, pg_sleep(3) s")
    with (
        connect(src.config, SourceSettings(statement_timeout_seconds=0.5)) as conn,
        pytest.raises(QueryTimeout, match="slow timed out"),
    ):
        profile_table(conn, src.database, src.schema, "slow")
    gen.close()


def test_cancellation_stops_between_batches(tmp_path: Path) -> None:
    gen = make_source("sqlite", tmp_path)
    src = next(gen)
    src.write("CREATE TABLE t (a INTEGER)")
    src.insert("t", ["a"], [[i] for i in range(5_000)])
    calls = []

    class Stop(Exception):
        pass

    def cancel() -> None:
        calls.append(1)
        if len(calls) == 2:
            raise Stop

    with connect(src.config) as conn:
        with pytest.raises(Stop):
            profile_table(
                conn,
                "profile",
                "main",
                "t",
                options=ProfileOptions(batch_size=1_000),
                check_cancelled=cancel,
            )
        assert conn.execute("SELECT COUNT(*) FROM t").rows[0][0] == 5_000
