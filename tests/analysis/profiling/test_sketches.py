"""The streamed column sketches: exact while small, DataSketches past the cap."""

from __future__ import annotations

import math
import os
import random
import subprocess
import sys
from decimal import Decimal

from dataready.analysis.profiling.keys import long_text_key
from dataready.analysis.profiling.sketches import ColumnSketch, RowSketch, SketchConfig
from dataready.domain.profiling import ValueKind
from dataready.sql.types import TypeFamily


def _feed(sketch: ColumnSketch, values: list[object], batch: int = 1000) -> None:
    for start in range(0, len(values), batch):
        sketch.update(values[start : start + batch])


def test_small_columns_are_counted_exactly() -> None:
    sketch = ColumnSketch(ValueKind.STRING, TypeFamily.STRING, SketchConfig())
    values = ["a", "b", None, "a", "c", None, "a"]
    _feed(sketch, values)
    assert (sketch.values, sketch.nulls) == (5, 2)
    assert sketch.distinct() == (3, True, None)
    assert sketch.singletons() == 2
    assert sketch.top(2) == ([("a", 3), ("b", 1)], True, 0)


def test_hll_distinct_on_100k_values_stays_inside_its_bound() -> None:
    n = 100_000
    for kind, family, make in (
        (ValueKind.NUMERIC, TypeFamily.INTEGER, lambda i: i),
        (ValueKind.STRING, TypeFamily.STRING, lambda i: f"id-{i:08d}"),
        (ValueKind.NUMERIC, TypeFamily.DECIMAL, lambda i: Decimal(i) / 100),
    ):
        sketch = ColumnSketch(kind, family, SketchConfig(counts_cap=5_000))
        _feed(sketch, [make(i) for i in range(n)] + [make(i) for i in range(0, n, 2)])
        count, exact, error = sketch.distinct()
        assert not exact and error is not None and error < 0.02
        assert abs(count - n) / n <= error, (family, count)
        assert sketch.singletons() is None


def test_frequent_items_after_a_spill() -> None:
    rng = random.Random(1)
    values: list[object] = [f"rare{i}" for i in range(30_000)]
    values += ["hot"] * 5_000 + ["warm"] * 2_000
    rng.shuffle(values)
    sketch = ColumnSketch(ValueKind.STRING, TypeFamily.STRING, SketchConfig(counts_cap=1_000))
    _feed(sketch, values)
    top, exact, error = sketch.top(2)
    assert not exact and error > 0
    assert [t[0] for t in top] == ["hot", "warm"]
    assert abs(top[0][1] - 5_000) <= error and abs(top[1][1] - 2_000) <= error
    # the counter goes on thinned: a share of the values, with their exact counts
    # (each halving keeps about half of more than the cap — binomially, with Python's salted
    # string hash deciding which half: well above a quarter of the cap, never above it)
    assert 250 < len(sketch.counts) <= 1_000 and sketch.rate < 1
    assert sketch.counts.get("hot", 5_000) == 5_000


def test_nan_and_infinities_are_counted_apart() -> None:
    sketch = ColumnSketch(ValueKind.NUMERIC, TypeFamily.FLOAT, SketchConfig())
    _feed(sketch, [1.0, math.nan, math.inf, -math.inf, math.nan, 2.0, None])
    assert (sketch.nan, sketch.pos_inf, sketch.neg_inf) == (2, 1, 1)
    assert sketch.kll.n == 2 and sketch.kll.get_max_value() == 2.0
    assert sketch.distinct() == (5, True, None)  # NaN counts once, like SQL's DISTINCT


def test_long_text_is_truncated_but_stays_distinct() -> None:
    sketch = ColumnSketch(ValueKind.STRING, TypeFamily.STRING, SketchConfig(max_value_length=10))
    _feed(sketch, ["x" * 50, "x" * 51, "short"])
    assert sketch.distinct()[0] == 3
    assert all(len(str(k)) < 50 for k in sketch.counts)  # 10 characters and a digest


def test_extremes_keep_the_smallest_and_largest() -> None:
    sketch = ColumnSketch(ValueKind.NUMERIC, TypeFamily.INTEGER, SketchConfig())
    values = list(range(1000))
    random.Random(2).shuffle(values)
    _feed(sketch, values, batch=37)
    assert sketch.low == [0, 1, 2, 3, 4] and sketch.high == [995, 996, 997, 998, 999]


def test_row_sketch_counts_duplicates_with_unhashable_values() -> None:
    rows = RowSketch()
    rows.update([(1, "a"), (1, "a"), (2, [1, 2]), (2, [1, 2]), (3, memoryview(b"x"))])
    assert rows.rows == 5 and rows.distinct_rows == 3


def test_row_keys_do_not_collide_where_python_hash_does() -> None:
    """Item 3 of issue 9: hash(-1) == hash(-2), and integers collide modulo 2**61 - 1."""
    assert hash(-1) == hash(-2) and hash(1) == hash(2**61)
    rows = RowSketch()
    rows.update([(-1,), (-2,), (5,), (1,), (2**61,)])
    assert rows.distinct_rows == 5
    column = ColumnSketch(ValueKind.NUMERIC, TypeFamily.INTEGER, SketchConfig(counts_cap=2))
    _feed(column, [-1, -2, 1, 2**61, 3])
    assert round(column.hll.get_estimate()) == 5
    # values SQL calls equal are one row
    rows = RowSketch()
    rows.update([(1, Decimal("1.10")), (1.0, Decimal("1.1")), (-0.0, math.nan), (0, math.nan)])
    assert rows.distinct_rows == 2
    # a value's key does not depend on what else its batch holds
    rows = RowSketch()
    for batch in ([(1, "a")], [(1.0, "a"), (2.5, None)], [(2**60, None)], [(float(2**60), None)]):
        rows.update(batch)
    rows.update([(math.inf, None), (-math.inf, None), (math.inf, None)])
    assert rows.distinct_rows == 5 and rows.frequencies().f2 == 3


def test_long_text_keys_are_the_same_in_every_run() -> None:
    code = (
        "from dataready.analysis.profiling.keys import long_text_key;"
        "print(long_text_key('x' * 300, 10))"
    )
    outputs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True)
        assert done.returncode == 0, done.stderr
        outputs.add(done.stdout)
    assert len(outputs) == 1
    sketch = ColumnSketch(ValueKind.STRING, TypeFamily.STRING, SketchConfig(max_value_length=10))
    _feed(sketch, ["y" * 50])
    assert list(sketch.counts) == [long_text_key("y" * 50, 10)]


def test_thinned_counter_estimates_the_frequencies() -> None:
    rng = random.Random(5)
    values: list[object] = [i for i in range(20_000) for _ in range(2)]
    values += range(20_000, 50_000)
    rng.shuffle(values)
    sketch = ColumnSketch(ValueKind.NUMERIC, TypeFamily.INTEGER, SketchConfig(counts_cap=4_000))
    _feed(sketch, values)
    freq = sketch.frequencies()
    assert sketch.rate < 0.2 and freq.kept <= 4_000
    assert abs(freq.f1 - 30_000) < 0.1 * 30_000 and abs(freq.f2 - 20_000) < 0.1 * 20_000


def test_an_unreadable_value_stops_only_its_sketch() -> None:
    sketch = ColumnSketch(ValueKind.NUMERIC, TypeFamily.FLOAT, SketchConfig())
    sketch.update([1.0, 2.5, None])
    assert sketch.error is None
    sketch.update([3.0, "n/a", 4.0])
    assert sketch.error is not None and "str" in sketch.error and "n/a" not in sketch.error
    before = sketch.values
    sketch.update([5.0, 6.0])  # ignored from now on
    assert sketch.values == before


def test_document_key_presence_from_text_and_objects() -> None:
    sketch = ColumnSketch(ValueKind.DOCUMENT, TypeFamily.JSON, SketchConfig(keys_cap=2))
    sketch.update(['{"a": 1, "b": 2}', {"a": 3}, "[1, 2]", "not json", None, {"c": 1}])
    assert sketch.objects == 3  # the array, the invalid text and the null hold no keys
    assert dict(sketch.keys) == {"a": 2, "b": 1}  # "c" past the cap of two keys
    assert not sketch.keys_complete
    assert sketch.values == 5 and sketch.nulls == 1


def test_array_elements_are_counted() -> None:
    sketch = ColumnSketch(ValueKind.ARRAY, TypeFamily.ARRAY, SketchConfig())
    sketch.update([[1, 2], [], [2, None], "{1,2}", None])
    assert (sketch.arrays, sketch.element_total) == (3, 4)  # text arrays are not parsed
    assert dict(sketch.elements) == {"1": 1, "2": 2}
    assert sketch.counts["[]"] == 1 and sketch.counts["{1,2}"] == 1
