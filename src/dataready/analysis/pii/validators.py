"""Validators for single values: the shared recognisers (``analysis/recognisers``) by name.

Every check here matches a *whole* value; nothing is found as a substring of a longer value,
so ``SCN-125`` is not a 3-digit code and ``release_year`` values are not security codes.  The
free-text scanner (``freetext.py``) is the one place that searches inside values, and it
validates what it finds with the same recognisers.  The profiler's formats are these same
recognisers, so the profile and the classifier never disagree about a value.
"""

from __future__ import annotations

from dataready.analysis.recognisers import recogniser


def _is(name: str, value: str) -> bool:
    return recogniser(name).matches(value)


def is_email(value: str) -> bool:
    """A whole value that is one syntactically valid address (local part ≤ 64, total ≤ 254)."""
    return _is("email", value)


def card_digits(value: str) -> str | None:
    """The digits of a card-number-shaped value (digits, spaces, dashes), else ``None``."""
    if not recogniser("credit_card").shaped(value):
        return None
    return "".join(c for c in value if c.isdigit())


def is_card_number(value: str) -> bool:
    """Luhn-valid, with the length an issuer of the data file's ranges uses."""
    return _is("credit_card", value)


def is_iban(value: str) -> bool:
    """Country-specific length and mod-97 check digits."""
    return _is("iban", value)


def is_ip_address(value: str) -> bool:
    return _is("ipv4", value) or _is("ipv6", value)


def is_mac_address(value: str) -> bool:
    return _is("mac_address", value)


def is_uuid(value: str) -> bool:
    """The dashed 8-4-4-4-12 form only: 32 bare hex digits are as often an MD5 digest."""
    return _is("uuid", value)


def is_hex_digest(value: str) -> bool:
    return _is("hex_digest", value)


def is_password_hash(value: str) -> bool:
    return _is("password_hash", value)


def is_nino(value: str) -> bool:
    return _is("gb.nino", value)


def is_coordinate_pair(value: str) -> bool:
    return _is("coordinates", value)


def is_phone_number(value: str) -> bool:
    """A phone number phonenumbers accepts (regions from the recogniser data file)."""
    return _is("phone", value)


def digit_count(value: str) -> int:
    return sum(c.isdigit() for c in value)
