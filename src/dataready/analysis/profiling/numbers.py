"""The numeric part of a column profile: sums, spread, quantiles, histogram, outliers.

Quantiles come from one of three sources, best first: the engine (``PERCENTILE_CONT`` over
the rows the aggregate read), the exact counts of a fully streamed column, or the KLL sketch
of the streamed sample. A sample's quantiles carry a rank error that adds the sketch's own
error to the sample's (:func:`~dataready.analysis.profiling.estimates.sample_rank_error`),
and an interval per level: the sketch's values at the level minus and plus that error. A
histogram or outlier count read from the sketch is off by at most twice the rank error times
the column's finite values (each is a difference of two ranks): ``count_error``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from dataready.analysis.profiling.distinct import ColumnMeta, PassFacts
from dataready.analysis.profiling.estimates import (
    Scale,
    ScaledCounts,
    mean_interval,
    sample_rank_error,
)
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
from dataready.analysis.profiling.results import ColumnProfile
from dataready.analysis.profiling.sketches import ColumnSketch
from dataready.analysis.profiling.sketchlib import kll_rank_error
from dataready.sql.profile import QUANTILE_LEVELS
from dataready.sql.types import TypeFamily


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def numbers(
    profile: ColumnProfile,
    counts: ScaledCounts,
    meta: ColumnMeta,
    metrics: Mapping[str, Any],
    sketch: ColumnSketch | None,
    exact_sketch: bool,
    facts: PassFacts,
    bins_max: int,
) -> None:
    """Fill the numeric figures of ``profile``, counts scaled to the table."""
    integer = meta.family is TypeFamily.INTEGER
    convert = _int if integer else _float
    profile.min, profile.max = convert(metrics.get("min")), convert(metrics.get("max"))
    finite = int(metrics.get("finite", metrics.get("non_null")) or 0)
    total = metrics.get("sum")
    profile.mean = float(total) / finite if total is not None and finite else None
    stddev = _float(metrics.get("stddev"))
    squares = _float(metrics.get("sum_squares"))
    if stddev is None and squares is not None:
        stddev = stddev_from_sums(finite, float(total or 0), squares)
    if squares is None and stddev is not None and profile.mean is not None:
        squares = (finite - 1) * stddev * stddev + finite * profile.mean * profile.mean
    profile.stddev = stddev if finite > 1 else None
    scale = counts.scale
    estimate, bounds = scale.total(_float(total), squares)
    if scale.exact or estimate is None:
        profile.sum = convert(total)
    else:
        profile.sum = round(estimate) if integer else estimate
    if bounds is not None:
        counts.bound("sum", bounds)
    finite_scale = Scale(finite, scale.count(finite)[0] or 0, scale.uniform)
    if (mean_bounds := mean_interval(profile.mean, stddev, finite_scale)) is not None:
        counts.bound("mean", mean_bounds)
    profile.zero_count = counts.count("zero_count", metrics.get("zero"))
    profile.negative_count = counts.count("negative_count", metrics.get("negative"))
    if meta.family is TypeFamily.FLOAT:
        profile.nan_count = counts.count("nan_count", metrics.get("nan") or 0)
        profile.positive_infinity_count = counts.count(
            "positive_infinity_count", metrics.get("pos_inf") or 0
        )
        profile.negative_infinity_count = counts.count(
            "negative_infinity_count", metrics.get("neg_inf") or 0
        )
    _distribution(profile, metrics, sketch, exact_sketch, facts, finite_scale, bins_max)


def _stream_error(kll: Any, population: int, facts: PassFacts) -> float | None:
    """The KLL sketch's rank error for the table (the sample's added), ``None``: no bound."""
    if kll is None or kll.is_empty():
        return None
    uniform = facts.stream_uniform
    if not facts.stream_complete:  # the stream missed rows, whatever the estimate says
        population = max(population, int(kll.n) + 1)
    sampling = sample_rank_error(int(kll.n), population)
    if sampling > 0 and not uniform:
        return None
    return kll_rank_error(kll) + sampling


def _distribution(
    profile: ColumnProfile,
    metrics: Mapping[str, Any],
    sketch: ColumnSketch | None,
    exact_sketch: bool,
    facts: PassFacts,
    finite: Scale,
    bins_max: int,
) -> None:
    dist = Distribution.from_counts(sketch.counts) if exact_sketch and sketch else None
    kll = sketch.kll if sketch is not None else None
    population = finite.population
    stream_error = _stream_error(kll, population, facts)
    levels = QUANTILE_LEVELS
    native = metrics.get("quantiles")
    if native is not None:
        values = [_float(v) for v in native]
        profile.quantiles_exact = finite.exact
        if not finite.exact:
            uniform = facts.aggregate_uniform
            error = sample_rank_error(finite.seen, population) if uniform else None
            profile.quantiles_rank_error = error
    elif dist is not None and dist.total:
        values = [dist.quantile(q) for q in levels]
        profile.quantiles_exact, profile.quantiles_rank_error = True, None
    elif kll is not None and not kll.is_empty():
        values = [float(v) for v in kll.get_quantiles(list(levels))]
        profile.quantiles_exact, profile.quantiles_rank_error = False, stream_error
        if stream_error is not None:
            profile.quantiles_bounds = {
                _label(q): [
                    float(kll.get_quantile(max(0.0, q - stream_error))),
                    float(kll.get_quantile(min(1.0, q + stream_error))),
                ]
                for q in levels
            }
    else:
        return
    profile.quantiles = {_label(q): v for q, v in zip(levels, values, strict=True)}
    q1, q3 = values[2], values[4]
    low, high = _float(metrics.get("min")), _float(metrics.get("max"))
    if q1 is None or q3 is None or low is None or high is None:
        return
    edges = fd_edges(low, high, q1, q3, population, bins_max)
    if dist is not None:
        profile.histogram = {"edges": edges, "counts": exact_histogram(dist, edges), "exact": True}
    else:
        profile.histogram = {
            "edges": edges,
            "counts": sketch_histogram(kll, edges, population),
            "exact": False,
            "count_error": _count_error(stream_error, population),
        }
    _outliers(profile, dist, kll, sketch, Fences.iqr(q1, q3), population, stream_error)


def _label(level: float) -> str:
    return f"p{round(level * 100):02d}"


def _count_error(rank_error: float | None, population: int) -> int | None:
    return None if rank_error is None else math.ceil(2.0 * rank_error * population)


def _outliers(
    profile: ColumnProfile,
    dist: Distribution | None,
    kll: Any,
    sketch: ColumnSketch | None,
    iqr: Fences,
    finite: int,
    rank_error: float | None,
) -> None:
    extremes = sorted(set((sketch.low + sketch.high) if sketch else []))
    found: dict[str, Any] = {"exact": dist is not None}
    fences = {"iqr": iqr}
    if profile.mean is not None and profile.stddev is not None:
        fences["sigma"] = Fences.sigma(profile.mean, profile.stddev)
    for name, fence in fences.items():
        count = exact_outliers(dist, fence) if dist else sketch_outliers(kll, fence, finite)
        found[name] = {
            "low_fence": fence.low,
            "high_fence": fence.high,
            "count": count,
            "examples": fence.outside(extremes)[:10],
        }
        if dist is None:
            found[name]["count_error"] = _count_error(rank_error, finite)
    profile.outliers = found
