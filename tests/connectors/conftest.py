"""Fixtures of the connector conformance suite (the sources are built in ``sources.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.connectors.sources import ENGINES, SourceCase, make_source


@pytest.fixture(params=ENGINES)
def source(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SourceCase]:
    """A freshly loaded source of each engine (a new database or file per test)."""
    yield from make_source(request.param, tmp_path)
