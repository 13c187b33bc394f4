"""Distributions of numbers: quantiles, Freedman-Diaconis histograms and outliers.

Two sources answer the same questions. When a column's exact counts cover the whole table
(small tables, few distinct values) the answers are exact: quantiles interpolate linearly
between order statistics like ``percentile_cont``, histogram and outlier counts are counted.
Otherwise a KLL sketch answers with a stated normalised rank error.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Distribution:
    """Sorted finite values with their counts (exact) — the alternative to a KLL sketch."""

    values: list[float]
    counts: list[int]

    @classmethod
    def from_counts(cls, counts: Mapping[Any, int]) -> Distribution:
        pairs = sorted(
            (float(value), count)
            for value, count in counts.items()
            if not isinstance(value, str) and math.isfinite(float(value))
        )
        return cls([p[0] for p in pairs], [p[1] for p in pairs])

    @property
    def total(self) -> int:
        return sum(self.counts)

    def quantile(self, q: float) -> float | None:
        """``percentile_cont(q)``: linear interpolation between the order statistics."""
        total = self.total
        if not total:
            return None
        position = (total - 1) * q
        lower = math.floor(position)
        fraction = position - lower
        low = self._order_statistic(lower)
        if fraction == 0:
            return low
        high = self._order_statistic(lower + 1)
        return low + (high - low) * fraction

    def _order_statistic(self, index: int) -> float:
        seen = 0
        for value, count in zip(self.values, self.counts, strict=True):
            seen += count
            if index < seen:
                return value
        return self.values[-1]

    def count_below(self, bound: float) -> int:
        return sum(self.counts[: bisect.bisect_left(self.values, bound)])

    def count_above(self, bound: float) -> int:
        return sum(self.counts[bisect.bisect_right(self.values, bound) :])


def fd_edges(low: float, high: float, q1: float, q3: float, n: int, max_bins: int) -> list[float]:
    """Histogram edges by the Freedman-Diaconis rule, at most ``max_bins`` bins.

    Bin width ``2 * IQR / n**(1/3)``; with no spread between the quartiles, Sturges' rule
    (``log2(n) + 1`` bins) decides instead. One bin when every value is the same.
    """
    if not (math.isfinite(low) and math.isfinite(high)) or n <= 0:
        return []
    if high <= low:
        return [low, high]
    width = 2.0 * (q3 - q1) / n ** (1.0 / 3.0)
    bins = math.ceil((high - low) / width) if width > 0 else math.ceil(math.log2(n)) + 1
    bins = max(1, min(max_bins, bins))
    step = (high - low) / bins
    return [low + step * i for i in range(bins)] + [high]


def exact_histogram(dist: Distribution, edges: Sequence[float]) -> list[int]:
    """Counts per bin ``[e_i, e_{i+1})``, the last bin closed."""
    if len(edges) < 2:
        return []
    counts = [0] * (len(edges) - 1)
    inner = list(edges[1:-1])
    for value, count in zip(dist.values, dist.counts, strict=True):
        counts[bisect.bisect_right(inner, value)] += count
    return counts


def sketch_histogram(kll: Any, edges: Sequence[float], total: int) -> list[int]:
    """Estimated counts per bin from a KLL sketch, scaled to ``total`` values."""
    if len(edges) < 2:
        return []
    if len(edges) == 2:
        return [total]
    masses = kll.get_pmf(list(edges[1:-1]), False)
    return [round(m * total) for m in masses]


@dataclass(frozen=True, slots=True)
class Fences:
    low: float
    high: float

    @classmethod
    def iqr(cls, q1: float, q3: float) -> Fences:
        spread = q3 - q1
        return cls(q1 - 1.5 * spread, q3 + 1.5 * spread)

    @classmethod
    def sigma(cls, mean: float, stddev: float) -> Fences:
        return cls(mean - 3.0 * stddev, mean + 3.0 * stddev)

    def outside(self, values: Sequence[float]) -> list[float]:
        return [v for v in values if v < self.low or v > self.high]


def exact_outliers(dist: Distribution, fences: Fences) -> int:
    return dist.count_below(fences.low) + dist.count_above(fences.high)


def sketch_outliers(kll: Any, fences: Fences, total: int) -> int:
    """Values beyond the fences, estimated from the KLL ranks and scaled to ``total``."""
    if kll.is_empty():
        return 0
    below: float = kll.get_rank(fences.low, False)
    above: float = 1.0 - kll.get_rank(fences.high, True)
    return round((below + above) * total)


def stddev_from_sums(count: int, total: float, squares: float) -> float | None:
    """Sample standard deviation from the count, the sum and the sum of squares."""
    if count < 2:
        return None
    variance = (squares - total * total / count) / (count - 1)
    return math.sqrt(max(variance, 0.0))
