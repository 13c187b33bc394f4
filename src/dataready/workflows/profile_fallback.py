"""When the one aggregate statement fails: find the columns it failed on, profile the rest.

One unusual column fails the table-wide statement: PostgreSQL has no ``STDDEV_SAMP(money)``
nor ``money = 0``, an engine may reject an aggregate of a type it stores, a column may be
unreadable for the source user. :func:`aggregate_by_groups` then isolates the failing
columns by *bisection*: it splits the failing group in two halves and runs each as its own
statement; a half that succeeds is done, a half that fails is split again, down to single
columns. Each failing column is retried once with a bare ``COUNT(column)`` (its nulls are
then still exact) and carries the reason in its profile.

Why bisection and not one statement per column: every statement scans the table (or its
sample). One per column costs ``n`` scans whatever happens; bisection costs at most about
``2 k (log2(n / k) + 1)`` scans for ``k`` failing columns — 14 instead of 100 for one bad
column of a hundred — and never more than ``2 n - 2`` (plus one bare count per failing
column). OpenMetadata and DataHub fall back to one query
per column; they pay ``n`` scans on every table with one odd column.

Only a failure that is the statement's fault is isolated: :class:`QueryFailed` (the source
rejected the statement: an undefined function or operator, a value that does not convert, a
column-level privilege). A timeout (:class:`QueryTimeout`), a lost connection
(:class:`ConnectionFailed`), a cancel (``RunCancelled``) and a refused write are re-raised at
once, as the profiler does without the fallback. When both halves of the table fail, a bare
``COUNT(*)`` tells a column problem from a table one before any further split: if it fails
too, the first error is re-raised (the table vanished, or the source rejects everything).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from dataready.errors import QueryFailed, ReadOnlyViolation
from dataready.sql.profile import ColumnSpec, DistinctMethod
from dataready.sql.types import TypeFamily

MESSAGE_LIMIT = 500
"""Characters of a source's error message kept in a column's profile."""

Run = Callable[[Sequence[ColumnSpec]], tuple[dict[str, Any], list[dict[str, Any]]]]
"""Runs one aggregate statement over these columns: ``(table metrics, per-column metrics)``."""


@dataclass(slots=True)
class GroupedResult:
    """The aggregates of every column, from however many statements it took."""

    table: dict[str, Any]
    """The table metrics of the first statement that succeeded (``rows``, ``population``)."""
    columns: list[dict[str, Any]]
    """Per column (in the specs' order), the metrics of the statement that computed it."""
    rows: list[int]
    """Per column, the rows the statement that computed it read (samples differ per
    statement: each column's figures are scaled from its own statement's rows)."""
    errors: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    """Column index -> what failed on it."""
    statements: int = 0
    """Statements sent, the failed table-wide one included."""


def column_specific(exc: Exception) -> bool:
    """Whether ``exc`` may be the fault of one column of the statement (then: isolate it)."""
    return isinstance(exc, QueryFailed) and not isinstance(exc, ReadOnlyViolation)


def error_record(stage: str, exc: QueryFailed) -> dict[str, Any]:
    """The ``profile_errors`` entry for ``exc`` (messages are scrubbed by the connectors)."""
    code = exc.code
    native = exc.details.get("sqlstate") or exc.details.get("error_code")
    if native:
        code = f"{code}:{native}"
    message = exc.message
    if len(message) > MESSAGE_LIMIT:
        message = message[: MESSAGE_LIMIT - 1] + "…"
    return {"stage": stage, "code": code, "message": message}


def bare_count(spec: ColumnSpec) -> ColumnSpec:
    """The spec that only counts the column's non-null values (works for any type)."""
    return replace(spec, family=TypeFamily.OTHER, distinct=DistinctMethod.NONE, quantiles=False)


def aggregate_by_groups(run: Run, specs: Sequence[ColumnSpec], first: QueryFailed) -> GroupedResult:
    """Isolate the columns the table-wide statement ``first`` failed on, by bisection.

    Raises:
        QueryFailed: ``first`` again when not even ``COUNT(*)`` runs (not a column's fault).
        ConnectorError: any failure that is not column-specific, at once.
    """
    n = len(specs)
    result = GroupedResult(table={}, columns=[{} for _ in range(n)], rows=[0] * n, statements=1)
    failed: dict[int, QueryFailed] = {}

    def attempt(indices: Sequence[int], chosen: Sequence[ColumnSpec]) -> QueryFailed | None:
        result.statements += 1
        try:
            table, per_column = run(chosen)
        except Exception as exc:
            if not column_specific(exc):
                raise
            assert isinstance(exc, QueryFailed)
            return exc
        if not result.table:
            result.table = table
        rows = int(table.get("rows") or 0)
        for index, metrics in zip(indices, per_column, strict=True):
            result.columns[index] = metrics
            result.rows[index] = rows
        return None

    pending: list[tuple[list[int], QueryFailed]] = [(list(range(n)), first)]
    while pending:
        group, error = pending.pop()
        if len(group) == 1:
            failed[group[0]] = error
            continue
        middle = len(group) // 2
        for half in (group[:middle], group[middle:]):
            problem = attempt(half, [specs[i] for i in half])
            if problem is not None:
                pending.append((half, problem))
        # both halves of the table failed: ask COUNT(*) before bisecting any further
        if len(group) == n and not result.table and attempt([], []) is not None:
            raise first
    # a one-column table: its column failed; COUNT(*) failing too is the table's fault
    if n == 1 and not result.table and attempt([], []) is not None:
        raise first
    for index in sorted(failed):
        result.errors[index] = [error_record("aggregate", failed[index])]
        problem = attempt([index], [bare_count(specs[index])])
        if problem is not None:
            result.errors[index].append(error_record("aggregate", problem))
    return result


def isolate_columns(
    probe: Callable[[Sequence[str]], object], names: Sequence[str], first: QueryFailed
) -> tuple[dict[str, QueryFailed], int]:
    """The columns a statement over ``names`` failed on (``first``), by bisection.

    ``probe`` runs the statement over some of the columns and raises what the source raised.
    Returns the failing columns with their errors, and the number of statements it ran.

    Raises:
        ConnectorError: a failure that is not column-specific, at once.
    """
    failed: dict[str, QueryFailed] = {}
    statements = 0
    pending: list[tuple[list[str], QueryFailed]] = [(list(names), first)]
    while pending:
        group, error = pending.pop()
        if len(group) == 1:
            failed[group[0]] = error
            continue
        middle = len(group) // 2
        for half in (group[:middle], group[middle:]):
            statements += 1
            try:
                probe(half)
            except Exception as exc:
                if not column_specific(exc):
                    raise
                assert isinstance(exc, QueryFailed)
                pending.append((half, exc))
    return failed, statements
