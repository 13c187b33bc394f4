"""Types the profiler used to skip, on the engines that have them: every figure recomputed here.

PostgreSQL enum, bit strings, ranges, points, arrays, json/jsonb; DuckDB STRUCT, LIST, JSON;
JSON text in SQLite and MariaDB. Lengths of arrays and range bounds are exact (SQL over every
row); key presence comes from the sketch pass (here it reads every row, so it is exact too).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.workflows.profile_sources import Source, make_source

from dataready.analysis.profiling import TableProfile
from dataready.connectors import connect
from dataready.workflows.profiler import profile_table

N = 120


def _profile(src: Source, table: str) -> TableProfile:
    with connect(src.config) as conn:
        return profile_table(conn, src.database, src.schema, table)


def _presence(docs: list[dict[str, Any] | None]) -> list[dict[str, Any]]:
    objects = [d for d in docs if isinstance(d, dict)]
    keys = Counter(k for d in objects for k in d)
    ranked = sorted(keys.items(), key=lambda kv: (-kv[1], kv[0]))
    return [{"key": k, "count": c, "fraction": c / len(objects)} for k, c in ranked]


def _doc(i: int) -> dict[str, Any] | None:
    if i % 7 == 0:
        return None
    doc: dict[str, Any] = {"id": i}
    if i % 2:
        doc["odd"] = True
    if i % 3 == 0:
        doc["three"] = [i]
    return doc


def _lists(i: int) -> list[int] | None:
    if i % 11 == 0:
        return None
    return [] if i % 5 == 0 else list(range(i % 4 + 1))


def _check_lists(profile: TableProfile, name: str, lists: list[list[int] | None]) -> None:
    col = profile.column(name)
    present = [v for v in lists if v is not None]
    lengths = [len(v) for v in present]
    assert col.kind == "array" and col.profile_status == "complete"
    assert col.null_count == lists.count(None)
    assert (col.min_length, col.max_length) == (min(lengths), max(lengths))
    assert col.mean_length == pytest.approx(sum(lengths) / len(lengths))
    assert col.empty_count == lengths.count(0) and col.counts_exact
    assert col.distinct_count == len({tuple(v) for v in present})
    elements = Counter(str(e) for v in present for e in v)
    assert col.element_count == sum(lengths) and col.element_distinct == len(elements)
    ranked = sorted(elements.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    assert col.element_top_values == [{"value": v, "count": c} for v, c in ranked]
    assert col.element_stats_exact
    texts = Counter(json.dumps(v) for v in present)  # values counted as their JSON text
    expected = sorted(texts.items(), key=lambda kv: (-kv[1], kv[0]))[0]
    assert (col.top_values[0]["value"], col.top_values[0]["count"]) == expected


def _check_docs(profile: TableProfile, name: str, docs: list[dict[str, Any] | None]) -> None:
    col = profile.column(name)
    assert col.kind == "document" and col.profile_status == "complete"
    assert col.null_count == docs.count(None)
    assert col.key_presence == _presence(docs)
    assert col.key_presence_values == len(docs) - docs.count(None)
    assert col.key_presence_exact


@pytest.fixture
def pg(tmp_path: Path) -> Iterator[Source]:
    yield from make_source("postgres", tmp_path)


@pytest.mark.postgres
def test_postgres_types(pg: Source) -> None:
    pg.write("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')")
    pg.write(
        "CREATE TABLE t (id INTEGER, e mood, b BIT(3), vb BIT VARYING(8), r INT4RANGE, "
        "pt POINT, a INTEGER[], j JSONB, js JSON)"
    )
    moods = [None if i % 10 == 0 else ("sad", "ok", "happy", "ok")[i % 4] for i in range(N)]
    bits = [format(i % 8, "03b") for i in range(N)]
    ranges = [
        None if i % 13 == 0 else ("empty" if i % 6 == 0 else f"[{i},{i + 5})") for i in range(N)
    ]
    points = [f"({i % 9},{i % 4})" for i in range(N)]
    lists = [_lists(i) for i in range(N)]
    docs = [_doc(i) for i in range(N)]
    rows = [
        [i, moods[i], bits[i], bits[i][1:], ranges[i], points[i], lists[i],
         None if docs[i] is None else json.dumps(docs[i]),
         None if docs[i] is None else json.dumps(docs[i])]
        for i in range(N)
    ]  # fmt: skip
    pg.insert("t", ["id", "e", "b", "vb", "r", "pt", "a", "j", "js"], rows)
    profile = _profile(pg, "t")
    assert all(c.profile_status == "complete" for c in profile.columns)

    e = profile.column("e")  # an enum: categorical text
    present = [m for m in moods if m is not None]
    assert e.kind == "string" and e.distinct_count == 3 and e.distinct_exact
    assert e.top_values[0] == {"value": "ok", "count": present.count("ok"), "error": 0}
    assert e.max_length == 5 and e.null_count == moods.count(None)

    b, vb = profile.column("b"), profile.column("vb")
    assert b.kind == "string" and b.distinct_count == 8 and b.max_length == 3
    assert vb.distinct_count == 4 and vb.min_length == vb.max_length == 2

    r = profile.column("r")  # ranges: the smallest lower, the largest upper bound, empties
    bounded = [i for i in range(N) if ranges[i] not in (None, "empty")]
    assert r.kind == "range" and r.null_count == ranges.count(None)
    assert (r.min, r.max) == (min(bounded), max(bounded) + 5)
    assert r.empty_count == ranges.count("empty") and r.counts_exact
    assert r.distinct_count == len(set(ranges) - {None})

    pt = profile.column("pt")  # no equality operator: distinct over its text
    assert pt.kind == "string" and pt.distinct_count == len(set(points)) == 36

    _check_lists(profile, "a", lists)
    _check_docs(profile, "j", docs)
    _check_docs(profile, "js", docs)


def test_duckdb_struct_list_json(tmp_path: Path) -> None:
    gen = make_source("duckdb", tmp_path)
    src = next(gen)
    src.write("CREATE TABLE t (id INTEGER, s STRUCT(a INTEGER, b VARCHAR), l INTEGER[], j JSON)")
    lists = [_lists(i) for i in range(N)]
    docs = [_doc(i) for i in range(N)]
    structs = [None if i % 4 == 0 else {"a": i, "b": str(i % 3)} for i in range(N)]
    rows = [
        [i, structs[i], lists[i], None if docs[i] is None else json.dumps(docs[i])]
        for i in range(N)
    ]
    src.insert("t", ["id", "s", "l", "j"], rows)
    profile = _profile(src, "t")
    s = profile.column("s")  # every struct value holds every field
    n_structs = len(structs) - structs.count(None)
    assert s.kind == "document" and s.null_count == structs.count(None)
    assert s.key_presence == [
        {"key": "a", "count": n_structs, "fraction": 1.0},
        {"key": "b", "count": n_structs, "fraction": 1.0},
    ]
    assert s.distinct_count == n_structs
    _check_lists(profile, "l", lists)
    _check_docs(profile, "j", docs)
    gen.close()


@pytest.mark.parametrize("engine", ["sqlite", pytest.param("mysql", marks=pytest.mark.mysql)])
def test_json_text_key_presence(engine: str, tmp_path: Path) -> None:
    gen = make_source(engine, tmp_path)
    src = next(gen)
    src.write(f"CREATE TABLE {src.q('t')} (id INTEGER, j JSON)")
    docs = [_doc(i) for i in range(N)]
    rows = [[i, None if d is None else json.dumps(d)] for i, d in enumerate(docs)]
    src.insert("t", ["id", "j"], rows)
    profile = _profile(src, "t")
    col = profile.column("j")
    # MariaDB's JSON is LONGTEXT with a CHECK: text with its lengths, and key presence
    assert col.profile_status == "complete" and col.null_count == docs.count(None)
    if col.kind == "document":
        _check_docs(profile, "j", docs)
    else:
        assert engine == "mysql" and col.kind == "string"
    gen.close()
