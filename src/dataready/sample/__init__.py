"""The dataready sample database: the DVD-rental schema with realistic, seeded data.

``generate_sample("sqlite:///sample.db", scale=1)`` writes the fifteen tables of the classic
dvdrental/Sakila sample (same tables, columns, keys) with Faker-made names, addresses and
films, plus a documented set of data-quality faults (:data:`FAULTS`) for dataready to find.
"""

from __future__ import annotations

from dataready.sample.data import SampleData
from dataready.sample.faults import (
    FAULTS,
    Fault,
    FaultCount,
    FaultKind,
    expected_faults,
    list_faults,
)
from dataready.sample.generate import ProgressCallback, SampleReport, generate_sample
from dataready.sample.schema import TABLE_NAMES, TABLES

__all__ = [
    "FAULTS",
    "TABLES",
    "TABLE_NAMES",
    "Fault",
    "FaultCount",
    "FaultKind",
    "ProgressCallback",
    "SampleData",
    "SampleReport",
    "expected_faults",
    "generate_sample",
    "list_faults",
]
