"""What kind of values a column holds, for profiling.

A type family (:class:`~dataready.sql.types.TypeFamily`) says how the engine stores a column;
the profiler only needs to know which metrics apply. The SQL layer compiles aggregates per
kind, the analysis layer picks sketches per kind; both read this one table.
"""

from __future__ import annotations

from enum import StrEnum

from dataready.sql.types import TypeFamily


class ValueKind(StrEnum):
    """The metric group of a column."""

    NUMERIC = "numeric"
    STRING = "string"
    TEMPORAL = "temporal"
    """Dates and timestamps: min, max, freshness, future values."""
    TIME = "time"
    """Times of day: min and max, no freshness."""
    BOOLEAN = "boolean"
    RANGE = "range"
    """Ranges: bounds (smallest lower, largest upper), empty ranges; values as text."""
    ARRAY = "array"
    """Arrays and lists: element counts (lengths), empty ones; values as text."""
    DOCUMENT = "document"
    """JSON documents and structs: top-level key presence; values as canonical text."""
    UNSUPPORTED = "unsupported"
    """Only nulls are counted; the reason is in :data:`SKIP_REASONS`."""


_KINDS: dict[TypeFamily, ValueKind] = {
    TypeFamily.INTEGER: ValueKind.NUMERIC,
    TypeFamily.DECIMAL: ValueKind.NUMERIC,
    TypeFamily.FLOAT: ValueKind.NUMERIC,
    TypeFamily.STRING: ValueKind.STRING,
    TypeFamily.UUID: ValueKind.STRING,
    TypeFamily.DATE: ValueKind.TEMPORAL,
    TypeFamily.TIMESTAMP: ValueKind.TEMPORAL,
    TypeFamily.TIME: ValueKind.TIME,
    TypeFamily.BOOLEAN: ValueKind.BOOLEAN,
    TypeFamily.RANGE: ValueKind.RANGE,
    TypeFamily.ARRAY: ValueKind.ARRAY,
    TypeFamily.JSON: ValueKind.DOCUMENT,
    TypeFamily.STRUCT: ValueKind.DOCUMENT,
}

TEXT_SKETCHED: frozenset[ValueKind] = frozenset(
    {ValueKind.RANGE, ValueKind.ARRAY, ValueKind.DOCUMENT}
)
"""Kinds whose sampled values are counted as their canonical text (top values, distinct)."""

SKIP_REASONS: dict[TypeFamily, str] = {
    TypeFamily.BINARY: "binary values are not profiled: only nulls are counted",
    TypeFamily.INTERVAL: "intervals are not profiled: only nulls are counted",
    TypeFamily.OTHER: "the type is not one the profiler knows: only nulls are counted",
}


def value_kind(family: TypeFamily) -> ValueKind:
    """The metric group of a type family (``UNSUPPORTED`` for the rest)."""
    return _KINDS.get(family, ValueKind.UNSUPPORTED)


def skip_reason(family: TypeFamily) -> str | None:
    """Why a column of ``family`` is not profiled, or ``None`` when it is."""
    if value_kind(family) is not ValueKind.UNSUPPORTED:
        return None
    return SKIP_REASONS.get(family, SKIP_REASONS[TypeFamily.OTHER])
