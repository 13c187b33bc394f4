"""Golden fixtures: column name + values + profile → expected entity (or none), each titled.

The fixtures are static YAML files beside this test (regenerate them with
``fixtures/generate.py``); every case must classify to its expected entity, and the hard
negatives — year columns, short codes, 0/1 flags, 10-digit order ids, titles, hashed ids,
UUID keys, ``email_verified`` … — must get no PII tag at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from dataready.analysis.pii import ColumnEvidence, classify_column

FIXTURES = Path(__file__).parent / "fixtures"
FILES = ("positives", "hard_negatives", "edge_cases")


def load(name: str) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = yaml.safe_load((FIXTURES / f"{name}.yaml").read_text("utf-8"))
    return cases


ALL = [(name, c) for name in FILES for c in load(name)]


def evidence(c: dict[str, Any]) -> ColumnEvidence:
    return ColumnEvidence(
        name=c["column"],
        table_name=c["table"],
        type_family=c["type_family"],
        values=c["values"],
        profile=c.get("profile"),
    )


@pytest.mark.parametrize(("file", "case"), ALL, ids=[f"{f}: {c['title']}" for f, c in ALL])
def test_golden_case(file: str, case: dict[str, Any]) -> None:
    result = classify_column(evidence(case))
    got = result.top.value if result.top else None
    findings = [(f.entity.value, f.confidence, f.applied) for f in result.findings]
    assert got == case["expected"], f"{case['title']}: got {got}; findings {findings}"
    if file == "hard_negatives":
        assert not any(t.applied for t in result.tags()), "a hard negative got an applied tag"


def test_fixture_counts() -> None:
    counts = {name: len(load(name)) for name in FILES}
    assert sum(counts.values()) >= 200
    assert counts["hard_negatives"] * 3 >= sum(counts.values())


def test_titles_are_unique() -> None:
    titles = [c["title"] for _, c in ALL]
    assert len(titles) == len(set(titles))
