"""String shapes: character-class patterns, recognised formats and the observed type.

A *shape pattern* maps every character to its class — ``A`` upper-case letter, ``a``
lower-case letter, ``9`` digit, ``_`` whitespace — and keeps punctuation as it is, so
``John.Doe@mail.com`` becomes ``Aaaa.Aaa@aaaa.aaa`` and ``Jonathan.Doe@mail.com``
``Aa+.Aaa@aaaa.aaa``. Runs are collapsed so that lengths
that do not matter do not split patterns: a letter run longer than four is written as one
class letter and ``+``; a digit run longer than twelve as ``9+`` (digit counts up to twelve
say a lot: postal codes, phone groups, dates). Letters outside ASCII map by case; other
characters stay as they are.

*Formats* are the reported recognisers of ``analysis/recognisers`` (e-mail, URL, UUID, IPv4,
IPv6, date, date-time, time, phone, postal code, numeric, boolean words, MAC address, card
number, IBAN, hex digest, password hash, coordinates): the same objects the PII classifier
validates values with, so a format in a profile means what the classifier would conclude
from the value.  They may overlap: ``12345`` is numeric and a postal code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from dataready.analysis.recognisers import catalogue, recognised

MAX_LETTER_RUN = 4
MAX_DIGIT_RUN = 12


def _class_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(ord("A"), ord("Z") + 1):
        table[code] = "A"
        table[code + 32] = "a"
    for code in range(ord("0"), ord("9") + 1):
        table[code] = "9"
    for ch in " \t\r\n\f\v":
        table[ord(ch)] = "_"
    return table


_CLASSES = _class_table()
_RUNS = re.compile(
    f"a{{{MAX_LETTER_RUN + 1},}}|A{{{MAX_LETTER_RUN + 1},}}|9{{{MAX_DIGIT_RUN + 1},}}"
)
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _non_ascii_class(match: re.Match[str]) -> str:
    ch = match.group()
    if ch.isupper():
        return "A"
    if ch.islower() or ch.isalpha():
        return "a"
    if ch.isdigit():
        return "9"
    if ch.isspace():
        return "_"
    return ch


def shape_pattern(value: str, max_length: int = 64) -> str:
    """The character-class pattern of ``value`` (at most ``max_length`` characters, then ``…``)."""
    shape = value.translate(_CLASSES)
    if not shape.isascii():
        shape = _NON_ASCII.sub(_non_ascii_class, shape)
    shape = _RUNS.sub(lambda m: m.group()[0] + "+", shape)
    if len(shape) > max_length:
        shape = shape[:max_length] + "…"
    return shape


def format_names() -> tuple[str, ...]:
    """The formats the profiler reports, in the recogniser data file's order."""
    return tuple(r.name for r in catalogue().reported)


def matching_formats(value: str) -> list[str]:
    """The names of the formats ``value`` matches (surrounding whitespace ignored)."""
    return recognised(value)


def format_counts(values: Mapping[str, int]) -> dict[str, int]:
    """How many of the counted values (value → occurrences) match each format."""
    counts: dict[str, int] = {}
    for value, count in values.items():
        for name in matching_formats(value):
            counts[name] = counts.get(name, 0) + count
    return counts


def pattern_counts(
    values: Mapping[str, int], max_patterns: int
) -> tuple[list[tuple[str, int]], int]:
    """The ``max_patterns`` most common shapes with their counts, and how many shapes exist."""
    counts: dict[str, int] = {}
    for value, count in values.items():
        shape = shape_pattern(value)
        counts[shape] = counts.get(shape, 0) + count
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ranked[:max_patterns], len(counts)


OBSERVED_SHARE = 0.95
"""The share of non-empty values that must match for a text column to 'hold' a type."""


def observed_type(formats: Mapping[str, int], total: int) -> str | None:
    """The type a text column's values show, when it is not text (``None``: text).

    Args:
        formats: format name → number of values matching it.
        total: the number of non-empty values the counts were taken over.
    """
    if total <= 0:
        return None
    for name, observed in (
        ("boolean", "boolean"),
        ("numeric", "numeric"),
        ("datetime", "timestamp"),
        ("date", "date"),
        ("time", "time"),
        ("uuid", "uuid"),
    ):
        if formats.get(name, 0) >= OBSERVED_SHARE * total:
            return observed
    return None
