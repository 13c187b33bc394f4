"""Data-quality tags from profiles, each with the figure that triggered it."""

from __future__ import annotations

from typing import Any

import pytest

from dataready.analysis.dq_tags import dq_tags, key_check_candidates, table_dq_tags
from dataready.errors import ValidationFailed


def tags(profile: dict[str, Any], config: dict[str, Any] | None = None) -> dict[str, Any]:
    return {t.tag: t.evidence for t in dq_tags(profile, None, config)}


EXACT = {"distinct_exact": True, "counts_exact": True}


def test_key_candidate() -> None:
    key = {
        "row_count": 599,
        "null_ratio": 0.0,
        "distinct_ratio": 1.0,
        "type_family": "integer",
        **EXACT,
    }
    found = tags(key)["DQ.KeyCandidate"]
    assert found["distinct_ratio"] == 1.0
    assert found["check"] == "uniqueness from the profile's exact counts over 599 rows"
    assert "DQ.KeyCandidate" not in tags({**key, "null_ratio": 0.01})
    assert "DQ.KeyCandidate" not in tags({**key, "row_count": 3})
    assert "DQ.KeyCandidate" not in tags({**key, "type_family": "float"})
    for family in ("json", "struct", "array"):  # documents and lists are profiled now
        assert "DQ.KeyCandidate" not in tags({**key, "type_family": family})
    assert tags({"is_primary_key": True})["DQ.KeyCandidate"]["reason"] == "declared primary key"


def test_critical_data_element() -> None:
    assert tags({"is_foreign_key": True})["DQ.CriticalDataElement"]["reasons"] == ["is_foreign_key"]
    by_name = tags({"name": "amount"}, {"critical_columns": ["amount"]})
    assert by_name["DQ.CriticalDataElement"]["reasons"] == ["critical_columns"]
    assert "DQ.CriticalDataElement" not in tags({"name": "amount"})


def test_high_null_rate_with_threshold() -> None:
    assert tags({"row_count": 10, "null_ratio": 0.6})["DQ.HighNullRate"]["null_ratio"] == 0.6
    assert "DQ.HighNullRate" not in tags({"row_count": 10, "null_ratio": 0.4})
    assert "DQ.HighNullRate" in tags(
        {"row_count": 10, "null_ratio": 0.4}, {"null_rate_threshold": 0.3}
    )
    assert "DQ.HighNullRate" not in tags({"row_count": 0, "null_ratio": 1.0})


def test_constant() -> None:
    assert "DQ.Constant" in tags({"row_count": 1000, "distinct_count": 1, "null_ratio": 0.0})
    assert "DQ.Constant" not in tags({"row_count": 1, "distinct_count": 1})
    assert "DQ.Constant" not in tags({"row_count": 1000, "distinct_count": 2})


def test_mixed_formats() -> None:
    mixed = tags({"formats": {"iso_date": 0.6, "us_date": 0.35, "other": 0.01}})
    assert mixed["DQ.MixedFormats"]["formats"] == {"iso_date": 0.6, "us_date": 0.35}
    assert "DQ.MixedFormats" not in tags({"formats": {"email": 0.98, "other": 0.02}})


def test_outliers() -> None:
    found = tags(
        {"row_count": 1000, "null_ratio": 0.0, "outliers": {"iqr_count": 25, "sd_count": 4}}
    )
    assert found["DQ.Outliers"]["iqr_count"] == 25
    assert found["DQ.Outliers"]["outlier_ratio"] == 0.025
    assert "DQ.Outliers" not in tags({"row_count": 1000, "outliers": {"iqr_count": 2}})


def test_type_mismatch() -> None:
    numbers_as_text = {
        "type_family": "string",
        "observed_type": "integer",
        "observed_type_share": 1.0,
    }
    assert tags(numbers_as_text)["DQ.TypeMismatch"] == {
        "declared": "string",
        "observed": "integer",
        "observed_share": 1.0,
    }
    assert "DQ.TypeMismatch" not in tags({**numbers_as_text, "observed_type_share": 0.5})
    assert "DQ.TypeMismatch" not in tags({"type_family": "integer", "observed_type": "decimal"})


def test_stale_table_and_column() -> None:
    month = 31 * 86_400
    stale = table_dq_tags({"freshness_seconds": month})
    assert stale[0].tag == "DQ.Stale" and stale[0].evidence["age_days"] == 31.0
    assert table_dq_tags({"freshness_seconds": month}, {"stale_after_days": 60}) == []
    assert "DQ.Stale" in tags({"freshness_seconds": month})


def test_row_count_from_the_table_profile() -> None:
    found = dq_tags({"null_ratio": 0.9}, {"row_count": 50}, None)
    assert [t.tag for t in found] == ["DQ.HighNullRate"]
    assert all(t.applied and t.confidence == 1.0 for t in found)


@pytest.mark.parametrize("config", [{"nul_rate_threshold": 0.5}, {"stale_after_days": "soon"}])
def test_bad_config(config: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed):
        dq_tags({}, None, config)


def test_industry_info_is_accepted() -> None:
    assert dq_tags({}, None, {"industry_info": {"sector": "retail"}}) == []


def test_distinct_long_text_is_not_a_key_candidate() -> None:
    title = {
        "name": "title",
        "type_family": "string",
        "row_count": 1000,
        "null_ratio": 0.0,
        "distinct_count": 1000,
        "distinct_ratio": 1.0,
        "max_length": 120,
        **EXACT,
    }
    code = {**title, "name": "sku", "max_length": 12}
    assert "DQ.KeyCandidate" not in {t.tag for t in dq_tags(title)}
    assert "DQ.KeyCandidate" in {t.tag for t in dq_tags(code)}


def test_key_candidate_is_never_decided_on_an_estimate() -> None:
    """Item 5 of issue 9: a unique 400k-row column estimated 0.9899 got no tag; a clamp could
    push an estimate to exactly 1.0 and tag a column that is not unique."""
    unique = {"name": "id", "type_family": "integer", "row_count": 400_000, "null_ratio": 0.0}
    estimated = {**unique, "distinct_ratio": 0.9899, "distinct_exact": False}
    clamped = {**unique, "name": "ref", "distinct_ratio": 1.0, "distinct_exact": False}
    assert "DQ.KeyCandidate" not in tags(estimated) and "DQ.KeyCandidate" not in tags(clamped)
    assert key_check_candidates([estimated, clamped]) == ["ref", "id"]
    check = {"rows": 400_000, "non_null": 400_000, "distinct": 400_000, "checked_at": "T"}
    found = tags({**estimated, "uniqueness_check": check})["DQ.KeyCandidate"]
    assert found["check"] == "uniqueness checked exactly over 400000 rows at T"
    assert found["distinct_ratio"] == 1.0 and found["row_count"] == 400_000
    not_unique = {**check, "distinct": 399_999}
    assert "DQ.KeyCandidate" not in tags({**clamped, "uniqueness_check": not_unique})
    with_null = {**check, "non_null": 399_999, "distinct": 399_999}
    assert "DQ.KeyCandidate" not in tags({**clamped, "uniqueness_check": with_null})


def test_key_check_candidates() -> None:
    base = {"type_family": "integer", "row_count": 1_000, "null_ratio": 0.0}
    columns = [
        {**base, "name": "near", "distinct_ratio": 0.95},
        {**base, "name": "low", "distinct_ratio": 0.5},
        {**base, "name": "nulls", "distinct_ratio": 0.99, "null_ratio": 0.001},
        {**base, "name": "pk", "distinct_ratio": 1.0, "is_primary_key": True},
        {**base, "name": "counted", "distinct_ratio": 1.0, **EXACT},
        {**base, "name": "float", "distinct_ratio": 1.0, "type_family": "float"},
        {**base, "name": "title", "distinct_ratio": 1.0, "max_length": 200},
        {**base, "name": "few", "distinct_ratio": 1.0, "row_count": 5},
    ]
    assert key_check_candidates(columns) == ["near"]
    assert key_check_candidates(columns, {"key_check_min_ratio": 0.4}) == ["near", "low"]
    assert key_check_candidates(columns, {"key_check_max_columns": 0}) == []
