"""String shapes: character-class patterns, recognised formats and the observed type.

A *shape pattern* maps every character to its class — ``A`` upper-case letter, ``a``
lower-case letter, ``9`` digit, ``_`` whitespace — and keeps punctuation as it is, so
``John.Doe@mail.com`` becomes ``Aaaa.Aaa@aaaa.aaa`` and ``Jonathan.Doe@mail.com``
``Aa+.Aaa@aaaa.aaa``. Runs are collapsed so that lengths
that do not matter do not split patterns: a letter run longer than four is written as one
class letter and ``+``; a digit run longer than twelve as ``9+`` (digit counts up to twelve
say a lot: postal codes, phone groups, dates). Letters outside ASCII map by case; other
characters stay as they are.

*Formats* are recognised by anchored regular expressions over the whole value (e-mail,
phone, URL, UUID, IPv4, IPv6, date, date-time, time, postal code, numeric, boolean words).
They may overlap: ``12345`` is numeric and a postal code.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping

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


_DATE = (
    r"(\d{4}-\d{1,2}-\d{1,2}|\d{4}/\d{1,2}/\d{1,2}|\d{1,2}/\d{1,2}/\d{4}|\d{1,2}\.\d{1,2}\.\d{4}"
    r"|\d{1,2}-\d{1,2}-\d{4})"
)
_TIME = r"\d{1,2}:\d{2}(:\d{2}(\.\d{1,9})?)?(\s?[AaPp][Mm])?"
_ZONE = r"(Z|[+-]\d{2}(:?\d{2})?)?"

FORMATS: dict[str, re.Pattern[str]] = {
    "email": re.compile(
        r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
    ),
    "url": re.compile(r"(https?|ftp)://[^\s/$.?#][^\s]*|www\.[^\s/]+\.[a-z]{2,}[^\s]*", re.I),
    "uuid": re.compile(
        r"\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\}?", re.I
    ),
    "ipv4": re.compile(
        r"((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
    ),
    "ipv6": re.compile(r"[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*"),
    "date": re.compile(_DATE),
    "datetime": re.compile(_DATE + r"[T ]" + _TIME + r"\s?" + _ZONE),
    "time": re.compile(_TIME),
    "phone": re.compile(r"(\+\d{1,3}[\s.-]?)?(\(\d{1,4}\)[\s.-]?)?\d{1,4}([\s.-]?\d{1,4}){1,5}"),
    "postal_code": re.compile(
        r"\d{5}(-\d{4})?"  # US ZIP, ZIP+4; also DE, FR, ES, IT five digits
        r"|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}"  # UK
        r"|[A-Z]\d[A-Z] ?\d[A-Z]\d"  # Canada
        r"|\d{4} ?[A-Z]{2}",  # Netherlands
        re.I,
    ),
    "numeric": re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?"),
    "boolean": re.compile(r"true|false|yes|no|y|n|t|f", re.I),
}


def _phone(value: str) -> bool:
    digits = sum(ch.isdigit() for ch in value)
    if not 7 <= digits <= 15 or FORMATS["date"].fullmatch(value):
        return False
    if FORMATS["ipv4"].fullmatch(value):
        return False
    # A bare run of digits is a number unless it is long enough to be a phone number.
    return not value.isdigit() or digits >= 10


def _ipv6(value: str) -> bool:
    try:
        return isinstance(ipaddress.ip_address(value), ipaddress.IPv6Address)
    except ValueError:
        return False


def matching_formats(value: str) -> list[str]:
    """The names of the formats ``value`` matches (surrounding whitespace ignored)."""
    text = value.strip()
    if not text:
        return []
    found = []
    for name, pattern in FORMATS.items():
        if not pattern.fullmatch(text):
            continue
        if (name == "phone" and not _phone(text)) or (name == "ipv6" and not _ipv6(text)):
            continue
        found.append(name)
    return found


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
