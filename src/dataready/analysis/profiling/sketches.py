"""One streamed pass over sampled rows: per-column sketches and a row-duplicate counter.

Each column keeps an exact ``Counter`` of its values while it has at most ``counts_cap``
distinct ones, so low-cardinality columns get exact top-N values, distinct counts,
frequencies and quantiles. Past the cap the counter *spills*: its contents seed Apache
DataSketches — HLL (distinct values, relative error about ``1.04/sqrt(2^lg_k)``), frequent
items (top-N, error at most ``epsilon * n``) — and the counter goes on as a *thinned* counter
(adaptive distinct sampling, Gibbons 2001): it keeps the exact counts of the values whose
stable hash falls in a share ``2**-level`` of the hash space, and halves the share whenever
it holds more than ``counts_cap`` values. A value is kept or dropped for all its occurrences,
so the kept values are a uniform sample of the distinct values with their exact frequencies:
how many values were seen once or twice (what a distinct-count estimator needs) is the kept
number divided by the share; text shape patterns and formats are computed over them too.
Numbers always feed a KLL sketch (quantiles, histogram, outlier counts, with a normalised
rank error) and a few extremes for outlier examples.

Memory is bounded by the caps whatever the number of rows: ``counts_cap`` entries per
column, the sketches' fixed sizes, and one 16-byte key per distinct sampled row.
Keys are stable and collision-safe (:mod:`dataready.analysis.profiling.keys`).
"""

from __future__ import annotations

import json
import math
from collections import Counter, deque
from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import compress
from typing import Any

import numpy as np

from dataready.analysis.profiling.keys import (
    hll_keys,
    kept,
    long_text_key,
    row_keys,
    thinning_hashes,
)
from dataready.analysis.profiling.sketchlib import (
    frequent_error,
    frequent_items_sketch,
    frequent_top,
    hll_error,
    hll_sketch,
    kll_sketch,
)
from dataready.domain.profiling import TEXT_SKETCHED, ValueKind
from dataready.sql.types import TypeFamily

NAN: float = float("nan")
"""The one NaN object used as a counter key (dict lookups match it by identity)."""
EXTREMES = 5


@dataclass(frozen=True, slots=True)
class SketchConfig:
    counts_cap: int = 20_000
    """Distinct values a column's exact counter may hold before it spills to sketches."""
    max_value_length: int = 200
    """Longer text is truncated (plus a digest) for counting, top-N and patterns."""
    hll_lg_k: int = 14
    kll_k: int = 400
    frequent_lg_k: int = 10
    keys_cap: int = 1_000
    """Distinct top-level keys (documents) or elements (arrays) a column tracks."""


@dataclass(frozen=True, slots=True)
class Frequencies:
    """How often the sample's values occurred: the input of distinct-count estimators.

    ``f1``, ``f2`` and ``rest`` (values seen once, twice, more often) are estimates when the
    counter is thinned (kept numbers divided by ``rate``); ``kept_*`` are the counted ones.
    """

    f1: float
    f2: float
    rest: float
    kept_f1: int
    kept: int
    rate: float

    @property
    def seen(self) -> float:
        """Distinct values in the sample."""
        return self.f1 + self.f2 + self.rest


class ColumnSketch:
    """The streamed state of one column."""

    def __init__(self, kind: ValueKind, family: TypeFamily, config: SketchConfig) -> None:
        self.kind = kind
        self.family = family
        self.config = config
        self.values = 0
        """Non-null values seen."""
        self.nulls = 0
        self.counts: Counter[Hashable] = Counter()
        self.complete = True
        """``counts`` holds every value seen (it has not spilled)."""
        self.level = 0
        """After a spill: ``counts`` keeps the values in a share ``2**-level`` of the hashes."""
        self.hll: Any = None
        self.frequent: Any = None
        self.kll: Any = kll_sketch(config.kll_k) if kind is ValueKind.NUMERIC else None
        self.nan = 0
        self.pos_inf = 0
        self.neg_inf = 0
        self.low: list[float] = []
        self.high: list[float] = []
        self.objects = 0
        """Document values that are objects (JSON objects, structs): what ``keys`` count."""
        self.keys: Counter[str] = Counter()
        """Top-level key -> object values holding it (documents only)."""
        self.keys_complete = True
        """``keys`` holds every key seen (at most ``keys_cap`` are tracked)."""
        self.arrays = 0
        """Array values whose elements ``elements`` counts (arrays only)."""
        self.element_total = 0
        """Elements of those arrays, nulls included."""
        self.elements: Counter[str] = Counter()
        """Element (as text) -> occurrences, for at most ``keys_cap`` distinct elements."""
        self.elements_complete = True
        self.error: str | None = None
        """Why the column's sample could not be read (a value the kind cannot hold): the
        sketch then stops, and none of its figures is used."""

    # -- update ------------------------------------------------------------------------

    def update(self, column: Sequence[Any]) -> None:
        """Add one batch of this column's values (``None`` is null).

        A value the column's kind cannot read (text in a numeric column, as SQLite stores
        anything anywhere; PostgreSQL ``money`` as ``'$1.00'``) stops this sketch with
        :attr:`error` instead of failing the table; the message names the value's Python
        type, never the value.
        """
        if self.error is not None:
            return
        try:
            self._update(column)
        except (ValueError, TypeError, ArithmeticError) as exc:
            self.error = _unreadable(self.kind, column, exc)

    def _update(self, column: Sequence[Any]) -> None:
        values = [v for v in column if v is not None]
        self.nulls += len(column) - len(values)
        if not values:
            return
        self.values += len(values)
        if self.kind is ValueKind.NUMERIC:
            values = self._numeric(values)
        elif self.kind in TEXT_SKETCHED:
            if self.kind is ValueKind.DOCUMENT:
                self._keys(values)
            elif self.kind is ValueKind.ARRAY:
                self._elements(values)
            limit = self.config.max_value_length
            values = [_text(canonical_text(v), limit) for v in values]
        elif self.kind is ValueKind.STRING:
            limit = self.config.max_value_length
            values = [
                (v if len(v) <= limit else long_text_key(v, limit))
                if isinstance(v, str)
                else _text(v, limit)
                for v in values
            ]
        if self.complete:
            self.counts.update(values)
            if len(self.counts) > self.config.counts_cap:
                self._spill()
        else:
            self._sketch(values)

    def _keys(self, values: list[Any]) -> None:
        """Count the top-level keys of the object values (JSON text is parsed)."""
        for value in values:
            document = _document(value)
            if not isinstance(document, dict):
                continue
            self.objects += 1
            for key in document:
                name = str(key)
                if name in self.keys or len(self.keys) < self.config.keys_cap:
                    self.keys[name] += 1
                else:
                    self.keys_complete = False

    def _elements(self, values: list[Any]) -> None:
        """Count the elements of the array values (drivers hand some arrays as text)."""
        cap = self.config.keys_cap
        limit = self.config.max_value_length
        for value in values:
            if not isinstance(value, list | tuple):
                continue
            self.arrays += 1
            for element in value:
                self.element_total += 1
                if element is None:
                    continue
                key = _text(canonical_text(element), limit)
                if key in self.elements or len(self.elements) < cap:
                    self.elements[key] += 1
                else:
                    self.elements_complete = False

    def _numeric(self, values: list[Any]) -> list[Any]:
        if self.family is TypeFamily.FLOAT or float in set(map(type, values)):
            floats = np.fromiter(values, dtype=np.float64, count=len(values))
            finite = np.isfinite(floats)
            if not finite.all():
                nan = np.isnan(floats)
                self.nan += int(nan.sum())
                self.pos_inf += int((floats == np.inf).sum())
                self.neg_inf += int((floats == -np.inf).sum())
                values = [NAN if math.isnan(v) else v for v in floats.tolist()]
                floats = floats[finite]
        else:
            floats = np.fromiter(values, dtype=np.float64, count=len(values))
        if floats.size:
            self.kll.update(floats)
            self._extremes(floats)
        return values

    def _extremes(self, floats: np.ndarray[Any, Any]) -> None:
        k = EXTREMES
        if floats.size > k:
            low = np.partition(floats, k - 1)[:k]
            high = np.partition(floats, floats.size - k)[-k:]
        else:
            low = high = floats
        self.low = sorted([*self.low, *low.tolist()])[:k]
        self.high = sorted([*self.high, *high.tolist()])[-k:]

    def _spill(self) -> None:
        cfg = self.config
        self.hll = hll_sketch(cfg.hll_lg_k)
        self.frequent = frequent_items_sketch(cfg.frequent_lg_k)
        keys = list(self.counts.keys())
        _drain(map(self.hll.update, hll_keys(keys)))
        _drain(map(self.frequent.update, keys, self.counts.values()))
        self.complete = False
        self._thin()

    def _thin(self) -> None:
        """Halve the kept share of the hash space until the counter fits its cap again."""
        while len(self.counts) > self.config.counts_cap:
            self.level += 1
            keys = list(self.counts)
            keep = kept(thinning_hashes(keys), self.level).tolist()
            self.counts = Counter(dict(compress(self.counts.items(), keep)))

    def _sketch(self, values: list[Any]) -> None:
        _drain(map(self.hll.update, hll_keys(values)))
        _drain(map(self.frequent.update, values))
        keep = kept(thinning_hashes(values), self.level)
        self.counts.update(compress(values, keep.tolist()))
        if len(self.counts) > self.config.counts_cap:
            self._thin()

    # -- read --------------------------------------------------------------------------

    @property
    def rate(self) -> float:
        """The share of the distinct values ``counts`` holds (1.0 until a spill)."""
        return 1.0 if self.complete else 2.0**-self.level

    def distinct(self) -> tuple[int, bool, float | None]:
        """Distinct non-null values seen: ``(count, exact, relative error at ~95%)``."""
        if self.complete:
            return len(self.counts), True, None
        estimate = round(self.hll.get_estimate())
        return max(estimate, 0), False, hll_error(self.config.hll_lg_k)

    def singletons(self) -> int | None:
        """Values seen exactly once (``None`` after a spill)."""
        if not self.complete:
            return None
        return sum(1 for count in self.counts.values() if count == 1)

    def frequencies(self) -> Frequencies:
        """Values seen once, twice and more often (estimated from the kept share)."""
        tally = Counter(self.counts.values())
        f1, f2 = tally.get(1, 0), tally.get(2, 0)
        total = len(self.counts)
        rate = self.rate
        return Frequencies(
            f1 / rate, f2 / rate, (total - f1 - f2) / rate, kept_f1=f1, kept=total, rate=rate
        )

    def top(self, n: int) -> tuple[list[tuple[Any, int]], bool, int]:
        """The ``n`` most frequent values: ``(pairs, exact, maximum count error)``.

        ``exact``: the counts are the sample's own (the counter never spilled).
        """
        if self.complete:
            ranked = sorted(self.counts.items(), key=_rank_key)
            return ranked[:n], True, 0
        pairs = frequent_top(self.frequent, n)
        return pairs, False, frequent_error(self.config.frequent_lg_k, self.values)


_READABLE: dict[ValueKind, tuple[type, ...]] = {
    ValueKind.NUMERIC: (int, float, Decimal),
}


def _unreadable(kind: ValueKind, column: Sequence[Any], exc: Exception) -> str:
    """Why a batch could not be sketched, naming the first odd value's type (not the value)."""
    expected = _READABLE.get(kind)
    odd = None
    if expected is not None:
        odd = next((v for v in column if v is not None and not isinstance(v, expected)), None)
    found = (
        f"a sampled value of Python type {type(odd).__name__}"
        if odd is not None
        else ("a sampled value")
    )
    return f"{found} could not be read as {kind.value} ({type(exc).__name__})"


def _drain(calls: Iterator[Any]) -> None:
    """Run every call of a ``map`` for its effect, without a Python-level loop."""
    deque(calls, maxlen=0)


def _rank_key(item: tuple[Any, int]) -> tuple[int, str]:
    return (-item[1], str(item[0]))


def canonical_text(value: Any) -> str:
    """One text per value: JSON with sorted keys for documents and arrays, else ``str``."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
    return str(value)


def _document(value: Any) -> Any:
    """A document value as Python objects (drivers hand JSON as text or parsed)."""
    if isinstance(value, str | bytes):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def _text(value: Any, limit: int) -> str:
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= limit else long_text_key(text, limit)


class RowSketch:
    """Counts the sample's rows by a 128-bit key each: duplicates and their frequencies."""

    def __init__(self) -> None:
        self.rows = 0
        self._digests: Counter[bytes] = Counter()

    def update(self, batch: Sequence[tuple[Any, ...]]) -> None:
        self.rows += len(batch)
        self._digests.update(row_keys(batch))

    @property
    def distinct_rows(self) -> int:
        return len(self._digests)

    def frequencies(self) -> Frequencies:
        """Distinct rows seen once, twice and more often (exact: digests are not thinned)."""
        tally = Counter(self._digests.values())
        f1, f2 = tally.get(1, 0), tally.get(2, 0)
        total = len(self._digests)
        return Frequencies(f1, f2, total - f1 - f2, kept_f1=f1, kept=total, rate=1.0)
