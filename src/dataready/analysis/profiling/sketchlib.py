"""The one gateway to Apache DataSketches (the ``datasketches`` package).

Everything the profiler asks of the library goes through these few functions, so a change of
the library's API touches one module.
"""

from __future__ import annotations

from typing import Any

import datasketches as _ds


def kll_sketch(k: int) -> Any:
    """A KLL quantiles sketch of doubles (normalised rank error about ``1.65 / k``)."""
    return _ds.kll_doubles_sketch(k)


def kll_rank_error(sketch: Any) -> float:
    """The sketch's normalised rank error for single quantiles (0 while it is exact)."""
    if not sketch.is_estimation_mode():
        return 0.0
    return float(sketch.normalized_rank_error(False))


def hll_sketch(lg_k: int) -> Any:
    """An HLL distinct-count sketch with ``2**lg_k`` registers (8 bits each)."""
    return _ds.hll_sketch(lg_k, _ds.tgt_hll_type.HLL_8)


def hll_error(lg_k: int) -> float:
    """The relative error bound (two standard deviations, about 95%) of an HLL sketch."""
    return abs(float(_ds.hll_sketch.get_rel_err(True, False, lg_k, 2)))


def frequent_items_sketch(lg_k: int) -> Any:
    """A frequent-items (heavy hitters) sketch of hashable Python objects."""
    return _ds.frequent_items_sketch(lg_k)


def frequent_top(sketch: Any, n: int) -> list[tuple[Any, int]]:
    """The ``n`` heaviest items with their estimated counts (no false negatives)."""
    items = sketch.get_frequent_items(_ds.frequent_items_error_type.NO_FALSE_NEGATIVES)
    return [(item[0], int(item[1])) for item in items[:n]]


def frequent_error(lg_k: int, weight: int) -> int:
    """The most an estimated count can be off by after ``weight`` updates."""
    epsilon = _ds.frequent_items_sketch.get_epsilon_for_lg_size(lg_k)
    return int(epsilon * weight)
