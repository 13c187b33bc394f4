"""Validators for single values: anchored patterns plus checksums.

Every pattern here matches a *whole* value (``fullmatch``); nothing is found as a substring
of a longer value, so ``SCN-125`` is not a 3-digit code and ``release_year`` values are not
security codes.  The free-text scanner (``freetext.py``) is the one place that searches
inside values, and it validates what it finds the same way.
"""

from __future__ import annotations

import ipaddress
import re
import uuid

from stdnum import iban as _iban
from stdnum import luhn as _luhn

EMAIL = re.compile(
    r"(?P<local>[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*)"
    r"@(?P<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})"
)
MAC = re.compile(
    r"[0-9A-Fa-f]{2}([:-])(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}|[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}"
)
# Dashed only: 32 bare hex digits are as often an MD5 digest.
UUID_TEXT = re.compile(
    r"\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?"
)
HEX_DIGEST = re.compile(r"(?:[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{56}|[0-9a-f]{64}|[0-9a-f]{128})")
# Password-hash formats that name themselves: bcrypt, argon2, scrypt, sha-crypt, md5-crypt,
# Django's pbkdf2 and friends.  A bare hex digest does not: it is as often a hashed key.
PASSWORD_HASH = re.compile(
    r"\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{53}"
    r"|\$argon2(?:id|i|d)\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+"
    r"|\$(?:1|5|6|md5|sha1|y|7)\$[./A-Za-z0-9$=,]{8,}"
    r"|(?:pbkdf2_sha256|pbkdf2_sha1|bcrypt_sha256|argon2|scrypt|sha1|md5)\$[^\s$]+\$[^\s]+"
    r"|\{(?:SSHA|SHA|SSHA256|SSHA512|CRYPT|MD5)\}[A-Za-z0-9+/=.$]+"
)
PHONE_SHAPE = re.compile(r"\+?[\d\s().\-/]{6,22}(?:\s*(?:x|ext\.?)\s*\d{1,5})?", re.IGNORECASE)
SSN_DASHED = re.compile(r"\d{3}-\d{2}-\d{4}")
NINO = re.compile(
    r"(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]"
)
PASSPORT_SHAPE = re.compile(r"[A-Z0-9]{6,9}")
USERNAME_SHAPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{1,31}")
COORD_PAIR = re.compile(
    r"\(?\s*(?P<lat>[+-]?\d{1,2}\.\d{3,})\s*[,; ]\s*(?P<lon>[+-]?\d{1,3}\.\d{3,})\s*\)?"
)
COORD_SINGLE = re.compile(r"[+-]?\d{1,3}\.\d{3,}")
DIGITS = re.compile(r"\d+")

# Issuer identification ranges: (first digits low, high, allowed lengths).
_IIN_RANGES: tuple[tuple[int, int, int, tuple[int, ...]], ...] = (
    (1, 4, 4, (13, 16, 19)),  # Visa
    (2, 51, 55, (16,)),  # Mastercard
    (4, 2221, 2720, (16,)),  # Mastercard 2-series
    (2, 34, 34, (15,)),  # American Express
    (2, 37, 37, (15,)),  # American Express
    (4, 6011, 6011, (16, 19)),  # Discover
    (2, 65, 65, (16, 19)),  # Discover
    (3, 644, 649, (16, 19)),  # Discover
    (4, 1800, 1800, (15,)),  # JCB (legacy)
    (4, 2131, 2131, (15,)),  # JCB (legacy)
    (2, 35, 35, (16, 17, 18, 19)),  # JCB (3528-3589; generators use all of 35xx)
    (3, 300, 305, (14, 16, 19)),  # Diners Club
    (2, 36, 36, (14, 16, 19)),  # Diners Club
    (2, 38, 39, (14, 16, 19)),  # Diners Club
    (2, 62, 62, (16, 17, 18, 19)),  # UnionPay
    (2, 50, 50, (12, 13, 14, 15, 16, 17, 18, 19)),  # Maestro
    (2, 56, 58, (12, 13, 14, 15, 16, 17, 18, 19)),  # Maestro
    (2, 67, 67, (12, 13, 14, 15, 16, 17, 18, 19)),  # Maestro
)


def is_email(value: str) -> bool:
    """A whole value that is one syntactically valid address (local part ≤ 64, total ≤ 254)."""
    if len(value) > 254:
        return False
    match = EMAIL.fullmatch(value)
    return bool(match) and len(match.group("local")) <= 64 if match else False


def card_digits(value: str) -> str | None:
    """The digits of a card-number-shaped value (digits, spaces, dashes), else ``None``."""
    compact = value.replace(" ", "").replace("-", "")
    if not compact.isdigit() or not 12 <= len(compact) <= 19:
        return None
    return compact


def is_card_number(value: str) -> bool:
    """Luhn-valid, with the length an issuer in ``_IIN_RANGES`` uses."""
    digits = card_digits(value)
    if digits is None or len(set(digits)) < 3:
        return False
    if not any(
        low <= int(digits[:width]) <= high and len(digits) in lengths
        for width, low, high, lengths in _IIN_RANGES
    ):
        return False
    return bool(_luhn.is_valid(digits))


def is_iban(value: str) -> bool:
    """Country-specific length and mod-97 check digits."""
    compact = value.replace(" ", "")
    return len(compact) >= 15 and compact[:2].isalpha() and bool(_iban.is_valid(compact))


def is_ip_address(value: str) -> bool:
    if "." not in value and ":" not in value:
        return False
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return False
    return not (address.version == 6 and value.count(":") < 2)


def is_mac_address(value: str) -> bool:
    return MAC.fullmatch(value) is not None


def is_uuid(value: str) -> bool:
    if UUID_TEXT.fullmatch(value) is None:
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def is_hex_digest(value: str) -> bool:
    return HEX_DIGEST.fullmatch(value.lower()) is not None


def is_password_hash(value: str) -> bool:
    return PASSWORD_HASH.fullmatch(value) is not None


def is_nino(value: str) -> bool:
    return NINO.fullmatch(value.upper()) is not None


def is_latitude(value: float) -> bool:
    return -90.0 <= value <= 90.0


def is_longitude(value: float) -> bool:
    return -180.0 <= value <= 180.0


def is_coordinate_pair(value: str) -> bool:
    match = COORD_PAIR.fullmatch(value)
    if match is None:
        return False
    return is_latitude(float(match.group("lat"))) and is_longitude(float(match.group("lon")))


def digit_count(value: str) -> int:
    return sum(c.isdigit() for c in value)
