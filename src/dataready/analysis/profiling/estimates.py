"""Population figures from a uniform sample, each with its 95% interval.

A sampled profile states every count for the *table* (one scale: the population), so each
count read from a sample is scaled up and carries an interval. The profiler's samples are
uniform random samples of rows (:mod:`dataready.sql.profile_sample`); a sample that is not
(page sampling, the first rows) gets estimates without an interval, because none holds.

Counts (``Scale.count``)
    A count ``c`` among ``n`` sampled rows of ``N`` estimates ``c * N / n``. Its interval is
    Garwood's exact Poisson interval for ``c`` (through the Wilson-Hilferty approximation of
    the chi-square quantiles), narrowed by the finite-population correction ``sqrt(1 - n/N)``
    and scaled by ``N / n``; it never goes below ``c`` (those rows were seen) nor above
    ``N - (n - c)``. Under Bernoulli sampling the count is a sum of independent indicators,
    for which the Poisson interval is conservative (it ignores the binomial's ``1 - p``).
    Totals (sums) use the Horvitz-Thompson variance ``(N/n)^2 (1 - n/N) sum(x^2)``
    (Särndal, Swensson and Wretman 1992, *Model Assisted Survey Sampling*, §2.8).

Distinct counts (``estimate_distinct``)
    The point estimate is Chao and Lin's estimator for sampling without replacement (Chao and
    Lin 2012, "Nonparametric lower bounds for species richness and shared species richness
    under sampling without replacement", *Biometrics* 68: 912-921):
    ``d + f1^2 / (2 f2 n/(n-1) + f1 q/(1-q))`` for ``d`` distinct values in a sample of ``n``
    of ``N`` values (``q = n/N``), ``f1`` of them seen once and ``f2`` twice. It becomes
    ``d`` as ``q`` reaches 1 and, with no value seen twice, ``N`` for a unique column. It is a
    *lower bound* in expectation: on skewed columns (Zipf-like frequencies) it underestimates,
    as every estimator must on some columns (Charikar, Chaudhuri, Motwani and Narasayya 2000,
    "Towards estimation error guarantees for distinct values", PODS: no estimator reading
    ``n`` of ``N`` rows has a ratio error below ``sqrt((N - n) / (2n) ln(1/δ))`` on all
    columns). The interval is therefore built to hold for *any* column:

    - low: the larger of the values seen (certain) and the lower end of Chao's log-normal
      interval (Chao 1987, *Biometrics* 43: 783-791) around the estimate, with the variance by
      the delta method over the multinomial frequencies;
    - high: distribution-free. A value with ``k`` rows is missed by a Bernoulli(q) sample with
      probability ``(1-q)^k`` and seen exactly once with probability ``k q (1-q)^(k-1)``; the
      ratio is at most ``(1-q)/q`` (at ``k = 1``), so the expected number of unseen values is
      at most ``(1-q)/q`` times the expected ``f1``. An upper Poisson bound of ``f1`` and of
      the unseen count (and, for a thinned counter, of the values seen; each at 99.17%) give
      the 95% upper end: wide when many values were seen once, as it must be.

    Empirically (``tests/analysis/profiling/test_estimates.py``: unique, uniform, Zipf,
    geometric, log-normal, constant-plus-unique and rare-tail columns at 2-40% samples) the
    true count lies inside the interval in at least 95% of samples.

Quantiles (``sample_rank_error``)
    A quantile read from a sample of ``m`` of ``N`` values is off in rank by at most
    ``sqrt(ln(2/0.05) (1 - (m-1)/N) / (2m))`` at 95% (Hoeffding's inequality for sampling
    without replacement, Serfling 1974, *Annals of Statistics* 2: 39-48); the KLL sketch's own
    rank error adds to it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dataready.analysis.profiling.sketches import Frequencies

Z95 = 1.959963984540054
"""Two-sided 95%: each side 2.5%."""
Z_SIDE = 2.393979405
"""One side at 99.17%: three such events together hold at 97.5% (the upper end of a 95%
interval whose other end is a separate 2.5% event)."""
ALPHA = 0.05


def poisson_low(count: float, z: float = Z95) -> float:
    """Garwood's lower end for a Poisson count (Wilson-Hilferty), 0 for a count of 0."""
    if count <= 0:
        return 0.0
    return max(0.0, count * (1.0 - 1.0 / (9.0 * count) - z / (3.0 * math.sqrt(count))) ** 3)


def poisson_high(count: float, z: float = Z95) -> float:
    """Garwood's upper end for a Poisson count (Wilson-Hilferty): 3.69 for a count of 0."""
    c1 = max(count, 0.0) + 1.0
    return c1 * (1.0 - 1.0 / (9.0 * c1) + z / (3.0 * math.sqrt(c1))) ** 3


@dataclass(frozen=True, slots=True)
class Scale:
    """How ``seen`` sampled items stand for ``population`` items."""

    seen: int
    population: int
    uniform: bool = True
    population_high: int | None = None
    """The upper end of ``population`` when it is itself an estimate (extrapolated)."""

    @property
    def exact(self) -> bool:
        """Every item was read: no scaling, no interval."""
        return self.seen >= self.population

    @property
    def factor(self) -> float:
        return self.population / self.seen if self.seen else 1.0

    @property
    def fraction(self) -> float:
        return min(1.0, self.seen / self.population) if self.population else 1.0

    def count(self, count: int | None) -> tuple[int | None, list[int] | None]:
        """``count`` of the sample for the population, with its 95% interval."""
        if count is None:
            return None, None
        if self.exact:
            return count, None
        estimate = round(count * self.factor)
        if not self.uniform:
            return estimate, None
        low, high = self.interval(count)
        return min(max(estimate, low), high), [low, high]

    def interval(self, count: int, widen: float = 0.0) -> tuple[int, int]:
        """The 95% interval of the population count behind a sample count.

        ``widen``: how far the sample count itself may be off (a sketch's error).
        """
        if self.exact and not widen:
            return count, count
        shrink = math.sqrt(1.0 - self.fraction)
        low = count - widen - (count - poisson_low(count)) * shrink
        high = count + widen + (poisson_high(count) - count) * shrink
        floor = max(0, math.floor(count - widen))  # seen (up to the sketch's error)
        rows = self.population if self.population_high is None else self.population_high
        ceiling = rows - max(0, self.seen - math.ceil(count + widen))
        return (
            max(floor, math.floor(low * self.factor)),
            max(floor, min(ceiling, math.ceil(high * self.factor))),
        )

    def total(
        self, total: float | None, squares: float | None
    ) -> tuple[float | None, list[float] | None]:
        """A sum over the sample for the population (Horvitz-Thompson), with its interval."""
        if total is None:
            return None, None
        if self.exact:
            return total, None
        estimate = total * self.factor
        if not self.uniform or squares is None:
            return estimate, None
        half = Z95 * self.factor * math.sqrt(max(0.0, (1.0 - self.fraction) * squares))
        return estimate, [estimate - half, estimate + half]


class ScaledCounts:
    """Scales a sample's counts to the table and collects their intervals by figure name."""

    def __init__(self, scale: Scale) -> None:
        self.scale = scale
        self.bounds: dict[str, list[Any]] = {}

    def count(self, name: str, value: Any) -> int | None:
        estimate, bounds = self.scale.count(None if value is None else int(value))
        if bounds is not None:
            self.bounds[name] = bounds
        return estimate

    def bound(self, name: str, bounds: list[Any]) -> None:
        self.bounds[name] = bounds


def extrapolated_rows(rows: int, fraction: float) -> tuple[int, list[int]]:
    """The table's rows from a Bernoulli sample of ``rows`` at ``fraction``, with the 95%
    interval (Poisson, with the finite-population correction)."""
    fraction = min(max(fraction, 1e-12), 1.0)
    estimate = round(rows / fraction)
    shrink = math.sqrt(1.0 - fraction)
    low = (rows - (rows - poisson_low(rows)) * shrink) / fraction
    high = (rows + (poisson_high(rows) - rows) * shrink) / fraction
    return estimate, [max(rows, math.floor(low)), max(estimate, math.ceil(high))]


def mean_interval(mean: float | None, stddev: float | None, scale: Scale) -> list[float] | None:
    """The 95% interval of a mean read from a uniform sample (normal approximation)."""
    if mean is None or stddev is None or scale.exact or not scale.uniform or not scale.seen:
        return None
    half = Z95 * stddev * math.sqrt((1.0 - scale.fraction) / scale.seen)
    return [mean - half, mean + half]


def sample_rank_error(sampled: int, population: int) -> float:
    """The rank error (95%) of a quantile read from ``sampled`` of ``population`` values."""
    if sampled <= 0:
        return 1.0
    if sampled >= population:
        return 0.0
    correction = 1.0 - (sampled - 1) / population
    return math.sqrt(math.log(2.0 / ALPHA) * correction / (2.0 * sampled))


@dataclass(frozen=True, slots=True)
class DistinctEstimate:
    estimate: int
    low: int
    high: int

    @property
    def relative_error(self) -> float:
        """The interval's widest side relative to the estimate."""
        if self.estimate <= 0:
            return 0.0
        return max(self.estimate - self.low, self.high - self.estimate) / self.estimate


def _chao_lin(f1: float, f2: float, rest: float, n: int, q: float) -> float:
    seen = f1 + f2 + rest
    if f1 <= 0 or q >= 1.0:
        return seen
    correction = n / (n - 1) if n > 1 else 1.0
    denominator = 2.0 * correction * f2 + f1 * q / (1.0 - q)
    return seen + f1 * f1 / denominator if denominator > 0 else seen


def _delta_variance(estimate: Callable[[float, float, float], float], freq: Frequencies) -> float:
    """The delta-method variance of ``estimate(f1, f2, rest)`` over multinomial frequencies,
    plus the variance of thinning (each frequency class kept by an independent binomial)."""
    point = (freq.f1, freq.f2, freq.rest)
    total = max(estimate(*point), 1.0)
    gradient = []
    for k in range(3):
        step = max(1e-3, 1e-4 * point[k])
        up, down = list(point), list(point)
        up[k] += step
        down[k] = max(0.0, down[k] - step)
        gradient.append((estimate(*up) - estimate(*down)) / (up[k] - down[k]))
    weighted = sum(g * g * f for g, f in zip(gradient, point, strict=True))
    linear = sum(g * f for g, f in zip(gradient, point, strict=True))
    variance = weighted - linear * linear / total
    if freq.rate < 1.0:
        variance += weighted * (1.0 - freq.rate) / freq.rate
    return max(variance, 0.0)


def estimate_distinct(
    freq: Frequencies,
    sampled: int,
    population: int,
    *,
    seen_floor: int = 0,
    population_high: int | None = None,
) -> DistinctEstimate:
    """Distinct values among ``population`` values, from a uniform sample of ``sampled``.

    Args:
        freq: the sample's frequencies (:meth:`ColumnSketch.frequencies`).
        sampled: values in the sample.
        population: values in the table (non-null rows).
        seen_floor: distinct values known to exist (e.g. an exact ``COUNT(DISTINCT)`` over
            another sample of the same table).
        population_high: the upper end of ``population`` when it is itself estimated (an
            extrapolated row count): the distinct count's upper end may reach it.
    """
    population = max(population, sampled)
    room = max(population_high or population, population) - population
    seen = freq.seen
    certain = max(freq.kept, seen_floor)
    if sampled <= 0:
        return DistinctEstimate(certain, certain, max(certain, population))
    q = min(1.0, sampled / population)
    # Thinning makes the seen count itself an estimate.
    spread = Z_SIDE * math.sqrt(seen * (1.0 - freq.rate) / freq.rate) if freq.rate < 1 else 0.0
    # The most values there can be: every unseen row a new value (the sample holds at most
    # ``sampled`` values, and exactly ``seen`` unless the counter was thinned).
    ceiling = population if freq.rate < 1 else min(population, round(seen) + population - sampled)
    ceiling += room
    if q >= 1.0:
        exact = max(certain, round(seen))
        return DistinctEstimate(
            exact,
            max(certain, math.floor(seen - spread)),
            max(exact, min(ceiling, math.ceil(seen + spread))),
        )

    def chao(f1: float, f2: float, rest: float) -> float:
        return _chao_lin(f1, f2, rest, sampled, q)

    point = chao(freq.f1, freq.f2, freq.rest)
    unseen = point - seen
    variance = _delta_variance(chao, freq)
    low = seen - spread
    if unseen > 0 and variance > 0:
        k = math.exp(Z95 * math.sqrt(math.log(1.0 + variance / (unseen * unseen))))
        low = seen + unseen / k - spread
    # Distribution-free upper end: E[unseen] <= (1-q)/q * E[f1].
    f1_high = poisson_high(freq.kept_f1, Z_SIDE) / freq.rate
    unseen_mean = f1_high * (1.0 - q) / q
    unseen_high = unseen_mean + Z_SIDE * math.sqrt(unseen_mean) + Z_SIDE * Z_SIDE
    high = min(ceiling, math.ceil(seen + spread + unseen_high))
    low_int = min(high, max(certain, math.floor(low)))
    return DistinctEstimate(min(max(round(point), low_int), high), low_int, high)


def estimate_unique(
    freq: Frequencies, sampled: int, population: int, distinct: DistinctEstimate
) -> tuple[int, list[int]]:
    """Values that occur exactly once among ``population`` values, from a uniform sample.

    The estimate removes from the sample's singletons those that values of two rows explain
    (``(f1 - 2 f2 (1-q)/q) / q``); the interval follows from the distinct interval: at least
    ``2 D - N`` values are unique (a repeated value takes two rows), and a value the sample saw
    twice is not.
    """
    population = max(population, sampled)
    q = min(1.0, sampled / population) if population else 1.0
    repeated = (freq.kept - freq.kept_f1) / freq.rate  # seen at least twice: not unique
    rows = max(population, distinct.high)  # the distinct interval may allow for a larger table
    high = max(0, min(distinct.high - math.floor(repeated), rows - 2 * math.floor(repeated)))
    low = min(high, max(0, 2 * distinct.low - population))
    guess = freq.f1 if q >= 1.0 else (freq.f1 - 2.0 * freq.f2 * (1.0 - q) / q) / q
    return min(max(round(guess), low), high), [low, high]


@dataclass(frozen=True, slots=True)
class TopValues:
    status: str
    """``exact``, ``estimated``, ``no_frequent_values`` or ``sample_not_uniform``."""
    items: list[dict[str, object]]
    """``{"value", "count", "error"}``: the count for the table and its 95% bound."""


def select_top(
    pairs: list[tuple[object, int]], n: int, scale: Scale, *, sketch_error: int, complete: bool
) -> TopValues:
    """The most frequent values a sample can vouch for, with their counts for the table.

    ``pairs`` are up to ``n + 1`` (value, sample count) pairs, most frequent first;
    ``sketch_error`` bounds how far a frequent-items sketch's count may be off, and the
    counts of values it did not list; ``complete``: ``pairs`` come from an exact counter of
    every sampled value. The first ``k`` values are listed for the largest ``k <= n`` at which
    the lower end of the ``k``-th value's count is above the upper end of the best value left
    out: then the sample shows that these are the most frequent ones. When no ``k`` qualifies
    (no value seen twice, or counts within their bounds of each other) nothing is listed.
    """
    if scale.exact and complete:
        return TopValues("exact", [{"value": v, "count": c, "error": 0} for v, c in pairs[:n]])
    if not scale.uniform:
        items = [{"value": v, "count": round(c * scale.factor), "error": None} for v, c in pairs]
        return TopValues("sample_not_uniform", items[:n])
    bounds = [scale.interval(c, sketch_error) for _, c in pairs]
    left_out = 0 if complete else sketch_error
    best = 0
    for k in range(1, min(n, len(pairs)) + 1):
        rival = pairs[k][1] if k < len(pairs) else left_out
        if bounds[k - 1][0] > scale.interval(rival, sketch_error)[1]:
            best = k
    if best == 0:
        return TopValues("no_frequent_values", [])
    items = []
    for (value, count), (low, high) in zip(pairs[:best], bounds, strict=False):
        estimate = min(max(round(count * scale.factor), low), high)
        error = max(estimate - low, high - estimate)
        items.append({"value": value, "count": estimate, "error": error})
    return TopValues("estimated", items)
