"""Shape patterns, recognised formats and the observed type of text."""

from __future__ import annotations

import pytest

from dataready.analysis.profiling.shapes import (
    format_counts,
    matching_formats,
    observed_type,
    pattern_counts,
    shape_pattern,
)


@pytest.mark.parametrize(
    ("value", "shape"),
    [
        ("John.Doe@mail.com", "Aaaa.Aaa@aaaa.aaa"),
        ("Jonathan.Doe@mail.com", "Aa+.Aaa@aaaa.aaa"),
        ("555-123-4567", "999-999-9999"),
        ("SW1A 1AA", "AA9A_9AA"),
        ("12345678901234567890", "9+"),
        ("123456789012", "999999999999"),
        ("Ünïcode wörd", "Aa+_aaaa"),
        ("a\tb", "a_a"),
        ("", ""),
    ],
)
def test_shape_pattern(value: str, shape: str) -> None:
    assert shape_pattern(value) == shape


def test_long_shapes_are_cut() -> None:
    assert shape_pattern("a-" * 100, max_length=10) == "a-a-a-a-a-…"


@pytest.mark.parametrize(
    ("value", "formats"),
    [
        ("jane.doe+x@example.co.uk", ["email"]),
        ("https://example.org/a?b=1", ["url"]),
        ("550e8400-e29b-41d4-a716-446655440000", ["uuid"]),
        ("192.168.0.1", ["ipv4"]),
        ("2001:db8::1", ["ipv6"]),
        ("2024-01-31", ["date"]),
        ("31/01/2024", ["date"]),
        ("2024-01-31T10:00:00Z", ["datetime"]),
        ("2024-01-31 10:00:00.123+02:00", ["datetime"]),
        ("10:30", ["time"]),
        ("+1 (415) 555-2671", ["phone"]),
        ("+1 (555) 123-4567", []),  # phone-shaped, but no US area code 555: phonenumbers says no
        ("555-123-4567", ["phone"]),
        ("94105", ["postal_code", "numeric"]),
        ("SW1A 1AA", ["postal_code"]),
        ("-3.5e10", ["numeric"]),
        ("yes", ["boolean"]),
        ("hello world", []),
        ("   ", []),
        ("256.1.1.1", []),  # not an IPv4 address, too few digits for a phone
        ("2024-02-30", []),  # date-shaped, but no such day
        ("550e8400e29b41d4a716446655440000", ["hex_digest"]),  # undashed: not a UUID
        ("4539 1488 0343 6467", ["credit_card"]),
        ("DE89 3704 0044 0532 0130 00", ["iban"]),
        ("00:1A:2b:3C:4d:5E", ["mac_address"]),
        ("52.5200, 13.4050", ["coordinates"]),
    ],
)
def test_formats(value: str, formats: list[str]) -> None:
    assert matching_formats(value) == formats


def test_counts_and_observed_type() -> None:
    values = {"1": 5, "2.5": 3, "x": 1}
    counts = format_counts(values)
    assert counts["numeric"] == 8
    assert observed_type(counts, 9) is None  # 8 of 9 is below 95%
    assert observed_type({"numeric": 95}, 100) == "numeric"
    assert observed_type({"date": 100}, 100) == "date"
    assert observed_type({"datetime": 100, "date": 0}, 100) == "timestamp"
    assert observed_type({}, 0) is None


def test_pattern_counts_are_capped() -> None:
    values = {f"{'a' * i}1": i for i in range(1, 5)} | {"B": 10}
    ranked, total = pattern_counts(values, max_patterns=2)
    assert total == 5
    assert ranked == [("A", 10), ("aaaa9", 4)]
