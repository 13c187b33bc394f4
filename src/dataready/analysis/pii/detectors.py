"""Value detectors for structured entities: patterns plus validators over the sample.

A detector reads a ``SampleView`` and returns a ``ValueMatch``: how many checked values fit
the entity's shape (``matched``), how many also passed its validator (``validated``: Luhn and
issuer ranges, IBAN mod-97, stdnum, phonenumbers, …) and how many are specific enough to
stand without name evidence (``standalone``).  Detectors never return raw values: the
example is masked.  Dictionary-backed detectors (names, places) live in ``people.py``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import phonenumbers

from dataready.analysis.pii import validators as v
from dataready.analysis.pii.dictionaries import fold
from dataready.analysis.pii.entities import Entity
from dataready.analysis.pii.evidence import SampleView
from dataready.analysis.pii.masking import mask
from dataready.analysis.pii.names import token_set
from dataready.analysis.pii.national_ids import match_national_id


@dataclass(frozen=True)
class ValueMatch:
    """What a detector found in the sample (figures only; the example is masked)."""

    pattern: str
    checked: int
    matched: int
    validated: int
    standalone: int
    validator: str | None = None
    example: str | None = None

    @property
    def matched_share(self) -> float:
        return self.matched / self.checked if self.checked else 0.0

    @property
    def validated_share(self) -> float:
        return self.validated / self.checked if self.checked else 0.0

    @property
    def standalone_share(self) -> float:
        return self.standalone / self.checked if self.checked else 0.0

    def as_evidence(self) -> dict[str, object]:
        out: dict[str, object] = {
            "pattern": self.pattern,
            "values_checked": self.checked,
            "matched_share": round(self.matched_share, 4),
            "validated_share": round(self.validated_share, 4),
        }
        if self.validator:
            out["validator"] = self.validator
        if self.example:
            out["masked_example"] = self.example
        return out


# A detector stops after this many values if none of them fit its shape.
EARLY_EXIT_AFTER = 25

Detector = Callable[[SampleView], "ValueMatch | None"]
DETECTORS: dict[Entity, Detector] = {}


def register_detector(entity: Entity) -> Callable[[Detector], Detector]:
    """Register ``fn`` as the value detector of ``entity`` (one per entity)."""

    def wrap(fn: Detector) -> Detector:
        DETECTORS[entity] = fn
        return fn

    return wrap


def tally(
    entity: Entity,
    pattern: str,
    values: Iterable[str],
    check: Callable[[str], tuple[bool, bool, bool]],
    validator: str | None = None,
) -> ValueMatch:
    """Count (matched, validated, standalone) over ``values`` with a masked example."""
    checked = matched = validated = standalone = 0
    example: str | None = None
    for value in values:
        if checked == EARLY_EXIT_AFTER and matched == 0:
            break  # nothing fits the shape so far: the share is 0 either way, stop paying
        checked += 1
        m, ok, alone = check(value)
        matched += m
        validated += ok
        standalone += alone
        if ok and example is None:
            example = mask(entity, value)
    return ValueMatch(pattern, checked, matched, validated, standalone, validator, example)


@register_detector(Entity.EMAIL)
def detect_email(sample: SampleView) -> ValueMatch:
    def check(value: str) -> tuple[bool, bool, bool]:
        ok = v.is_email(value)
        return ok, ok, ok

    return tally(Entity.EMAIL, "email", sample.checked, check, "rfc5322-syntax")


_DATE_LIKE = re.compile(r"\d{4}-\d{2}-\d{2}.*|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d+\.\d{1,2}")
_PHONE_FORMATTED = re.compile(r"\+.*|.*\(\d{2,5}\).*|\d{2,5}[-. ]\d{2,5}[-. ]\d{2,6}.*")
_EXTENSION = re.compile(r"\s*(?:x|ext\.?)\s*\d{1,5}$", re.IGNORECASE)
_REGIONS = ("US", "GB", "DE", "FR", "IN", "BR", "ES", "IT", "NL", "AU", "CA", "PL")


def _phone_valid(value: str) -> bool:
    text = "+" + value[2:] if value.startswith("00") else value
    regions: tuple[str | None, ...] = (None,) if text.startswith("+") else _REGIONS
    for region in regions:
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            return False
        if phonenumbers.is_valid_number(number):
            return True
    return False


@register_detector(Entity.PHONE)
def detect_phone(sample: SampleView) -> ValueMatch:
    def check(value: str) -> tuple[bool, bool, bool]:
        number = _EXTENSION.sub("", value)
        shaped = (
            v.PHONE_SHAPE.fullmatch(value) is not None
            and 7 <= v.digit_count(number) <= 15
            and _DATE_LIKE.fullmatch(value) is None
            and not v.is_ip_address(value)
            and v.SSN_DASHED.fullmatch(value) is None  # NNN-NN-NNNN is no phone format
        )
        if not shaped:
            return False, False, False
        ok = _phone_valid(number)
        return True, ok, ok and _PHONE_FORMATTED.fullmatch(value) is not None

    return tally(Entity.PHONE, "phone-number", sample.checked[:100], check, "phonenumbers")


@register_detector(Entity.CREDIT_CARD)
def detect_card(sample: SampleView) -> ValueMatch:
    def check(value: str) -> tuple[bool, bool, bool]:
        if v.card_digits(value) is None:
            return False, False, False
        ok = v.is_card_number(value)
        return True, ok, ok

    return tally(Entity.CREDIT_CARD, "card-number", sample.checked, check, "luhn+iin")


_ACCOUNT_SHAPE = re.compile(r"[0-9][0-9 -]{4,20}[0-9]")


@register_detector(Entity.BANK_ACCOUNT)
def detect_bank_account(sample: SampleView) -> ValueMatch:
    def check(value: str) -> tuple[bool, bool, bool]:
        if value[:2].isalpha() and v.is_iban(value):
            return True, True, True
        return _ACCOUNT_SHAPE.fullmatch(value) is not None, False, False

    return tally(Entity.BANK_ACCOUNT, "iban|account-number", sample.checked, check, "iban-mod97")


@register_detector(Entity.IP_ADDRESS)
def detect_ip(sample: SampleView) -> ValueMatch:
    def check(value: str) -> tuple[bool, bool, bool]:
        ok = v.is_ip_address(value)
        return ok, ok, ok

    return tally(Entity.IP_ADDRESS, "ip-address", sample.checked, check, "ipaddress")


@register_detector(Entity.MAC_ADDRESS)
def detect_mac(sample: SampleView) -> ValueMatch:
    def check(value: str) -> tuple[bool, bool, bool]:
        ok = v.is_mac_address(value)
        return ok, ok, ok

    return tally(Entity.MAC_ADDRESS, "mac-address", sample.checked, check)


@register_detector(Entity.GEO_COORDINATES)
def detect_geo(sample: SampleView) -> ValueMatch:
    def check(value: str) -> tuple[bool, bool, bool]:
        if v.is_coordinate_pair(value):
            return True, True, True
        if v.COORD_SINGLE.fullmatch(value) is None:
            return False, False, False
        return True, v.is_longitude(float(value)), False

    return tally(Entity.GEO_COORDINATES, "lat-lon", sample.checked, check, "range")


@register_detector(Entity.NATIONAL_ID)
def detect_national_id(sample: SampleView) -> ValueMatch:
    kinds: Counter[str] = Counter()

    def check(value: str) -> tuple[bool, bool, bool]:
        kind, ok = match_national_id(value)
        if kind is None:
            return False, False, False
        if ok:
            kinds[kind.name] += 1
        return True, ok, ok and kind.standalone

    found = tally(Entity.NATIONAL_ID, "national-id", sample.checked, check)
    if kinds:
        name = kinds.most_common(1)[0][0]
        return ValueMatch(
            name, found.checked, found.matched, found.validated, found.standalone,
            f"stdnum:{name}", found.example,
        )  # fmt: skip
    return found


@register_detector(Entity.PASSPORT)
def detect_passport(sample: SampleView) -> ValueMatch:
    def check(value: str) -> tuple[bool, bool, bool]:
        upper = value.upper()
        ok = v.PASSPORT_SHAPE.fullmatch(upper) is not None and any(c.isdigit() for c in upper)
        return ok, ok, False

    return tally(Entity.PASSPORT, "passport-number", sample.checked, check)


@register_detector(Entity.USERNAME)
def detect_username(sample: SampleView) -> ValueMatch:
    def check(value: str) -> tuple[bool, bool, bool]:
        ok = (
            v.USERNAME_SHAPE.fullmatch(value) is not None
            and not value.isdigit()
            and not v.is_uuid(value)
            and not v.is_hex_digest(value)
        )
        return ok, ok, False

    return tally(Entity.USERNAME, "username", sample.checked, check)


@register_detector(Entity.SECRET)
def detect_secret(sample: SampleView) -> ValueMatch:
    def check(value: str) -> tuple[bool, bool, bool]:
        if v.is_password_hash(value):
            return True, True, True
        if v.is_hex_digest(value):
            return True, True, False
        return len(value) >= 4 and " " not in value, False, False

    return tally(Entity.SECRET, "password-hash|digest", sample.checked, check, "hash-format")


GENDER_WORDS = token_set(
    "male female man woman men women non-binary nonbinary diverse other unknown "
    "mannlich weiblich divers homme femme hombre mujer masculino feminino femenino "
    "maschio femmina man vrouw"
)
GENDER_CODES = token_set("m f w x u d o n h 0 1 2 9")


@register_detector(Entity.GENDER)
def detect_gender(sample: SampleView) -> ValueMatch:
    def check(value: str) -> tuple[bool, bool, bool]:
        folded = fold(value)
        word = folded in GENDER_WORDS
        return word or folded in GENDER_CODES, word or folded in GENDER_CODES, word

    return tally(Entity.GENDER, "gender-value", sample.checked, check, "vocabulary")


_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?")
_DMY = re.compile(r"(\d{1,2})[./](\d{1,2})[./](\d{4})")
_YEAR = re.compile(r"(\d{4})")


def _birth_date(value: str) -> dt.date | None:
    try:
        if m := _ISO_DATE.fullmatch(value):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if m := _DMY.fullmatch(value):
            first, second = int(m[1]), int(m[2])
            day, month = (second, first) if first <= 12 < second else (first, second)
            return dt.date(int(m[3]), month, day)
        if m := _YEAR.fullmatch(value):
            return dt.date(int(m[1]), 7, 1)
    except ValueError:
        return None
    return None


@register_detector(Entity.DATE_OF_BIRTH)
def detect_date_of_birth(sample: SampleView) -> ValueMatch:
    today = dt.date.today()

    def check(value: str) -> tuple[bool, bool, bool]:
        born = _birth_date(value)
        if born is None:
            return False, False, False
        age = (today - born).days / 365.25
        return True, 0 <= age <= 120, False

    return tally(Entity.DATE_OF_BIRTH, "date", sample.checked, check, "plausible-age")


POSTAL_CODE_PATTERNS: dict[str, re.Pattern[str]] = {
    "us": re.compile(r"\d{5}(?:-\d{4})?"),
    "gb": re.compile(r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}", re.IGNORECASE),
    "ca": re.compile(r"[A-Z]\d[A-Z] ?\d[A-Z]\d", re.IGNORECASE),
    "nl": re.compile(r"\d{4} ?[A-Z]{2}", re.IGNORECASE),
    "br": re.compile(r"\d{5}-\d{3}"),
    "pl": re.compile(r"\d{2}-\d{3}"),
    "jp": re.compile(r"\d{3}-\d{4}"),
    "in": re.compile(r"\d{3} ?\d{3}"),
    "pt": re.compile(r"\d{4}-\d{3}"),
    "se": re.compile(r"\d{3} \d{2}"),
    "four-digit": re.compile(r"\d{3,4}"),
    "country-prefixed": re.compile(r"[A-Z]{1,2}-\d{4,5}", re.IGNORECASE),
    # Eircode, and other alphanumeric codes: only ever read with name evidence.
    "alphanumeric": re.compile(r"(?=(?:\D*\d){2})[A-Z0-9]{2,4} ?[A-Z0-9]{3,4}", re.IGNORECASE),
}


@register_detector(Entity.POSTAL_CODE)
def detect_postal_code(sample: SampleView) -> ValueMatch:
    def check(value: str) -> tuple[bool, bool, bool]:
        ok = len(value) <= 10 and any(p.fullmatch(value) for p in POSTAL_CODE_PATTERNS.values())
        return ok, ok, False

    return tally(Entity.POSTAL_CODE, "postal-code", sample.checked, check, "country-patterns")
