"""The validators a recogniser may name: a registry from check name to function.

A check receives the (stripped) value, the match of the recogniser's pattern, its
``params`` and the data file's ``settings``, and says whether the value passes.  It runs
only on values that already fit the recogniser's shape, so it may assume the layout.
Checks register through :func:`register_check`, the way a plugin would add one.
"""

from __future__ import annotations

import datetime as dt
import importlib
import ipaddress
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any

import phonenumbers
from stdnum import iban as _iban
from stdnum import luhn as _luhn

from dataready.errors import UnknownName

Params = Mapping[str, Any]
Check = Callable[[str, "re.Match[str]", Params, Params], bool]
CHECKS: dict[str, Check] = {}


def register_check(name: str) -> Callable[[Check], Check]:
    """Register ``fn`` as the check called ``name`` in the data file."""

    def wrap(fn: Check) -> Check:
        CHECKS[name] = fn
        return fn

    return wrap


def get_check(name: str) -> Check:
    """The check called ``name``; an unknown name lists the known ones."""
    try:
        return CHECKS[name]
    except KeyError:
        known = ", ".join(sorted(CHECKS))
        raise UnknownName(f"unknown recogniser check {name!r}; known checks: {known}") from None


@register_check("group_length")
def group_length(value: str, match: re.Match[str], params: Params, settings: Params) -> bool:
    """The named group of the recogniser's pattern is at most ``max`` characters long."""
    return len(match.group(params["group"])) <= int(params["max"])


@register_check("uuid")
def is_uuid(value: str, match: re.Match[str], params: Params, settings: Params) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@register_check("ip_address")
def is_ip_address(value: str, match: re.Match[str], params: Params, settings: Params) -> bool:
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return False
    return address.version == int(params["version"])


@cache
def _layouts(layouts: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(layout) for layout in layouts)


def parse_date(value: str, layouts: Sequence[str]) -> dt.date | None:
    """The calendar date ``value`` writes in one of ``layouts``, else ``None``.

    A layout names ``year``, ``month`` and ``day``, or ``year``, ``first`` and ``second`` (a
    day and a month in either order: the one above 12 is the day, else the day comes first).
    """
    for layout in _layouts(tuple(layouts)):
        match = layout.fullmatch(value)
        if match is None:
            continue
        parts = match.groupdict()
        if "month" in parts:
            month, day = int(parts["month"]), int(parts["day"])
        else:
            first, second = int(parts["first"]), int(parts["second"])
            day, month = (second, first) if first <= 12 < second else (first, second)
        try:
            return dt.date(int(parts["year"]), month, day)
        except ValueError:
            return None
    return None


@register_check("calendar_date")
def is_calendar_date(value: str, match: re.Match[str], params: Params, settings: Params) -> bool:
    """The value (or its part before ``split``) is a real date in a settings.date_layouts."""
    if "split" in params:
        value = re.split(params["split"], value, maxsplit=1)[0]
    return parse_date(value, settings["date_layouts"]) is not None


def phone_valid(number: str, regions: Sequence[str]) -> bool:
    """phonenumbers accepts ``number``: as written after ``+``/``00``, else in a region."""
    text = "+" + number[2:] if number.startswith("00") else number
    tried: Sequence[str | None] = [None] if text.startswith("+") else regions
    for region in tried:
        try:
            parsed = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            return False
        if phonenumbers.is_valid_number(parsed):
            return True
    return False


@register_check("phone_number")
def is_phone_number(value: str, match: re.Match[str], params: Params, settings: Params) -> bool:
    """phonenumbers accepts the number; a bare run of digits only if ``bare_digits``.

    Digits after ``00`` (an international prefix) are not bare: they name their country.
    """
    bare = value.isdigit() and not value.startswith("00")
    if bare and not params.get("bare_digits", True):
        return False
    return phone_valid(value, params.get("regions", settings["phone_regions"]))


@register_check("card_number")
def is_card_number(value: str, match: re.Match[str], params: Params, settings: Params) -> bool:
    """Luhn-valid, with enough distinct digits and the length an issuer in range uses."""
    digits = "".join(c for c in value if c.isdigit())
    if len(set(digits)) < int(params.get("min_distinct_digits", 0)):
        return False
    if not any(
        low <= int(digits[:width]) <= high and len(digits) in lengths
        for width, low, high, lengths in params["issuers"]
    ):
        return False
    return bool(_luhn.is_valid(digits))


@register_check("iban")
def is_iban(value: str, match: re.Match[str], params: Params, settings: Params) -> bool:
    """Country-specific length and mod-97 check digits (stdnum)."""
    compact = value.replace(" ", "")
    if len(compact) < int(params.get("min_length", 0)) or not compact[:2].isalpha():
        return False
    return bool(_iban.is_valid(compact))


@register_check("coordinate_pair")
def is_coordinate_pair(value: str, match: re.Match[str], params: Params, settings: Params) -> bool:
    lat, lon = float(match.group("lat")), float(match.group("lon"))
    return -90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0


@register_check("number_range")
def in_range(value: str, match: re.Match[str], params: Params, settings: Params) -> bool:
    return float(params["low"]) <= float(value) <= float(params["high"])


@register_check("upper_pattern")
def upper_pattern(value: str, match: re.Match[str], params: Params, settings: Params) -> bool:
    """The upper-cased value matches ``pattern`` as a whole."""
    return re.fullmatch(params["pattern"], value.upper()) is not None


@cache
def _stdnum_validator(module: str) -> Callable[[str], object]:
    validate: Callable[[str], object] = importlib.import_module(f"stdnum.{module}").is_valid
    return validate


@register_check("stdnum")
def stdnum_valid(value: str, match: re.Match[str], params: Params, settings: Params) -> bool:
    """python-stdnum's ``is_valid`` of ``params.module`` (``us.ssn``, ``de.idnr``, …)."""
    try:
        return bool(_stdnum_validator(params["module"])(value))
    except Exception:  # stdnum raises on odd input it did not expect; treat as invalid
        return False
