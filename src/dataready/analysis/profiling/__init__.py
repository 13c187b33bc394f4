"""Profiling, the pure part: sketches over streamed rows, shapes, distributions, results.

Nothing here does I/O: :mod:`dataready.workflows.profiler` reads the source through a
connector and hands rows and aggregate results to these functions.
"""

from __future__ import annotations

from dataready.analysis.profiling.build import (
    TextShapes,
    build_column,
    build_table,
    duplicate_rows,
    text_shapes,
)
from dataready.analysis.profiling.distinct import (
    ColumnMeta,
    PassFacts,
    plan_columns,
)
from dataready.analysis.profiling.estimates import estimate_distinct, extrapolated_rows
from dataready.analysis.profiling.results import ColumnProfile, TableProfile, json_value
from dataready.analysis.profiling.shapes import matching_formats, observed_type, shape_pattern
from dataready.analysis.profiling.sketches import ColumnSketch, RowSketch, SketchConfig

__all__ = [
    "ColumnMeta",
    "ColumnProfile",
    "ColumnSketch",
    "PassFacts",
    "RowSketch",
    "SketchConfig",
    "TableProfile",
    "TextShapes",
    "build_column",
    "build_table",
    "duplicate_rows",
    "estimate_distinct",
    "extrapolated_rows",
    "json_value",
    "matching_formats",
    "observed_type",
    "plan_columns",
    "shape_pattern",
    "text_shapes",
]
