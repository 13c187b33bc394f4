"""Seeded, reproducible, streamed rows of the sample database.

:class:`SampleData` is the one entry point: it plans the sample (row counts, per-film facts,
faulty rows) and then yields each table's rows in batches, so a writer holds one batch at a
time whatever the scale.  The same ``seed`` and ``scale`` always give identical rows: Faker is
seeded once to fill value pools, and every table draws from its own ``random.Random``.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

from dataready.sample.activity import payment_rows, rental_rows
from dataready.sample.dimensions import DIMENSION_GENERATORS, Row, RowGenerator
from dataready.sample.faults import FaultCount, expected_faults
from dataready.sample.plan import SamplePlan, build_plan
from dataready.sample.schema import TABLE_NAMES, get_table

DEFAULT_BATCH_ROWS = 10_000

_GENERATORS: dict[str, RowGenerator] = {
    **DIMENSION_GENERATORS,
    "rental": rental_rows,
    "payment": payment_rows,
}


class SampleData:
    """The rows of one sample database.

    Args:
        scale: Size factor; 1 gives the original dvdrental sizes, 62 about a million payments.
        seed: Random seed; the same seed and scale give identical rows.

    Raises:
        ConfigError: If the scale is out of range.
    """

    def __init__(self, *, scale: float = 1.0, seed: int = 42) -> None:
        self.plan: SamplePlan = build_plan(scale=scale, seed=seed)

    @property
    def row_counts(self) -> dict[str, int]:
        """Exact rows per table, in load order."""
        return {name: self.plan.rows[name] for name in TABLE_NAMES}

    @property
    def faults(self) -> tuple[FaultCount, ...]:
        """The planted faults with their row counts."""
        return expected_faults(self.plan.scale)

    def rows(self, table: str) -> Iterator[Row]:
        """Yield the rows of ``table`` one by one, as tuples in column order.

        Raises:
            KeyError: If ``table`` is not a sample table.
        """
        get_table(table)
        return _GENERATORS[table](self.plan)

    def batches(self, table: str, batch_rows: int = DEFAULT_BATCH_ROWS) -> Iterator[list[Row]]:
        """Yield the rows of ``table`` in lists of at most ``batch_rows`` rows."""
        rows = self.rows(table)
        while batch := list(islice(rows, batch_rows)):
            yield batch
