"""The estimators' stated 95% bounds, checked empirically on many seeded random samples.

Each test draws uniform samples (without replacement) from a known population, asks the
estimator for its interval, and counts how often the truth falls inside: a 95% bound must
hold in at least ~95% of samples (we allow 93% for the noise of 100-200 trials).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import numpy as np
import pytest

from dataready.analysis.profiling.estimates import (
    Scale,
    estimate_distinct,
    estimate_unique,
    extrapolated_rows,
    sample_rank_error,
    select_top,
)
from dataready.analysis.profiling.sketches import ColumnSketch, Frequencies, SketchConfig
from dataready.domain.profiling import ValueKind
from dataready.sql.types import TypeFamily

N = 20_000
_RNG = np.random.default_rng(2024)
POPULATIONS: dict[str, Callable[[], np.ndarray]] = {
    "unique": lambda: np.arange(N),
    "uniform_2000x10": lambda: np.arange(N) % 2_000,
    "each_twice": lambda: np.arange(N) // 2,
    "zipf_1.1": lambda: _RNG.zipf(1.1, N),
    "zipf_1.5": lambda: _RNG.zipf(1.5, N),
    "geometric": lambda: _RNG.geometric(0.002, N),
    "lognormal": lambda: np.round(_RNG.lognormal(5, 2, N)).astype(np.int64),
    "constant_half_unique_half": lambda: np.where(np.arange(N) < N // 2, -1, np.arange(N)),
    "ten_values": lambda: np.arange(N) % 10,
    "rare_tail": lambda: np.where(np.arange(N) < N - 200, np.arange(N) % 7, np.arange(N)),
}


def _frequencies(sample: np.ndarray) -> Frequencies:
    tally = Counter(Counter(sample.tolist()).values())
    f1, f2, seen = tally.get(1, 0), tally.get(2, 0), sum(tally.values())
    return Frequencies(f1, f2, seen - f1 - f2, kept_f1=f1, kept=seen, rate=1.0)


@pytest.mark.parametrize("name", sorted(POPULATIONS))
@pytest.mark.parametrize("share", [0.02, 0.1, 0.4])
def test_distinct_interval_holds_for_any_column(name: str, share: float) -> None:
    population = POPULATIONS[name]()
    truth = len(np.unique(population))
    unique_truth = int((np.unique(population, return_counts=True)[1] == 1).sum())
    rng = np.random.default_rng(7)
    n = int(N * share)
    inside = unique_inside = 0
    trials = 100
    for _ in range(trials):
        freq = _frequencies(population[rng.choice(N, n, replace=False)])
        found = estimate_distinct(freq, n, N)
        assert found.low <= found.estimate <= found.high
        inside += found.low <= truth <= found.high
        _, (low, high) = estimate_unique(freq, n, N, found)
        unique_inside += low <= unique_truth <= high
    assert inside / trials >= 0.93, (name, share, inside)
    assert unique_inside / trials >= 0.93, (name, share, unique_inside)


def test_distinct_estimate_is_close_on_uniform_and_unique_columns() -> None:
    rng = np.random.default_rng(3)
    for population, truth in ((np.arange(N) % 2_000, 2_000), (np.arange(N), N)):
        errors = []
        for _ in range(50):
            freq = _frequencies(population[rng.choice(N, 2_000, replace=False)])
            errors.append(estimate_distinct(freq, 2_000, N).estimate / truth - 1)
        assert abs(float(np.mean(errors))) < 0.02 and max(map(abs, errors)) < 0.1


def test_count_interval() -> None:
    rng = np.random.default_rng(11)
    for truth, n in ((12_000, 2_000), (600, 2_000), (25, 2_000), (3, 4_000), (0, 1_000)):
        population = np.zeros(N, dtype=bool)
        population[:truth] = True
        scale, inside, trials = Scale(n, N), 0, 500
        for _ in range(trials):
            count = int(population[rng.choice(N, n, replace=False)].sum())
            estimate, bounds = scale.count(count)
            assert bounds is not None and bounds[0] <= estimate <= bounds[1]
            inside += bounds[0] <= truth <= bounds[1]
        assert inside / trials >= 0.94, (truth, n, inside)
    assert Scale(N, N).count(7) == (7, None)  # every row read: exact, no interval
    assert Scale(10, 1_000, uniform=False).count(3) == (300, None)  # no bound holds


def test_extrapolated_row_count() -> None:
    rng = np.random.default_rng(5)
    inside, trials = 0, 1_000
    for _ in range(trials):
        rows = int((rng.random(N) < 0.05).sum())  # a Bernoulli sample of 5%
        estimate, (low, high) = extrapolated_rows(rows, 0.05)
        assert low <= estimate <= high
        inside += low <= N <= high
    assert inside / trials >= 0.93  # nominal 95%: 94.9% measured over 2,000 samples


def test_sample_rank_error_bounds_quantiles() -> None:
    rng = np.random.default_rng(13)
    population = np.sort(rng.lognormal(3, 1, N))
    for m in (500, 2_000, 10_000):
        error, outside, checks = sample_rank_error(m, N), 0, 0
        for _ in range(100):
            sample = np.sort(population[rng.choice(N, m, replace=False)])
            for level in (0.01, 0.25, 0.5, 0.75, 0.99):
                value = sample[min(m - 1, int(level * m))]
                rank = np.searchsorted(population, value, side="right") / N
                outside += abs(rank - level) > error
                checks += 1
        assert outside / checks <= 0.05, (m, outside, error)  # measured: below 0.5%
    assert sample_rank_error(N, N) == 0.0


def test_top_values_only_when_the_sample_can_tell() -> None:
    scale = Scale(2_000, 20_000)
    two = select_top([("a", 1_210), ("b", 790)], 10, scale, sketch_error=0, complete=True)
    assert two.status == "estimated" and [i["value"] for i in two.items] == ["a", "b"]
    for item, truth in zip(two.items, (12_000, 8_000), strict=True):
        assert abs(item["count"] - truth) <= item["error"]  # type: ignore[operator]
    unique = select_top([(i, 1) for i in range(11)], 10, scale, sketch_error=0, complete=False)
    assert unique.status == "no_frequent_values" and unique.items == []
    # 599 values of about equal frequency: counts within their bounds of each other
    even = [(i, 4 - i // 4) for i in range(11)]
    assert select_top(even, 10, scale, sketch_error=0, complete=True).items == []
    # one clear leader, then a crowd: only the leader is vouched for
    leader = select_top([("x", 500), *[(i, 3) for i in range(10)]], 10, scale,
                        sketch_error=0, complete=True)  # fmt: skip
    assert [i["value"] for i in leader.items] == ["x"]
    exact = select_top([("a", 3), ("b", 1)], 10, Scale(4, 4), sketch_error=0, complete=True)
    assert exact.status == "exact" and exact.items[0] == {"value": "a", "count": 3, "error": 0}


def test_top_value_counts_hold_their_error() -> None:
    rng = np.random.default_rng(17)
    population = np.concatenate([np.zeros(9_000), np.ones(5_000), np.arange(2, 6_002)])
    truth = {0: 9_000, 1: 5_000}
    inside = total = 0
    for _ in range(200):
        tally = Counter(population[rng.choice(N, 2_000, replace=False)].tolist())
        pairs = tally.most_common(11)
        found = select_top(pairs, 10, Scale(2_000, N), sketch_error=0, complete=True)
        assert [i["value"] for i in found.items] == [0, 1]
        for item in found.items:
            total += 1
            inside += abs(item["count"] - truth[item["value"]]) <= item["error"]  # type: ignore[index, operator]
    assert inside / total >= 0.95


@pytest.mark.parametrize("name", ["unique", "uniform_2000x10", "each_twice", "zipf_1.5"])
def test_distinct_interval_holds_with_a_thinned_counter(name: str) -> None:
    """Past ``counts_cap`` the counter keeps a hash share of the values: still inside."""
    population = POPULATIONS[name]()
    truth = len(np.unique(population))
    rng = np.random.default_rng(19)
    inside, trials, n = 0, 60, 4_000
    for _ in range(trials):
        sketch = ColumnSketch(ValueKind.NUMERIC, TypeFamily.INTEGER, SketchConfig(counts_cap=300))
        sketch.update(population[rng.choice(N, n, replace=False)].tolist())
        found = estimate_distinct(sketch.frequencies(), n, N)
        inside += found.low <= truth <= found.high
    assert inside / trials >= 0.93, (name, inside)
