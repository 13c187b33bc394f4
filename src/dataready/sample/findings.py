"""Which planted faults dataready's workflows found, and where.

The sample knows what it planted (:mod:`dataready.sample.faults`); the workflows do not.
:func:`detect_faults` matches each planted fault against what the workflows left behind — the
figures of the table's latest profile and the tags on the fault's column — and says, for
each one, whether it was found, by which figure or tag on which column, and how many of the
planted rows that figure accounts for.  A fault no current workflow measures is reported as
not detected yet, with what would find it.

Pure: it reads plain documents (a profile as :mod:`~dataready.workflows.profile_access`
returns it to a reader, tags as ``column → tag → evidence``), so what it prints can only be
what a reader of the API may see.  A new workflow that finds a fault kind (the rule
workflows: orphans, duplicate combinations) adds its tags to that kind's detector here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from dataready.sample.faults import Fault, FaultCount, FaultKind


class Status(StrEnum):
    """How far the workflows' findings account for a planted fault."""

    FOUND = "found"
    """A figure or tag measures this fault and accounts for every planted row."""
    PARTLY = "partly found"
    """A figure measures this fault but counts fewer rows than were planted."""
    HINTED = "hinted"
    """A figure is consistent with the fault but does not isolate it."""
    NOT_DETECTED = "not detected yet"
    """No current workflow measures this kind of fault."""


@dataclass(frozen=True, slots=True)
class Evidence:
    """One finding that bears on a planted fault.

    Attributes:
        column: ``table.column`` the finding is on.
        source: ``profile`` for a profile figure, else the tag (``DQ.Outliers``).
        figure: The figure as read (``null_count 12``).
        count: Faulty rows the figure accounts for, when it counts them.
    """

    column: str
    source: str
    figure: str
    count: int | None = None


@dataclass(frozen=True, slots=True)
class Observed:
    """What the workflows left for one table.

    Attributes:
        profile: The latest profile as a reader sees it (``None``: not profiled).
        tags: Active tags of the table's columns: column name → tag → evidence.
    """

    profile: Mapping[str, Any] | None = None
    tags: Mapping[str, Mapping[str, Mapping[str, Any]]] = field(default_factory=dict)

    def column(self, name: str) -> Mapping[str, Any] | None:
        """The profile of one column, or ``None``."""
        for col in (self.profile or {}).get("columns") or []:
            if col.get("name") == name:
                return col  # type: ignore[no-any-return]
        return None


@dataclass(frozen=True, slots=True)
class Detection:
    """A planted fault and what the workflows found of it.

    Attributes:
        fault: The planted fault.
        planted: Rows that carry it.
        status: Whether it was found.
        evidence: The figures and tags that bear on it.
        missing: What would find it, when it is not (fully) found.
    """

    fault: Fault
    planted: int
    status: Status
    evidence: tuple[Evidence, ...]
    missing: str | None = None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _num(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _approx(col: Mapping[str, Any]) -> str:
    return "" if col.get("counts_exact", True) else "≈"


def _tags(seen: Observed, table: str, column: str, names: Sequence[str]) -> list[Evidence]:
    """The column's tags among ``names``, each with its counts (else its other figures)."""
    found = []
    for name in names:
        evidence = seen.tags.get(column, {}).get(name)
        if evidence is None:
            continue
        counts = {k: v for k, v in evidence.items() if _int(v) is not None}
        shown = counts or {k: v for k, v in evidence.items() if isinstance(v, float)}
        figures = ", ".join(f"{k} {_num(v)}" for k, v in shown.items())
        found.append(Evidence(f"{table}.{column}", name, figures or "applied"))
    return found


Figures = Callable[[Fault, Mapping[str, Any]], list[Evidence]]


@dataclass(frozen=True, slots=True)
class Detector:
    """How one kind of fault shows in the workflows' results.

    Attributes:
        figures: The profile figures that measure it, from the column's profile.
        tags: Tags on the column that flag it.
        missing: What would find it where the figures and tags do not.
        hint_only: The figures are consistent with the fault but never isolate it.
    """

    figures: Figures
    tags: tuple[str, ...] = ()
    missing: str = ""
    hint_only: bool = False


def _nulls(fault: Fault, col: Mapping[str, Any]) -> list[Evidence]:
    n = _int(col.get("null_count"))
    if not n:
        return []
    ratio = col.get("null_ratio")
    share = f" ({ratio:.1%})" if isinstance(ratio, float) else ""
    return [Evidence(_where(fault), "profile", f"{_approx(col)}{n:,} nulls{share}", n)]


def _blanks(fault: Fault, col: Mapping[str, Any]) -> list[Evidence]:
    parts = {
        what: n
        for key, what in (("empty_count", "empty"), ("blank_count", "spaces only"))
        if (n := _int(col.get(key)))
    }
    if not parts:
        return []
    total = sum(parts.values())
    figure = f"{_approx(col)}{total:,} blank (" + ", ".join(
        f"{n:,} {what}" for what, n in parts.items()
    )
    return [Evidence(_where(fault), "profile", figure + ")", total)]


def _malformed(fault: Fault, col: Mapping[str, Any]) -> list[Evidence]:
    formats, checked = col.get("formats"), _int(col.get("formats_values"))
    if not isinstance(formats, Mapping) or not formats or not checked:
        return []
    name, share = max(formats.items(), key=lambda kv: float(kv[1]))
    off = checked - round(float(share) * checked)
    if off <= 0:
        return []
    figure = f"{off:,} of {checked:,} values are no {name} (formats: {name} {float(share):.1%})"
    return [Evidence(_where(fault), "profile", figure, off)]


def _repeats(fault: Fault, col_of: Callable[[str], Mapping[str, Any] | None]) -> list[Evidence]:
    # every duplicated row repeats each of its columns: the least repeated column bounds them
    counts = []
    for name in fault.column.split(","):
        col = col_of(name)
        n = _int((col or {}).get("duplicate_count"))
        if n is None:
            return []
        counts.append((n, name))
    n, name = min(counts)
    if not n:
        return []
    return [Evidence(f"{fault.table}.{name}", "profile", f"{n:,} repeated values", n)]


def _out_of_range(fault: Fault, col: Mapping[str, Any]) -> list[Evidence]:
    found = []
    low, high = col.get("min"), col.get("max")
    if fault.below is not None:
        negatives = _int(col.get("negative_count"))
        if fault.below == 0 and negatives:
            figure = f"{negatives:,} negative values (min {_num(low)})"
            found.append(Evidence(_where(fault), "profile", figure, negatives))
        elif isinstance(low, int | float) and low < fault.below:
            found.append(Evidence(_where(fault), "profile", f"min {_num(low)}"))
    if fault.above is not None and isinstance(high, int | float) and high > fault.above:
        figure = f"max {_num(high)} > {_num(fault.above)}"
        found.append(Evidence(_where(fault), "profile", figure))
    return found


def _future(fault: Fault, col: Mapping[str, Any]) -> list[Evidence]:
    n = _int(col.get("future_count"))
    if not n:
        return []
    return [Evidence(_where(fault), "profile", f"{n:,} future values (max {col.get('max')})", n)]


def _nothing(fault: Fault, col: Mapping[str, Any]) -> list[Evidence]:
    return []


def _where(fault: Fault) -> str:
    return f"{fault.table}.{fault.column}"


DETECTORS: dict[FaultKind, Detector] = {
    FaultKind.NULL: Detector(_nulls, ("DQ.HighNullRate",)),
    FaultKind.BLANK: Detector(_blanks, ()),
    FaultKind.MALFORMED: Detector(_malformed, ("DQ.MixedFormats", "DQ.TypeMismatch")),
    FaultKind.OUT_OF_RANGE: Detector(_out_of_range, ("DQ.Outliers",)),
    FaultKind.FUTURE_DATE: Detector(_future, ()),
    FaultKind.DUPLICATE: Detector(
        _nothing,
        (),
        "no workflow checks the combination for duplicates yet; a uniqueness rule would",
        hint_only=True,
    ),
    FaultKind.ORPHAN: Detector(
        _nothing,
        (),
        "the reference is not declared and no workflow checks references yet; "
        "a referential-integrity rule would",
    ),
}
"""One detector per fault kind; a kind without one is reported as not detected."""


def detect(fc: FaultCount, seen: Observed | None) -> Detection:
    """What the workflows found of one planted fault."""
    fault, detector = fc.fault, DETECTORS.get(fc.fault.kind)
    if seen is None or seen.profile is None or detector is None:
        why = "the table was not profiled" if detector else "no detector for this kind"
        return Detection(fault, fc.count, Status.NOT_DETECTED, (), why)
    evidence: list[Evidence] = []
    if fault.kind is FaultKind.DUPLICATE:
        evidence += _repeats(fault, seen.column)
    elif (col := seen.column(fault.column)) is not None and not col.get("skipped_reason"):
        evidence += detector.figures(fault, col)
    for name in fault.column.split(","):
        evidence += _tags(seen, fault.table, name, detector.tags)
    measured = [e for e in evidence if e.source == "profile"]
    counted = [e.count for e in measured if e.count is not None]
    if not measured:  # a tag alone, without the figure that measures the fault, only hints
        status = Status.HINTED if evidence else Status.NOT_DETECTED
    elif detector.hint_only:
        status = Status.HINTED if max(counted, default=0) >= fc.count else Status.NOT_DETECTED
    elif not counted or max(counted) >= fc.count:
        status = Status.FOUND  # a count that covers them, or an extreme beyond the bound
    else:
        status = Status.PARTLY
    missing = None
    if status is not Status.FOUND:
        missing = detector.missing or "no figure or tag shows it"
    return Detection(fault, fc.count, status, tuple(evidence), missing)


def detect_faults(
    planted: Sequence[FaultCount], observed: Mapping[str, Observed]
) -> list[Detection]:
    """Match every planted fault to the findings of its table (``observed`` by table name)."""
    return [detect(fc, observed.get(fc.fault.table)) for fc in planted]
