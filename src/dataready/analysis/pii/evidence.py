"""What the classifier is given about one column, and the figures it derives from it.

``ColumnEvidence`` is the input: the column's name, its table, its declared type and type
family, a bounded sample of values and, optionally, the profiler's figures for the column.
``SampleView`` is what every detector reads: the sample's non-blank values, normalised once,
plus the cardinality figures, taken from the profile when there is one and computed from the
sample otherwise (so the classifier works with ``profile=None``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from dataready.errors import ValidationFailed

TYPE_FAMILIES: frozenset[str] = frozenset(
    {
        "integer",
        "decimal",
        "float",
        "boolean",
        "string",
        "binary",
        "date",
        "time",
        "timestamp",
        "json",
        "uuid",
        "array",
        "interval",
        "other",
    }
)
NUMERIC_FAMILIES: frozenset[str] = frozenset({"integer", "decimal", "float"})
TEXT_FAMILIES: frozenset[str] = frozenset({"string", "other"})
# Families whose values cannot be classified from a sample: they are skipped with a reason.
UNCLASSIFIABLE_FAMILIES: frozenset[str] = frozenset(
    {"boolean", "binary", "json", "array", "interval", "uuid", "time"}
)
# Detectors validate at most this many distinct values: enough for a share, bounded in time.
MAX_CHECKED_VALUES = 200
# Values longer than this are free text at best; the structured detectors ignore them.
MAX_STRUCTURED_LENGTH = 120


@dataclass(frozen=True)
class ColumnEvidence:
    """Everything the classifier may look at for one column.

    Attributes:
        name: The column name as the source spells it.
        table_name: The table's name (a hint: ``name`` in ``customer`` is a person's name).
        declared_type: The source's type, e.g. ``character varying(50)``.
        type_family: One of ``TYPE_FAMILIES``.
        values: A bounded sample of the column's values; may contain ``None``.
        profile: The profiler's figures for the column (``row_count``, ``null_ratio``,
            ``distinct_count``, ``distinct_ratio``, ``min_length``, ``max_length``,
            ``formats``), or ``None``.
    """

    name: str
    table_name: str = ""
    declared_type: str = ""
    type_family: str = "string"
    values: Sequence[Any] = ()
    profile: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        if self.type_family not in TYPE_FAMILIES:
            known = ", ".join(sorted(TYPE_FAMILIES))
            raise ValidationFailed(
                f"unknown type family {self.type_family!r} for column {self.name!r}; "
                f"use one of: {known}",
                field="type_family",
            )


def _as_text(value: Any) -> str | None:
    """The value as stripped text, or ``None`` for nulls, blanks and non-scalar values."""
    if value is None or isinstance(value, bool | bytes | bytearray | dict | list | tuple | set):
        return None
    if isinstance(value, float) and value != value:  # NaN
        return None
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal | float):
        text = format(value, "f") if isinstance(value, Decimal) else repr(value)
    else:
        text = str(value)
    text = text.strip()
    return text or None


@dataclass(frozen=True)
class SampleView:
    """The sample as detectors read it: normalised, de-duplicated, bounded."""

    raw: tuple[Any, ...]
    texts: tuple[str, ...]
    """Non-blank values as text, in sample order, with repetitions."""
    checked: tuple[str, ...]
    """Distinct non-blank texts, at most ``MAX_CHECKED_VALUES``: the values detectors test."""
    profile: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, evidence: ColumnEvidence) -> SampleView:
        raw = tuple(evidence.values)
        texts = tuple(t for t in map(_as_text, raw) if t is not None)
        checked = tuple(dict.fromkeys(texts))[:MAX_CHECKED_VALUES]
        return cls(raw=raw, texts=texts, checked=checked, profile=evidence.profile or {})

    @property
    def size(self) -> int:
        """How many values the sample holds, nulls included."""
        return len(self.raw)

    @property
    def non_blank(self) -> int:
        return len(self.texts)

    @cached_property
    def distinct_count(self) -> int:
        """Distinct non-null values: the profile's figure when it has one."""
        value = self.profile.get("distinct_count")
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        return len(set(self.texts))

    @cached_property
    def row_count(self) -> int:
        value = self.profile.get("row_count")
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        return self.size

    @cached_property
    def distinct_ratio(self) -> float:
        """Distinct values over non-null values (profile first, then the sample)."""
        value = self.profile.get("distinct_ratio")
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        return len(set(self.texts)) / len(self.texts) if self.texts else 0.0

    @cached_property
    def max_length(self) -> int:
        value = self.profile.get("max_length")
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        return max((len(t) for t in self.texts), default=0)

    @cached_property
    def mean_length(self) -> float:
        return sum(len(t) for t in self.texts) / len(self.texts) if self.texts else 0.0

    @property
    def formats(self) -> Mapping[str, float]:
        """The profiler's recognised formats (format name → share), if any."""
        value = self.profile.get("formats")
        return value if isinstance(value, Mapping) else {}

    def share(self, predicate: Any) -> tuple[int, float]:
        """How many checked values satisfy ``predicate``, and their share."""
        if not self.checked:
            return 0, 0.0
        hits = sum(1 for v in self.checked if predicate(v))
        return hits, hits / len(self.checked)
