"""Sampling clauses for profiling: which rows the statements read, and whether they are random.

Every sample the profiler reads is a *uniform* random sample of the rows wherever the engine
can draw one, because every error bound of the profile assumes it:

- a share of the rows: ``TABLESAMPLE BERNOULLI (p)`` on PostgreSQL (tables only),
  ``USING SAMPLE p PERCENT (bernoulli)`` on DuckDB, else a random filter
  ``WHERE random() < p`` (MySQL, SQLite, PostgreSQL views);
- at most ``n`` rows: the share is sized from the row estimate with 10% headroom and the
  survivors are capped *at random*, ``ORDER BY random() LIMIT n`` — the sort sees only the
  ~1.1 n survivors, so it is cheap, and a uniform ``n``-subset of a Bernoulli sample is a
  simple random sample of the table. DuckDB draws ``n`` rows by reservoir (``USING SAMPLE n
  ROWS``). SQLite has no row estimate but counts cheaply, so its share is sized inside the
  statement from a scalar ``COUNT(*)``; elsewhere, without a row estimate, the cap alone is
  random-ordered (a top-n sort of the table).

One pass where the engine allows it (PostgreSQL tables): the unsampled aggregate statement
itself collects a Bernoulli share of its rows (``ARRAY_AGG … FILTER (WHERE random() < p)``),
capped at random by the client — the same uniform sample, without a pass of its own; a page
sample (``TABLESAMPLE SYSTEM``, a fraction of the pages) read beforehand only *plans* the
aggregate and feeds no figure (:func:`plan_one_pass`). Every other row sample above still
reads every page; :meth:`SampleSpec.full_passes` says how many times each read did.

Two clauses are not uniform, and the profile says so (``sample_uniform``, no error bounds):
``TABLESAMPLE SYSTEM`` (whole pages: rows of a page come together) and ``LIMIT n`` on an engine
without a random function (the generic dialect: the first rows of a plain scan, in physical
order). A plain ``LIMIT`` is used nowhere else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from dataready.sql.profile_dialect import ProfileDialect, spelling

HEADROOM = 1.1
"""A capped share is sized for this many times the cap, so the random cap, not the share,
decides how many rows are read."""


class SampleMethod(StrEnum):
    NONE = "none"
    TABLESAMPLE_BERNOULLI = "tablesample_bernoulli"
    TABLESAMPLE_SYSTEM = "tablesample_system"
    """Whole pages: cheap, but clustered (not a uniform sample of rows)."""
    DUCKDB_BERNOULLI = "using_sample_bernoulli"
    DUCKDB_RESERVOIR = "using_sample_reservoir"
    RANDOM_FILTER = "random_filter"
    RANDOM_ORDER = "random_order"
    """``ORDER BY random() LIMIT n`` over the whole table (no row estimate to size a share)."""
    LIMIT = "limit"
    """The first rows of a plain scan: cheap, but not random (physical order)."""
    IN_AGGREGATE = "in_aggregate_bernoulli"
    """A random share of the rows the (unsampled) aggregate statement reads, collected by that
    same statement (``ARRAY_AGG … FILTER (WHERE random() < p)``), capped at random to ``rows``
    by the client: a uniform sample that costs no pass of its own."""


_NOT_UNIFORM = frozenset({SampleMethod.TABLESAMPLE_SYSTEM, SampleMethod.LIMIT})


@dataclass(frozen=True, slots=True)
class SampleSpec:
    """How a statement reads a table: all of it, a random share, and/or at most n rows."""

    method: SampleMethod = SampleMethod.NONE
    percent: float | None = None
    rows: int | None = None
    """A row cap on top of the method; ``None``: no cap."""
    shuffled: bool = False
    """The cap keeps a random subset (``ORDER BY random() LIMIT rows``), not the first rows."""
    sized: bool = False
    """A ``RANDOM_FILTER`` whose share the statement sizes from the table's ``COUNT(*)`` to keep
    about ``HEADROOM * rows`` rows (``percent`` is then ``None``)."""

    @property
    def sampled(self) -> bool:
        return self.method is not SampleMethod.NONE or self.rows is not None

    @property
    def fraction(self) -> float | None:
        return None if self.percent is None else self.percent / 100.0

    def uniform(self, rows_read: int) -> bool:
        """Whether the ``rows_read`` rows that came back are a uniform sample of the table.

        A cap that did not bind cut nothing, so a capped plain scan that returned fewer rows
        than its cap read every row (of its share).
        """
        if self.method is SampleMethod.TABLESAMPLE_SYSTEM:
            return False
        if self.rows is None or self.shuffled or self.method is SampleMethod.DUCKDB_RESERVOIR:
            return self.method is not SampleMethod.LIMIT
        return rows_read < self.rows

    def full_passes(self, rows_read: int) -> int:
        """How many times the statement read every page of the table.

        A row sample (Bernoulli, a random filter, a random cap, a reservoir) reads every page
        to choose its rows; a page sample reads only the chosen pages, a first-rows cap only
        the pages before it binds. A share sized from ``COUNT(*)`` counts the table first.
        ``IN_AGGREGATE`` rides on the aggregate's pass.
        """
        if self.method in (SampleMethod.TABLESAMPLE_SYSTEM, SampleMethod.IN_AGGREGATE):
            return 0
        if self.method is SampleMethod.LIMIT or (
            self.method is SampleMethod.NONE and self.rows is not None and not self.shuffled
        ):
            return int(self.rows is None or rows_read < self.rows)
        return 2 if self.sized else 1


def _share_method(dialect: ProfileDialect, system: bool) -> SampleMethod | None:
    if dialect.supports_tablesample and dialect.name == "duckdb":
        return SampleMethod.DUCKDB_BERNOULLI
    if dialect.supports_tablesample:
        return SampleMethod.TABLESAMPLE_SYSTEM if system else SampleMethod.TABLESAMPLE_BERNOULLI
    if dialect.supports_random_filter:
        return SampleMethod.RANDOM_FILTER
    return None


def _table_dialect(dialect: ProfileDialect, view: bool) -> ProfileDialect:
    if view and not spelling(dialect.name).samples_views:  # PostgreSQL samples only tables
        return ProfileDialect(dialect.name, False, dialect.approx_distinct_function)
    return dialect


def _capped(
    dialect: ProfileDialect, method: SampleMethod, percent: float | None, rows: int | None
) -> SampleSpec:
    """``method`` (a share, or none) with a random cap of ``rows`` where the engine has one."""
    if rows is None:
        return SampleSpec(method, percent)
    if dialect.supports_random_order:
        if method is SampleMethod.NONE:
            return SampleSpec(SampleMethod.RANDOM_ORDER, None, rows, shuffled=True)
        return SampleSpec(method, percent, rows, shuffled=True)
    if method is SampleMethod.NONE:
        return SampleSpec(SampleMethod.LIMIT, None, rows)
    return SampleSpec(method, percent, rows)


def plan_sample(
    dialect: ProfileDialect,
    *,
    rows: int | None = None,
    percent: float | None = None,
    row_estimate: int | None = None,
    system: bool = False,
    view: bool = False,
) -> SampleSpec:
    """The sampling clause for reading at most ``rows`` rows and/or ``percent`` % of a table.

    Args:
        rows: at most this many rows (``None``: no cap).
        percent: a random share of the rows, 0 < percent <= 100 (``None``: derive a share
            from ``rows`` and ``row_estimate``, or read everything).
        row_estimate: the table's row count or estimate, to size a share for ``rows``.
        system: block sampling (``TABLESAMPLE SYSTEM``: reads only the sampled pages, but
            clustered) instead of row sampling (``BERNOULLI``: scans every page).
        view: the relation is a view (PostgreSQL samples only tables: a random filter then).
    """
    if percent is not None and not percent > 0:
        raise ValueError("sample percent must be > 0")
    dialect = _table_dialect(dialect, view)
    share = _share_method(dialect, system)
    if percent is None and rows is not None:
        if dialect.supports_tablesample and dialect.name == "duckdb":
            return SampleSpec(SampleMethod.DUCKDB_RESERVOIR, None, rows)  # exactly n random rows
        if row_estimate is None and dialect.supports_count_sized_filter:
            return _count_sized(rows)
        if row_estimate is not None and row_estimate > rows:
            percent = min(100.0, 100.0 * HEADROOM * rows / row_estimate)
    if percent is None or percent >= 100.0 or share is None:
        return _capped(dialect, SampleMethod.NONE, None, rows)
    return _capped(dialect, share, percent, rows)


def plan_stream(
    dialect: ProfileDialect,
    *,
    capacity: int,
    row_estimate: int | None,
    percent: float | None = None,
    system: bool = False,
    view: bool = False,
) -> SampleSpec:
    """The sketch pass: a uniform sample of at most ``capacity`` rows (of ``percent`` %).

    The share is sized so that about ``HEADROOM * capacity`` rows survive it, never more than
    the user's ``percent``; the random cap keeps ``capacity`` of them.
    """
    dialect = _table_dialect(dialect, view)
    if percent is None and dialect.supports_tablesample and dialect.name == "duckdb":
        return SampleSpec(SampleMethod.DUCKDB_RESERVOIR, None, capacity)
    if percent is None and row_estimate is None and dialect.supports_count_sized_filter:
        return _count_sized(capacity)
    share = _share_method(dialect, system)
    sized = percent
    if row_estimate is not None and row_estimate > capacity:
        needed = 100.0 * HEADROOM * capacity / row_estimate
        sized = needed if sized is None else min(sized, needed)
    if sized is None or sized >= 100.0 or share is None:
        return _capped(dialect, SampleMethod.NONE, None, capacity)
    return _capped(dialect, share, sized, capacity)


def plan_one_pass(
    dialect: ProfileDialect,
    *,
    capacity: int,
    row_estimate: int | None,
    view: bool = False,
    plan_rows: int | None = None,
) -> SampleSpec | None:
    """The page sample that plans a one-pass profile, or ``None`` (two passes, as before).

    Where the aggregate statement can carry the sketches' uniform sample
    (``supports_aggregate_sample``) and the engine samples pages of this relation, the
    profile reads the table once: a ``TABLESAMPLE SYSTEM`` read of about ``plan_rows`` rows
    (default ``min(capacity, PLAN_ROWS)``; whole pages, a fraction of the table) only *plans*
    the aggregate — which columns get an exact distinct count, how finely the others are
    hash-sampled — and no figure of the profile is computed from it; the one full pass, the
    aggregate, computes every exact figure and collects the uniform sample
    (:func:`carry_percent`) the sketches then read. Tables no larger than ``capacity`` (by
    the estimate) keep the two reads: the stream sees every row.
    """
    dialect = _table_dialect(dialect, view)
    if not (dialect.supports_aggregate_sample and dialect.supports_tablesample):
        return None
    if dialect.name == "duckdb" or row_estimate is None or row_estimate <= capacity:
        return None
    wanted = min(capacity, PLAN_ROWS) if plan_rows is None else plan_rows
    percent = min(100.0, 100.0 * HEADROOM * wanted / row_estimate)
    return SampleSpec(SampleMethod.TABLESAMPLE_SYSTEM, percent, PLAN_CAP * wanted)


PLAN_ROWS = 20_000
"""Rows of the planning page sample: enough that a column of unique values shows more than
``EXACT_WHEN_SEEN_AT_MOST`` (10,000) of them, so it is not given an exact distinct count;
fewer than the sketches' sample, as the client sketches the planning rows too."""
PLAN_CAP = 4
"""The planning page sample stops at this many times its intended rows (a stale estimate)."""


def carry_percent(
    capacity: int, row_estimate: int | None, plan: SampleSpec, plan_rows: int
) -> float:
    """The share of rows the aggregate collects for the sketches: about ``HEADROOM * capacity``.

    Sized from the catalogue's estimate, unless the planning page sample's own estimate (rows
    read / share of pages: unbiased, every page has the same chance) is more than twice it —
    a stale estimate of a grown table, which would make the aggregate collect many times the
    rows it needs. (The page estimate is not used otherwise: it varies much more than the
    catalogue's, and a share sized too small leaves the sketches short of ``capacity``.)
    """
    population = float(row_estimate or 0)
    if plan.fraction and plan_rows / plan.fraction > 2 * population:
        population = plan_rows / plan.fraction
    if population <= capacity:
        return 100.0
    return min(100.0, 100.0 * HEADROOM * capacity / population)


def keep_condition(dialect: ProfileDialect, percent: float) -> str | None:
    """True for a random ``percent`` % of rows (``None``: the engine has no random filter)."""
    below = spelling(dialect.name).random_below
    if below is None:
        return None
    return "1 = 1" if percent >= 100.0 else below.format(p=repr(percent / 100.0))


def _count_sized(rows: int) -> SampleSpec:
    return SampleSpec(SampleMethod.RANDOM_FILTER, None, rows, shuffled=True, sized=True)


def _percent_literal(percent: float) -> str:
    return f"{percent:.6f}".rstrip("0").rstrip(".")


def _sample_clause(dialect: ProfileDialect, table_sql: str, sample: SampleSpec) -> tuple[str, str]:
    """``(source, where)``: the table with its sampling clause, and a random filter."""
    spell = spelling(dialect.name)
    method, percent = sample.method, sample.percent
    if method is SampleMethod.TABLESAMPLE_BERNOULLI and percent is not None:
        return f"{table_sql} TABLESAMPLE BERNOULLI ({_percent_literal(percent)})", ""
    if method is SampleMethod.TABLESAMPLE_SYSTEM and percent is not None:
        return f"{table_sql} TABLESAMPLE SYSTEM ({_percent_literal(percent)})", ""
    if method is SampleMethod.DUCKDB_BERNOULLI and percent is not None:
        return f"{table_sql} USING SAMPLE {_percent_literal(percent)} PERCENT (bernoulli)", ""
    if method is SampleMethod.DUCKDB_RESERVOIR and sample.rows is not None:
        return f"{table_sql} USING SAMPLE {int(sample.rows)} ROWS", ""
    if method is SampleMethod.RANDOM_FILTER and sample.sized and spell.count_sized_below:
        rows = round(HEADROOM * (sample.rows or 0))
        return table_sql, " WHERE " + spell.count_sized_below.format(rows=rows, table=table_sql)
    if method is SampleMethod.RANDOM_FILTER and percent is not None and spell.random_below:
        return table_sql, " WHERE " + spell.random_below.format(p=repr(percent / 100.0))
    return table_sql, ""


def _cap(dialect: ProfileDialect, sample: SampleSpec) -> str:
    if sample.rows is None or sample.method is SampleMethod.DUCKDB_RESERVOIR:
        return ""
    order = spelling(dialect.name).random_order
    shuffle = f" ORDER BY {order}" if sample.shuffled and order else ""
    return f"{shuffle} LIMIT {int(sample.rows)}"


def sampled_source(dialect: ProfileDialect, table_sql: str, sample: SampleSpec) -> str:
    """The table as aggregates read it: ``SELECT … FROM <this>``.

    A sample with a random filter or a row cap becomes a derived table, so aggregates see
    only the sampled rows.
    """
    source, where = _sample_clause(dialect, table_sql, sample)
    cap = _cap(dialect, sample)
    if not where and not cap:
        return source
    return f"(SELECT * FROM {source}{where}{cap}) {dialect.quote('s')}"


def stream_statement(
    dialect: ProfileDialect, table_sql: str, columns: Sequence[str], sample: SampleSpec
) -> str:
    """``SELECT <columns> FROM <table> <sample> [ORDER BY random()] [LIMIT n]``."""
    projection = ", ".join(dialect.quote(c) for c in columns) if columns else "1"
    source, where = _sample_clause(dialect, table_sql, sample)
    return f"SELECT {projection} FROM {source}{where}{_cap(dialect, sample)}"
