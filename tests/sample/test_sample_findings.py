"""Matching planted faults to what the workflows found: from the figures, never assumed."""

from __future__ import annotations

from typing import Any

from dataready.sample.faults import (
    ADDRESS_DISTRICT_BLANK,
    CUSTOMER_DUPLICATE,
    CUSTOMER_EMAIL_MALFORMED,
    CUSTOMER_EMAIL_NULL,
    PAYMENT_AMOUNT_NEGATIVE,
    PAYMENT_AMOUNT_TOO_LARGE,
    PAYMENT_DATE_FUTURE,
    PAYMENT_RENTAL_ORPHAN,
    Fault,
    FaultCount,
)
from dataready.sample.findings import Detection, Observed, Status, detect, detect_faults


def _seen(*columns: dict[str, Any], tags: dict[str, Any] | None = None) -> Observed:
    return Observed({"row_count": 100, "columns": list(columns)}, tags or {})


def _detect(fault: Fault, count: int, seen: Observed | None) -> Detection:
    return detect(FaultCount(fault, count), seen)


def test_nulls_found_partly_or_not_from_the_null_count() -> None:
    def email(nulls: int) -> Observed:
        return _seen({"name": "email", "null_count": nulls, "null_ratio": nulls / 100})

    found = _detect(CUSTOMER_EMAIL_NULL, 12, email(12))
    assert found.status is Status.FOUND and found.missing is None
    assert [(e.column, e.source, e.count) for e in found.evidence] == [
        ("customer.email", "profile", 12)
    ]
    assert "12 nulls (12.0%)" in found.evidence[0].figure
    assert _detect(CUSTOMER_EMAIL_NULL, 12, email(5)).status is Status.PARTLY
    missing = _detect(CUSTOMER_EMAIL_NULL, 12, email(0))
    assert missing.status is Status.NOT_DETECTED and missing.evidence == ()
    assert _detect(CUSTOMER_EMAIL_NULL, 12, None).status is Status.NOT_DETECTED
    assert _detect(CUSTOMER_EMAIL_NULL, 12, _seen()).status is Status.NOT_DETECTED  # no column


def test_a_skipped_column_finds_nothing_and_estimates_are_marked() -> None:
    skipped = _seen({"name": "email", "null_count": 12, "skipped_reason": "binary"})
    assert _detect(CUSTOMER_EMAIL_NULL, 12, skipped).status is Status.NOT_DETECTED
    sampled = _seen({"name": "email", "null_count": 12, "counts_exact": False})
    assert _detect(CUSTOMER_EMAIL_NULL, 12, sampled).evidence[0].figure.startswith("≈12")


def test_a_tag_is_cited_next_to_its_figure_and_alone_only_hints() -> None:
    tags = {"email": {"DQ.HighNullRate": {"null_ratio": 0.6, "threshold": 0.5}}}
    both = _detect(CUSTOMER_EMAIL_NULL, 60, _seen({"name": "email", "null_count": 60}, tags=tags))
    assert both.status is Status.FOUND
    assert [e.source for e in both.evidence] == ["profile", "DQ.HighNullRate"]
    assert both.evidence[1].figure == "null_ratio 0.6, threshold 0.5"
    alone = _detect(CUSTOMER_EMAIL_NULL, 60, _seen({"name": "email"}, tags=tags))
    assert alone.status is Status.HINTED


def test_malformed_values_are_those_outside_the_dominant_format() -> None:
    col = {"name": "email", "formats": {"email": 0.98}, "formats_values": 400}
    found = _detect(CUSTOMER_EMAIL_MALFORMED, 8, _seen(col))
    assert found.status is Status.FOUND and found.evidence[0].count == 8
    clean = {"name": "email", "formats": {"email": 1.0}, "formats_values": 400}
    assert _detect(CUSTOMER_EMAIL_MALFORMED, 8, _seen(clean)).status is Status.NOT_DETECTED


def test_blanks_count_empty_and_space_only_values() -> None:
    col = {"name": "district", "empty_count": 3, "blank_count": 2}
    d = _detect(ADDRESS_DISTRICT_BLANK, 5, _seen(col))
    assert d.status is Status.FOUND
    assert [(e.count, e.figure) for e in d.evidence] == [(5, "5 blank (3 empty, 2 spaces only)")]
    col["empty_count"] = 0
    assert _detect(ADDRESS_DISTRICT_BLANK, 5, _seen(col)).status is Status.PARTLY


def test_out_of_range_reads_the_bound_of_the_fault() -> None:
    amount = {"name": "amount", "min": -20.5, "max": 50.0, "negative_count": 10}
    assert _detect(PAYMENT_AMOUNT_NEGATIVE, 10, _seen(amount)).status is Status.FOUND
    # the maximum stays under the bound: the large amounts were not seen
    assert _detect(PAYMENT_AMOUNT_TOO_LARGE, 5, _seen(amount)).status is Status.NOT_DETECTED
    large = {**amount, "max": 5000.0}
    d = _detect(PAYMENT_AMOUNT_TOO_LARGE, 5, _seen(large))
    assert d.status is Status.FOUND and d.evidence[0].figure == "max 5,000 > 1,000"
    # a masked profile's extremes are strings: nothing is read from them
    masked = {"name": "amount", "min": "*****", "max": "*****"}
    assert _detect(PAYMENT_AMOUNT_TOO_LARGE, 5, _seen(masked)).status is Status.NOT_DETECTED


def test_future_dates_from_the_future_count() -> None:
    col = {"name": "payment_date", "future_count": 7, "max": "2038-01-01"}
    assert _detect(PAYMENT_DATE_FUTURE, 7, _seen(col)).status is Status.FOUND
    col["future_count"] = 0
    assert _detect(PAYMENT_DATE_FUTURE, 7, _seen(col)).status is Status.NOT_DETECTED


def test_duplicates_are_at_most_hinted_by_the_least_repeated_column() -> None:
    cols = [
        {"name": "first_name", "duplicate_count": 280},
        {"name": "last_name", "duplicate_count": 200},
        {"name": "email", "duplicate_count": 6},
    ]
    d = _detect(CUSTOMER_DUPLICATE, 6, _seen(*cols))
    assert d.status is Status.HINTED and d.missing
    assert [(e.column, e.count) for e in d.evidence] == [("customer.email", 6)]
    cols[2]["duplicate_count"] = 2  # fewer repeats than duplicated rows: not these faults
    assert _detect(CUSTOMER_DUPLICATE, 6, _seen(*cols)).status is Status.NOT_DETECTED


def test_orphans_are_not_detected_by_any_figure_yet() -> None:
    col = {"name": "rental_id", "null_count": 12, "max": 99999, "duplicate_count": 12}
    d = _detect(PAYMENT_RENTAL_ORPHAN, 12, _seen(col))
    assert d.status is Status.NOT_DETECTED and "reference" in (d.missing or "")


def test_detect_faults_matches_each_fault_to_its_table() -> None:
    planted = [FaultCount(CUSTOMER_EMAIL_NULL, 12), FaultCount(PAYMENT_DATE_FUTURE, 7)]
    observed = {"customer": _seen({"name": "email", "null_count": 12})}
    found = detect_faults(planted, observed)
    assert [d.status for d in found] == [Status.FOUND, Status.NOT_DETECTED]
    assert found[1].missing == "the table was not profiled"
