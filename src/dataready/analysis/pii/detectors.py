"""Value detectors for structured entities: patterns plus validators over the sample.

A detector reads a ``SampleView`` and returns a ``ValueMatch``: how many checked values fit
the entity's shape (``matched``), how many also passed its validator (``validated``: Luhn and
issuer ranges, IBAN mod-97, stdnum, phonenumbers, …) and how many are specific enough to
stand without name evidence (``standalone``).  Shapes and validators are the shared
recognisers (``analysis/recognisers``): *matched* is a recogniser's ``shaped``, *validated*
its ``matches``, so a value the profiler reports as a format is validated here too.
Detectors never return raw values: the example is masked.  Dictionary-backed detectors
(names, places) live in ``people.py``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from dataready.analysis.pii import validators as v
from dataready.analysis.pii.dictionaries import fold
from dataready.analysis.pii.entities import Entity
from dataready.analysis.pii.evidence import SampleView
from dataready.analysis.pii.masking import mask
from dataready.analysis.pii.names import token_set
from dataready.analysis.pii.national_ids import match_national_id
from dataready.analysis.recognisers import (
    catalogue,
    parse_date,
    recogniser,
    recognisers_version,
)


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
            "recognisers_version": recognisers_version(),
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


@register_detector(Entity.PHONE)
def detect_phone(sample: SampleView) -> ValueMatch:
    phone = recogniser("phone")

    def check(value: str) -> tuple[bool, bool, bool]:
        if not phone.shaped(value):
            return False, False, False
        return True, phone.matches(value), phone.stands_alone(value)

    return tally(Entity.PHONE, "phone-number", sample.checked[:100], check, "phonenumbers")


@register_detector(Entity.CREDIT_CARD)
def detect_card(sample: SampleView) -> ValueMatch:
    def check(value: str) -> tuple[bool, bool, bool]:
        if v.card_digits(value) is None:
            return False, False, False
        ok = v.is_card_number(value)
        return True, ok, ok

    return tally(Entity.CREDIT_CARD, "card-number", sample.checked, check, "luhn+iin")


@register_detector(Entity.BANK_ACCOUNT)
def detect_bank_account(sample: SampleView) -> ValueMatch:
    account = recogniser("account_number")

    def check(value: str) -> tuple[bool, bool, bool]:
        if v.is_iban(value):
            return True, True, True
        return account.shaped(value), False, False

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
    single = recogniser("coordinate")

    def check(value: str) -> tuple[bool, bool, bool]:
        if v.is_coordinate_pair(value):
            return True, True, True
        if not single.shaped(value):
            return False, False, False
        return True, single.matches(value), False

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
    passport = recogniser("passport_number")

    def check(value: str) -> tuple[bool, bool, bool]:
        ok = passport.matches(value)
        return ok, ok, False

    return tally(Entity.PASSPORT, "passport-number", sample.checked, check)


@register_detector(Entity.USERNAME)
def detect_username(sample: SampleView) -> ValueMatch:
    username = recogniser("username")

    def check(value: str) -> tuple[bool, bool, bool]:
        ok = username.matches(value)
        return ok, ok, False

    return tally(Entity.USERNAME, "username", sample.checked, check)


@register_detector(Entity.SECRET)
def detect_secret(sample: SampleView) -> ValueMatch:
    token = recogniser("opaque_token")

    def check(value: str) -> tuple[bool, bool, bool]:
        if v.is_password_hash(value):
            return True, True, True
        if v.is_hex_digest(value):
            return True, True, False
        return token.shaped(value), False, False

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


_TIME_SEPARATOR = re.compile(r"[T ]")


def _birth_date(value: str) -> dt.date | None:
    """The date a ``date``/``datetime`` value names, or 1 July of a ``year`` value."""
    if recogniser("date").matches(value) or recogniser("datetime").matches(value):
        day = _TIME_SEPARATOR.split(value, maxsplit=1)[0]
        return parse_date(day, catalogue().settings["date_layouts"])
    if recogniser("year").matches(value):
        return dt.date(int(value), 7, 1)
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


@register_detector(Entity.POSTAL_CODE)
def detect_postal_code(sample: SampleView) -> ValueMatch:
    postal = recogniser("postal_code")

    def check(value: str) -> tuple[bool, bool, bool]:
        ok = postal.matches(value)
        return ok, ok, False

    return tally(Entity.POSTAL_CODE, "postal-code", sample.checked, check, "country-patterns")
