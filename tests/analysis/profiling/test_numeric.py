"""Exact quantiles, Freedman-Diaconis bins and outlier fences."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from dataready.analysis.profiling.numeric import (
    Distribution,
    Fences,
    exact_histogram,
    exact_outliers,
    fd_edges,
    sketch_histogram,
    sketch_outliers,
    stddev_from_sums,
)
from dataready.analysis.profiling.sketchlib import kll_rank_error, kll_sketch


def test_exact_quantiles_match_numpy_on_weighted_values() -> None:
    rng = random.Random(3)
    values = [rng.choice([1.0, 2.0, 2.5, 10.0, -4.0]) for _ in range(1001)]
    dist = Distribution.from_counts({v: values.count(v) for v in set(values)})
    for q in (0.0, 0.01, 0.25, 0.5, 0.77, 0.99, 1.0):
        assert dist.quantile(q) == pytest.approx(float(np.percentile(values, q * 100)))
    assert Distribution.from_counts({}).quantile(0.5) is None


def test_non_finite_values_are_left_out() -> None:
    dist = Distribution.from_counts({1.0: 2, math.inf: 1, float("nan"): 3, 3.0: 1})
    assert dist.values == [1.0, 3.0] and dist.total == 3


def test_freedman_diaconis_edges() -> None:
    values = [float(v) for v in range(1000)]
    q1, q3 = np.percentile(values, [25, 75])
    edges = fd_edges(0.0, 999.0, q1, q3, 1000, max_bins=100)
    width = 2 * (q3 - q1) / 1000 ** (1 / 3)
    assert len(edges) - 1 == math.ceil(999 / width)
    assert len(fd_edges(0.0, 999.0, q1, q3, 1000, max_bins=5)) == 6  # capped
    assert fd_edges(3.0, 3.0, 3.0, 3.0, 10, 50) == [3.0, 3.0]
    assert len(fd_edges(0.0, 1.0, 0.5, 0.5, 8, 50)) - 1 == 4  # no IQR: Sturges
    counts = exact_histogram(Distribution(values, [1] * 1000), edges)
    assert counts == np.histogram(values, bins=edges)[0].tolist()


def test_outliers_exact_and_from_the_sketch() -> None:
    rng = random.Random(5)
    values = [rng.gauss(0, 1) for _ in range(50_000)] + [50.0, -60.0, 70.0]
    q1, q3 = np.percentile(values, [25, 75])
    fences = Fences.iqr(q1, q3)
    expected = sum(1 for v in values if v < fences.low or v > fences.high)
    counts: dict[float, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    assert exact_outliers(Distribution.from_counts(counts), fences) == expected
    kll = kll_sketch(400)
    kll.update(np.asarray(values))
    error = kll_rank_error(kll)
    estimated = sketch_outliers(kll, fences, len(values))
    assert abs(estimated - expected) <= 2 * error * len(values)
    assert fences.outside([50.0, 0.1, -60.0]) == [50.0, -60.0]
    sigma = Fences.sigma(0.0, 1.0)
    assert (sigma.low, sigma.high) == (-3.0, 3.0)


def test_kll_quantiles_stay_inside_the_rank_error() -> None:
    rng = random.Random(9)
    values = np.asarray([rng.expovariate(1.0) for _ in range(200_000)])
    kll = kll_sketch(400)
    kll.update(values)
    error = kll_rank_error(kll)
    assert 0 < error < 0.01
    ordered = np.sort(values)
    for q in (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99):
        estimate = kll.get_quantile(q)
        rank = np.searchsorted(ordered, estimate) / len(values)
        assert abs(rank - q) <= error, q
    edges = [0.0, 1.0, 2.0, float(ordered[-1])]
    hist = sketch_histogram(kll, edges, len(values))
    exact = np.histogram(values, bins=edges)[0]
    assert all(abs(h - e) <= 2 * error * len(values) for h, e in zip(hist, exact, strict=True))


def test_stddev_from_sums() -> None:
    values = [1.0, 2.0, 4.0, 7.0]
    got = stddev_from_sums(4, sum(values), sum(v * v for v in values))
    assert got == pytest.approx(float(np.std(values, ddof=1)))
    assert stddev_from_sums(1, 1.0, 1.0) is None
