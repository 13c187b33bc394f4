"""Generate the sample database into a target: the public entry point.

:func:`generate_sample` parses the target URL, plans the data, and streams every table into
the target through its writer, in one transaction where the engine allows it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from dataready.errors import AlreadyExists
from dataready.sample.data import SampleData
from dataready.sample.faults import FaultCount
from dataready.sample.schema import TABLES
from dataready.sample.target import parse_target
from dataready.sample.writers import writer_for
from dataready.sample.writers.base import Row

ProgressCallback = Callable[[str, int, int], None]
"""Called as ``progress(table, rows_done, rows_total)`` after each batch."""


@dataclass(frozen=True, slots=True)
class SampleReport:
    """What one :func:`generate_sample` call wrote.

    Attributes:
        target: The target URL without its password.
        scale: Sample scale.
        seed: Sample seed.
        rows: Rows written per table, in load order.
        table_seconds: Seconds spent generating and loading each table.
        seconds: Wall-clock seconds for the whole call (including keys and commit).
        faults: The planted faults with their row counts.
    """

    target: str
    scale: float
    seed: int
    rows: dict[str, int]
    table_seconds: dict[str, float]
    seconds: float
    faults: tuple[FaultCount, ...]

    @property
    def total_rows(self) -> int:
        """Rows written across all tables."""
        return sum(self.rows.values())

    @property
    def rows_per_second(self) -> float:
        """Overall throughput of the call."""
        return self.total_rows / self.seconds if self.seconds > 0 else 0.0

    def table_rows_per_second(self, table: str) -> float:
        """Throughput of generating and loading ``table``."""
        seconds = self.table_seconds[table]
        return self.rows[table] / seconds if seconds > 0 else 0.0


def _reporting(
    batches: Iterable[list[Row]], table: str, total: int, progress: ProgressCallback | None
) -> Iterator[list[Row]]:
    done = 0
    for batch in batches:
        yield batch
        done += len(batch)
        if progress is not None:
            progress(table, done, total)


def generate_sample(
    url: str,
    *,
    scale: float = 1.0,
    seed: int = 42,
    replace: bool = False,
    progress: ProgressCallback | None = None,
) -> SampleReport:
    """Write the dataready sample database (DVD rental schema) into ``url``.

    Args:
        url: Target, e.g. ``sqlite:///sample.db``, ``duckdb:///sample.duckdb``,
            ``postgresql://postgres@127.0.0.1:5432/dvdrental`` or
            ``mysql://root@127.0.0.1:3306/dvdrental``.  A missing server database is created.
        scale: Size factor: 1 gives the original sizes (16,049 payments), 62 about a million
            payments; fractions down to 0.01 are allowed.
        seed: Random seed: the same seed and scale give identical rows.
        replace: Drop existing sample tables first instead of failing.
        progress: Optional callback ``progress(table, rows_done, rows_total)``.

    Returns:
        Rows per table, timings and the planted faults.

    Raises:
        ConfigError: The URL or the scale is invalid.
        UnknownName: No writer handles the URL's database.
        ConnectionFailed: The target cannot be reached or opened.
        AlreadyExists: Sample tables exist in the target and ``replace`` is False.
        QueryFailed: A statement failed in the target.
    """
    started = time.perf_counter()
    target = parse_target(url)
    data = SampleData(scale=scale, seed=seed)
    counts = data.row_counts
    table_seconds: dict[str, float] = {}
    with writer_for(target) as writer:
        with writer.translate_errors("inspecting existing tables"):
            existing = writer.existing_tables()
        if existing and not replace:
            raise AlreadyExists(
                f"{target.redacted()} already has sample tables ({', '.join(existing)}); "
                "pass replace=True (--replace) to drop and recreate them, or pick another "
                "database.",
                target=target.redacted(),
                tables=existing,
            )
        with writer.translate_errors("creating the sample tables"):
            if existing:
                writer.drop_tables(existing)
            writer.create_tables()
        for table in TABLES:
            table_started = time.perf_counter()
            batches = _reporting(data.batches(table.name), table.name, counts[table.name], progress)
            with writer.translate_errors(f"loading {table.name}"):
                writer.load(table, batches)
            table_seconds[table.name] = time.perf_counter() - table_started
        with writer.translate_errors("adding foreign keys and committing"):
            writer.finish()
    return SampleReport(
        target=target.redacted(),
        scale=data.plan.scale,
        seed=seed,
        rows=counts,
        table_seconds=table_seconds,
        seconds=time.perf_counter() - started,
        faults=data.faults,
    )
