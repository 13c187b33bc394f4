"""Profile one table of a source: a constant number of statements, bounded memory.

:func:`profile_table` sends, whatever the number of columns:

1. the column list (``get_columns``) and the table's catalogue facts (row estimate, size);
2. one streamed read of a uniform random sample of at most ``sketch_rows`` rows
   (:func:`dataready.sql.profile.plan_stream`), fed batch by batch to the sketches
   (:mod:`dataready.analysis.profiling.sketches`), with ``check_cancelled()`` called between
   batches;
3. one aggregate statement holding every cheap metric of every column
   (:func:`dataready.sql.profile.aggregate_statement`), whose distinct counts are planned
   from what the sample showed (:func:`dataready.analysis.profiling.plan_columns`).

One unusual column does not fail the table: when the aggregate statement is rejected, the
columns it failed on are isolated by bisection (:mod:`dataready.workflows.profile_fallback`),
the others profiled, and each failing column carries its reason (``profile_errors``); a
sampled value a column's kind cannot read stops only that column's sketch. Timeouts, lost
connections and cancels still fail the table.

The sample comes first so the aggregate knows which columns need an exact distinct count
and how finely to hash-sample the others. Where the aggregate can carry the sample
(PostgreSQL tables, :func:`dataready.sql.profile.plan_one_pass`), step 2 reads only a page
sample that plans the aggregate, and step 3 also collects the sketches' uniform sample: one
full pass instead of two. The profile records every read and its full passes (``reads``,
``full_passes``). A statement timeout raises ``QueryTimeout`` naming
the table; a table that is gone raises ``NotFound``; a column the profiler cannot profile is
listed with its reason.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import time
from collections.abc import Callable, Generator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

from dataready.analysis.profiling import (
    ColumnMeta,
    ColumnSketch,
    PassFacts,
    RowSketch,
    SketchConfig,
    TableProfile,
    TextShapes,
    build_column,
    build_table,
    duplicate_rows,
    extrapolated_rows,
    plan_columns,
    text_shapes,
)
from dataready.connectors.base import Connector
from dataready.connectors.models import ColumnInfo, TableInfo, TableKind
from dataready.domain.profiling import ValueKind
from dataready.errors import NotFound, QueryFailed, QueryTimeout, ValidationFailed
from dataready.sql.profile import (
    ColumnSpec,
    ProfileDialect,
    SampleMethod,
    SampleSpec,
    aggregate_statement,
    carry_percent,
    plan_one_pass,
    plan_sample,
    plan_stream,
    stream_statement,
)
from dataready.workflows.profile_fallback import (
    GroupedResult,
    Run,
    aggregate_by_groups,
    column_specific,
    error_record,
    isolate_columns,
)


@dataclass(frozen=True, slots=True)
class ProfileOptions:
    """How to profile a table.

    Attributes:
        sample_rows: profile a uniform random sample of at most this many rows (aggregates
            and sketches); ``None``: all.
        sample_percent: profile a random share of the rows (0-100]; ``None``: all.
        sample_system: sample pages (``TABLESAMPLE SYSTEM``, fast, clustered) instead of rows.
        allow_estimates: a sampled profile takes the table's row count from the catalogue.
        exact_distinct_cap: at most this many exact ``COUNT(DISTINCT)`` in the statement.
        top_n: most frequent values kept per column.
        max_patterns: shape patterns kept per text column.
        histogram_bins_max: the cap on Freedman-Diaconis bins.
        sketch_rows: rows streamed through the sketches (a random sample of the table).
        exact_quantiles: compute quantiles in SQL where the engine can (sorts each column).
        batch_size: rows per streamed batch.
        counts_cap: distinct values a column counts exactly before it spills to sketches.
        max_value_length: longer text is truncated for counting, top-N and patterns.
        one_pass: where the engine can (PostgreSQL tables), the aggregate statement carries
            the sketches' sample: one full pass over the table instead of two, but the client
            sketches the sample after the aggregate instead of while the source works.
    """

    sample_rows: int | None = None
    sample_percent: float | None = None
    sample_system: bool = False
    allow_estimates: bool = False
    exact_distinct_cap: int = 8
    top_n: int = 10
    max_patterns: int = 20
    histogram_bins_max: int = 50
    sketch_rows: int = 50_000
    exact_quantiles: bool = False
    batch_size: int = 10_000
    counts_cap: int = 20_000
    max_value_length: int = 200
    one_pass: bool = True

    def __post_init__(self) -> None:
        for name in ("top_n", "max_patterns", "histogram_bins_max", "sketch_rows", "batch_size"):
            if getattr(self, name) < 1:
                raise ValidationFailed(f"{name} must be >= 1", field=name)
        if self.sample_rows is not None and self.sample_rows < 1:
            raise ValidationFailed("sample_rows must be >= 1", field="sample_rows")
        if self.sample_percent is not None and not 0 < self.sample_percent <= 100:
            raise ValidationFailed("sample_percent must be in (0, 100]", field="sample_percent")
        if self.exact_distinct_cap < 0 or self.counts_cap < 1 or self.max_value_length < 8:
            raise ValidationFailed("caps must be positive", field="exact_distinct_cap")


def dialect_of(connector: Connector) -> ProfileDialect:
    """The connector's dialect and capability flags, as the SQL layer reads them."""
    approx = connector.approx_distinct_function if connector.supports_approx_distinct else None
    return ProfileDialect(
        name=connector.sqlalchemy_dialect,
        supports_tablesample=connector.supports_tablesample,
        approx_distinct_function=approx,
        supports_native_quantiles=connector.supports_native_quantiles,
    )


def profile_table(
    connector: Connector,
    database: str,
    schema: str,
    table: str,
    *,
    columns: Sequence[str] | None = None,
    options: ProfileOptions | None = None,
    check_cancelled: Callable[[], None] | None = None,
    table_info: TableInfo | None = None,
) -> TableProfile:
    """Profile ``database.schema.table`` through ``connector``.

    Args:
        columns: profile only these columns (in table order); ``None``: all.
        options: sampling, caps and sizes (:class:`ProfileOptions`).
        check_cancelled: called between streamed batches and before the aggregate
            statement; it raises to stop (e.g. ``RunCancelled``).
        table_info: the catalogue facts when the caller already has them (saves a query).

    Raises:
        NotFound: the table (or a named column) does not exist, or vanished meanwhile.
        QueryTimeout: a statement ran past the statement timeout.
        ConnectorError: any other failure of the source.
    """
    opts = options or ProfileOptions()
    name = ".".join((database, schema, table))
    started = time.perf_counter()
    try:
        return _profile(
            connector, database, schema, table, columns, opts, check_cancelled, table_info, started
        )
    except QueryTimeout as exc:
        raise QueryTimeout(
            f"profiling {name} timed out: {exc.message}. Profile a sample (sample_rows or "
            "sample_percent) or raise the statement timeout",
            table=name,
            **exc.details,
        ) from None
    except QueryFailed as exc:
        if type(exc) is QueryFailed:
            try:
                connector.get_columns(database, schema, table)
            except NotFound:
                raise NotFound(
                    f"{name} vanished while it was being profiled ({exc.message})", asset=name
                ) from None
        raise


def _metas(infos: list[ColumnInfo], wanted: Sequence[str] | None, name: str) -> list[ColumnMeta]:
    if wanted is not None:
        known = {c.name for c in infos}
        missing = [c for c in wanted if c not in known]
        if missing:
            raise NotFound(f"{name} has no column {missing[0]!r}", asset=name, column=missing[0])
        chosen = set(wanted)
        infos = [c for c in infos if c.name in chosen]
    return [ColumnMeta(c.name, c.ordinal_position, c.declared_type, c.type_family) for c in infos]


def _profile(
    connector: Connector,
    database: str,
    schema: str,
    table: str,
    wanted: Sequence[str] | None,
    opts: ProfileOptions,
    check_cancelled: Callable[[], None] | None,
    table_info: TableInfo | None,
    started: float,
) -> TableProfile:
    statements = 0
    name = ".".join((database, schema, table))
    metas = _metas(connector.get_columns(database, schema, table), wanted, name)
    statements += 1
    info = table_info
    if info is None and (connector.supports_row_estimate or connector.supports_size):
        info = connector.get_table(database, schema, table)
        statements += 1
    estimate = info.row_estimate if info else None
    view = info is not None and info.kind is TableKind.VIEW
    dialect = dialect_of(connector)
    table_sql = connector.qualified_name(database, schema, table)

    user_sampled = opts.sample_rows is not None or opts.sample_percent is not None
    agg_sample = SampleSpec()
    if user_sampled:
        agg_sample = plan_sample(
            dialect,
            rows=opts.sample_rows,
            percent=opts.sample_percent,
            row_estimate=estimate,
            system=opts.sample_system,
            view=view,
        )
    stream_rows = min(opts.sketch_rows, opts.sample_rows or opts.sketch_rows)
    profiled = [m for m in metas if m.kind is not ValueKind.UNSUPPORTED]
    one_pass = None
    if (
        opts.one_pass
        and not user_sampled
        and profiled
        and all(dialect.carries(m.declared_type) for m in profiled)
    ):
        one_pass = plan_one_pass(dialect, capacity=stream_rows, row_estimate=estimate, view=view)
    own_stream = plan_stream(  # the sketches' own read, when the aggregate cannot carry them
        dialect,
        capacity=stream_rows,
        row_estimate=estimate,
        percent=opts.sample_percent,
        system=opts.sample_system,
        view=view,
    )
    stream_sample = one_pass or own_stream

    # The worker thread counts while the source works (fetching a batch, aggregating).
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="dr-sketch") as pool:
        # 1. The streamed sample, through the sketches (one pass: a page sample that only
        #    plans the aggregate, which then carries the sketches' uniform sample).
        config = SketchConfig(counts_cap=opts.counts_cap, max_value_length=opts.max_value_length)

        def sketch(names: Sequence[str], feed: bool = True) -> int:
            sql = stream_statement(dialect, table_sql, list(names), stream_sample)
            batches = connector.stream(sql, batch_size=opts.batch_size, database=database)
            if not feed:
                _drain_stream(batches, check_cancelled)
                return 0
            digests = None if one_pass else rows  # planning needs no row digests
            order = [sketches[n] for n in names]
            return _sketch_stream(pool, batches, digests, order, check_cancelled)

        stream_errors: dict[str, list[dict[str, Any]]] = {}
        sketches = {m.name: ColumnSketch(m.kind, m.family, config) for m in profiled}
        rows = RowSketch()
        planned = 0
        if profiled:
            statements += 1
            try:
                planned = sketch([m.name for m in profiled])
            except QueryFailed as exc:
                if not column_specific(exc):
                    raise
                # One column the source cannot send: find it, then stream the others afresh.
                names = [m.name for m in profiled]
                failed, probes = isolate_columns(lambda part: sketch(part, False), names, exc)
                if len(failed) == len(names):
                    raise
                statements += probes + 1
                stream_errors = {n: [error_record("sample", e)] for n, e in failed.items()}
                profiled = [m for m in profiled if m.name not in failed]
                sketches = {m.name: ColumnSketch(m.kind, m.family, config) for m in profiled}
                rows = RowSketch()
                planned = sketch([m.name for m in profiled])
        elif check_cancelled is not None:
            check_cancelled()
        # A cap that did not bind read every row (a count-sized share passes them all then).
        unshared = stream_sample.percent is None
        stream_complete = not user_sampled and unshared and rows.rows < stream_rows

        # 2. One aggregate statement for every column.
        specs = plan_columns(
            dialect,
            metas,
            sketches,
            stream_complete=stream_complete,
            exact_distinct_cap=opts.exact_distinct_cap,
            native_quantiles=opts.exact_quantiles,
            row_estimate=estimate,
            aggregate_sampled=agg_sample.sampled,
        )
        # No estimate to scale a sample by: count the table in the same statement (cheap on
        # SQLite; elsewhere only for a sample of a fixed size, which cannot be extrapolated).
        cheap = agg_sample.percent is None or dialect.supports_count_sized_filter
        count_table = agg_sample.sampled and estimate is None and cheap
        carried = None
        plan_read = one_pass
        if one_pass is not None:
            share = carry_percent(stream_rows, estimate, one_pass, planned)
            carried = SampleSpec(SampleMethod.IN_AGGREGATE, share, stream_rows, shuffled=True)

        def run(chosen: Sequence[ColumnSpec]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
            statement = aggregate_statement(
                dialect,
                table_sql,
                chosen,
                agg_sample,
                count_table=count_table,
                carry_percent=carried.percent if carried else None,
            )
            if check_cancelled is not None:
                check_cancelled()
            result = connector.execute(statement.sql, max_rows=1, database=database)
            return statement.read(result.rows[0], len(chosen))

        # Text shapes need only the sketches: computed while the source aggregates.
        shaping = None
        if carried is None:
            shaping = pool.submit(_text_shapes, profiled, sketches, opts.max_patterns)
        try:
            grouped = _aggregate(run, specs)
        finally:
            if shaping is not None:
                shapes = shaping.result()
        statements += grouped.statements
        table_metrics, column_metrics = grouped.table, grouped.columns
        if carried is not None and grouped.statements > 1:
            # The bisection's statements each carried a sample of their own rows: those do
            # not line up into one row sample, so the sketches get a stream of their own.
            for metrics in column_metrics:
                metrics.pop("sample", None)
            one_pass = carried = None  # the page sample stays on record as the plan's read
            stream_sample = own_stream
            failed_aggregate = {metas[i].name for i in grouped.errors}
            profiled = [m for m in profiled if m.name not in failed_aggregate]
            sketches = {m.name: ColumnSketch(m.kind, m.family, config) for m in profiled}
            rows = RowSketch()
            if profiled:
                statements += 1
                sketch([m.name for m in profiled])
            shapes = _text_shapes(profiled, sketches, opts.max_patterns)
        elif carried is not None:
            sketches, rows = _sketch_carried(
                metas, column_metrics, stream_rows, config, opts.batch_size, check_cancelled
            )
            shapes = _text_shapes(profiled, sketches, opts.max_patterns)
        rows_profiled = int(table_metrics["rows"] or 0)

    counted = table_metrics.get("population") is not None
    if counted:
        estimate = int(table_metrics["population"])
    row_count, exact, source, row_bounds = _row_count(
        rows_profiled, agg_sample, estimate, counted, opts
    )
    # The stream is a sample without replacement: as many rows as the table means all of them.
    stream_complete = rows.rows == rows_profiled == row_count
    sketched = carried or stream_sample
    facts = PassFacts(
        rows_profiled=rows_profiled,
        rows_sketched=rows.rows,
        stream_complete=stream_complete,
        now=dt.datetime.now(dt.UTC),
        population=row_count if row_count > rows_profiled else None,
        population_high=row_bounds[1] if row_bounds else None,
        aggregate_uniform=agg_sample.uniform(rows_profiled),
        stream_uniform=sketched.uniform(rows.rows),
    )
    column_profiles = [
        build_column(
            meta,
            spec,
            metrics,
            sketches.get(meta.name),
            facts if rows_read == rows_profiled else replace(facts, rows_profiled=rows_read),
            top_n=opts.top_n,
            max_patterns=opts.max_patterns,
            histogram_bins_max=opts.histogram_bins_max,
            shapes=shapes.get(meta.name),
            errors=[*stream_errors.get(meta.name, ()), *grouped.errors.get(index, ())],
        )
        for index, (meta, spec, metrics, rows_read) in enumerate(
            zip(metas, specs, column_metrics, grouped.rows, strict=True)
        )
    ]
    duplicates, duplicates_exact, duplicate_bounds = duplicate_rows(
        rows.frequencies(),
        rows.rows,
        row_count,
        complete=stream_complete,
        uniform=facts.stream_uniform,
    )
    profile = build_table(
        database=database,
        schema=schema,
        table=table,
        columns=column_profiles,
        row_count=row_count,
        row_count_exact=exact,
        row_count_source=source,
        row_count_bounds=row_bounds,
        size_bytes=info.size_bytes if info else None,
        sample=_sample_record(agg_sample, sketched, user_sampled, stream_complete),
        facts=facts,
        duplicate_rows=(duplicates, duplicates_exact),
        duplicate_rows_bounds=duplicate_bounds,
    )
    profile.statements = statements
    profile.reads = _reads(
        (
            ("plan", plan_read, planned),
            ("sketches", None if one_pass else stream_sample, rows.rows),
            ("aggregate", agg_sample, rows_profiled),
            ("sketches", carried, rows.rows),
        ),
        count_table,
    )
    profile.full_passes = sum(int(r["full_passes"]) for r in profile.reads)
    profile.elapsed_seconds = round(time.perf_counter() - started, 4)
    return profile


def _aggregate(run: Run, specs: Sequence[ColumnSpec]) -> GroupedResult:
    """Every column's aggregates in one statement; by bisection when that one fails.

    :mod:`dataready.workflows.profile_fallback` isolates the columns a failing statement
    failed on; only failures that may be a column's fault are isolated, the rest re-raised.
    """
    try:
        table, columns = run(specs)
    except QueryFailed as exc:
        if not column_specific(exc) or not specs:
            raise
        return aggregate_by_groups(run, specs, exc)
    rows = int(table.get("rows") or 0)
    return GroupedResult(table, columns, [rows] * len(specs), statements=1)


def _sketch_stream(
    pool: ThreadPoolExecutor,
    batches: Generator[Sequence[tuple[Any, ...]], None, None],
    rows: RowSketch | None,
    order: Sequence[ColumnSketch],
    check_cancelled: Callable[[], None] | None,
) -> int:
    """Feed each streamed batch to the sketches while the next batch is being fetched.

    The connector is only touched from the calling thread; the pool's one worker thread
    updates the sketches, so fetching (mostly waiting for the source) overlaps with counting.
    At most two batches are held at once.
    """

    streamed = 0

    def feed(batch: Sequence[tuple[Any, ...]]) -> None:
        if rows is not None:
            rows.update(batch)
        for sketch, values in zip(order, zip(*batch, strict=True), strict=True):
            sketch.update(values)

    with contextlib.closing(batches) as stream:
        pending: Future[None] | None = None
        for batch in stream:
            if pending is not None:
                pending.result()
            pending = pool.submit(feed, batch)
            streamed += len(batch)
            if check_cancelled is not None:
                check_cancelled()
        if pending is not None:
            pending.result()
    return streamed


def _sketch_carried(
    metas: Sequence[ColumnMeta],
    metrics: Sequence[dict[str, Any]],
    capacity: int,
    config: SketchConfig,
    batch_size: int,
    check_cancelled: Callable[[], None] | None,
) -> tuple[dict[str, ColumnSketch], RowSketch]:
    """Sketches over the sample the aggregate carried: its survivors, capped at random.

    The aggregate keeps a random share of its rows (about ``HEADROOM * capacity``); a uniform
    random subset of ``capacity`` of them is a simple random sample of the table.
    """
    carried = [(m, metrics[i].pop("sample", None) or []) for i, m in enumerate(metas)]
    carried = [(m, values) for m, values in carried if m.kind is not ValueKind.UNSUPPORTED]
    sketches = {m.name: ColumnSketch(m.kind, m.family, config) for m, _ in carried}
    rows = RowSketch()
    if not carried:
        return sketches, rows
    lengths = {len(values) for _, values in carried}
    if len(lengths) != 1:
        raise QueryFailed(f"the carried sample's columns differ in length ({sorted(lengths)})")
    length = lengths.pop()
    keep: Sequence[int] = range(length)
    if length > capacity:
        keep = sorted(random.SystemRandom().sample(range(length), capacity))
    columns = [values for _, values in carried]
    order = [sketches[m.name] for m, _ in carried]
    for start in range(0, len(keep), batch_size):
        picked = keep[start : start + batch_size]
        batch = [tuple(values[i] for values in columns) for i in picked]
        rows.update(batch)
        for sketch, column in zip(order, zip(*batch, strict=True), strict=True):
            sketch.update(column)
        if check_cancelled is not None:
            check_cancelled()
    return sketches, rows


def _reads(
    reads: Sequence[tuple[str, SampleSpec | None, int]], count_table: bool
) -> list[dict[str, Any]]:
    """What each statement read: its sampling method, share, rows and full passes.

    ``plan`` is a page sample that chose the aggregate's distinct-count methods and nothing
    else; ``sketches`` the rows the sketches saw (a separate statement, or carried by the
    aggregate); ``aggregate`` the rows of the aggregate statement.
    """
    out = []
    for purpose, spec, rows_read in reads:
        if spec is None:
            continue
        passes = spec.full_passes(rows_read) + int(purpose == "aggregate" and count_table)
        out.append(
            {
                "read": purpose,
                "method": spec.method.value,
                "percent": spec.percent,
                "rows": rows_read,
                "uniform": spec.uniform(rows_read),
                "full_passes": passes,
            }
        )
    return out


def _drain_stream(
    batches: Generator[Sequence[tuple[Any, ...]], None, None],
    check_cancelled: Callable[[], None] | None,
) -> None:
    """Read a stream to its end, keeping nothing: does the source send these columns?"""
    with contextlib.closing(batches) as stream:
        for _ in stream:
            if check_cancelled is not None:
                check_cancelled()


def _text_shapes(
    columns: Sequence[ColumnMeta], sketches: Mapping[str, ColumnSketch], max_patterns: int
) -> dict[str, TextShapes | None]:
    return {
        m.name: text_shapes(sketches[m.name], max_patterns)
        for m in columns
        if m.kind is ValueKind.STRING
    }


def _row_count(
    rows_profiled: int,
    sample: SampleSpec,
    estimate: int | None,
    counted: bool,
    opts: ProfileOptions,
) -> tuple[int, bool, str, list[int] | None]:
    """``(rows, exact, source, 95% interval)`` of the table the aggregate read."""
    if not sample.sampled:
        return rows_profiled, True, "count", None
    if counted and estimate is not None:
        return max(estimate, rows_profiled), True, "count", None
    capped = sample.rows is not None and rows_profiled >= sample.rows
    if not capped and sample.percent is None:
        return rows_profiled, True, "count", None  # the cap did not bind: every row was read
    if opts.allow_estimates and estimate is not None:
        return max(estimate, rows_profiled), False, "catalogue", None
    if sample.fraction and not capped:
        rows, bounds = extrapolated_rows(rows_profiled, sample.fraction)
        return rows, False, "extrapolated", bounds if sample.uniform(rows_profiled) else None
    if estimate is not None:  # a sample of a fixed size: the catalogue says of how many
        return max(estimate, rows_profiled), False, "catalogue", None
    return rows_profiled, False, "sample", None


def _sample_record(
    agg: SampleSpec, stream: SampleSpec, user_sampled: bool, stream_complete: bool
) -> tuple[bool, str, float | None]:
    """``(sampled, method, percent)``: how the rows were chosen for the profile."""
    if user_sampled:
        return True, agg.method.value, agg.percent
    if stream_complete:
        return False, SampleMethod.NONE.value, None
    # Aggregates read every row; only the sketches saw a sample.
    return True, f"sketches:{stream.method.value}", stream.percent
