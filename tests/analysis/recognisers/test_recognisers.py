"""The one set of recognisers: its data file, its rules, and that both users agree on it.

The profiler's formats (``profiling/shapes.py``) and the classifier's validators and detectors
(``pii/validators.py``, ``pii/detectors.py``) read the same recognisers; the agreement tests
run a corpus of values through both paths and require the same verdict for every value.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from faker import Faker

from dataready.analysis.pii import ColumnEvidence, Entity, classify_column
from dataready.analysis.pii import validators as v
from dataready.analysis.pii.detectors import DETECTORS
from dataready.analysis.pii.evidence import SampleView
from dataready.analysis.profiling import (
    ColumnMeta,
    ColumnSketch,
    PassFacts,
    SketchConfig,
    build_column,
)
from dataready.analysis.profiling.shapes import format_counts, matching_formats, observed_type
from dataready.analysis.recognisers import (
    CHECKS,
    catalogue,
    parse_catalogue,
    recognised,
    recogniser,
    recognisers_version,
    register_check,
)
from dataready.analysis.recognisers.catalogue import DATA_FILE
from dataready.domain.profiling import ValueKind
from dataready.errors import ConfigError, UnknownName
from dataready.sql.profile import ColumnSpec, DistinctMethod
from dataready.sql.types import TypeFamily


def _corpus() -> list[str]:
    fake = Faker(["en_US", "en_GB", "de_DE", "fr_FR"])
    fake.seed_instance(9)
    generated: list[Callable[[], Any]] = [
        fake.email, fake.phone_number, fake.msisdn, fake.credit_card_number, fake.iban,
        fake.ipv4, fake.ipv6, fake.mac_address, fake.uuid4, fake.md5, fake.sha1,
        fake.date, fake.iso8601, fake.time, fake.postcode, fake.url, fake.ssn, fake.user_name,
        fake.bban, lambda: f"{fake.latitude()}, {fake.longitude()}",
        lambda: fake.uuid4().replace("-", ""), lambda: str(fake.random_int(0, 10**12)),
    ]  # fmt: skip
    values = [str(make()) for make in generated for _ in range(12)]
    edge = [
        "550e8400-e29b-41d4-a716-446655440000", "{550E8400-E29B-41D4-A716-446655440000}",
        "550e8400e29b41d4a716446655440000", "+1 415 555 2671", "(415) 555-2671",
        "+1 (555) 123-4567", "555-123-4567", "0044 20 7946 0958", "020 7946 0958",
        "+49 30 901820", "536-22-1234", "12345678", "2024-01-31", "2024-02-30", "31/01/2024",
        "2024-01-31T10:00:00Z", "4539 1488 0343 6467", "4539148803436468", "4111111111111111",
        "DE89 3704 0044 0532 0130 00", "DE89 3704 0044 0532 0130 01", "192.168.0.1",
        "256.1.1.1", "01.2.3.4", "2001:db8::1", "::ffff:1.2.3.4", "00:1A:2b:3C:4d:5E",
        "0011.2233.4455", "jane.doe+x@example.co.uk", "a@b", "contact a@example.com",
        "$2b$12$" + "a" * 53, "52.5200, 13.4050", "95.0, 13.4050", "94105", "SW1A 1AA",
        "12.345", "1.5", "hello world", "yes", "", "x" * 300,
    ]  # fmt: skip
    return values + edge


CORPUS = _corpus()


def _detector(entity: Entity, value: str) -> tuple[bool, bool, bool]:
    """The detector's (matched, validated, standalone) verdict on ``value`` alone."""
    found = DETECTORS[entity](SampleView.of(ColumnEvidence("c", values=[value])))
    assert found is not None
    return bool(found.matched), bool(found.validated), bool(found.standalone)


# Profile format -> what the classifier concludes from the same value.
CLASSIFIER_VERDICT: dict[str, Callable[[str], bool]] = {
    "email": lambda x: _detector(Entity.EMAIL, x)[1],
    "phone": lambda x: _detector(Entity.PHONE, x)[1],
    "credit_card": lambda x: _detector(Entity.CREDIT_CARD, x)[1],
    "iban": lambda x: _detector(Entity.BANK_ACCOUNT, x)[1],
    "ipv4": lambda x: _detector(Entity.IP_ADDRESS, x)[1] and ":" not in x,
    "ipv6": lambda x: _detector(Entity.IP_ADDRESS, x)[1] and ":" in x,
    "mac_address": lambda x: _detector(Entity.MAC_ADDRESS, x)[1],
    "coordinates": lambda x: _detector(Entity.GEO_COORDINATES, x)[2],
    "password_hash": lambda x: _detector(Entity.SECRET, x)[2],
    "hex_digest": lambda x: _detector(Entity.SECRET, x)[1] and not v.is_password_hash(x),
    "postal_code": lambda x: _detector(Entity.POSTAL_CODE, x)[1],
    "uuid": v.is_uuid,
}


@pytest.mark.parametrize("fmt", sorted(CLASSIFIER_VERDICT))
def test_profile_format_and_classifier_agree_on_every_value(fmt: str) -> None:
    profiled = {x for x in CORPUS if fmt in matching_formats(x)}
    classified = {x for x in CORPUS if x.strip() and CLASSIFIER_VERDICT[fmt](x.strip())}
    assert profiled == classified
    assert profiled, f"the corpus holds no {fmt} value: the test would prove nothing"


def test_dates_the_profiler_reports_are_the_dates_the_classifier_reads() -> None:
    for x in CORPUS:
        formats = matching_formats(x)
        is_date = "date" in formats or "datetime" in formats
        matched = _detector(Entity.DATE_OF_BIRTH, x)[0] if x.strip() else False
        year = re.fullmatch(r"\d{4}", x) is not None
        assert matched == (is_date or year), x


def test_every_entity_format_is_checked_for_agreement() -> None:
    entity_formats = {r.name for r in catalogue().reported if r.entity is not None}
    assert entity_formats <= set(CLASSIFIER_VERDICT)


def test_uuid_rule_dashed_only() -> None:
    dashed, bare = "123e4567-e89b-12d3-a456-426614174000", "123e4567e89b12d3a456426614174000"
    assert recognised(dashed) == ["uuid"]
    assert recognised(bare) == ["hex_digest"]  # as an MD5 digest would be
    assert observed_type(format_counts({bare: 10}), 10) is None
    assert observed_type(format_counts({dashed: 10}), 10) == "uuid"
    keys = classify_column(ColumnEvidence("ref", values=[dashed] * 5))
    assert keys.skipped_reason is not None and "UUID" in keys.skipped_reason
    digests = classify_column(ColumnEvidence("ref", values=[bare] * 5))
    assert digests.skipped_reason is None


def _with_settings(**settings: Any) -> str:
    lines = ["version = 1", "[settings]"]
    lines += [f"{k} = {v!r}".replace("'", '"') for k, v in settings.items()]
    lines += [
        "[[recogniser]]",
        'name = "phone"',
        "pattern = '\\+?[\\d\\s().\\-/]{6,22}'",
        'check = "phone_number"',
    ]
    return "\n".join(lines)


def test_phone_regions_come_from_the_data_file() -> None:
    uk_number = "020 7946 0958"
    gb = parse_catalogue(_with_settings(phone_regions=["GB"])).by_name["phone"]
    us = parse_catalogue(_with_settings(phone_regions=["US"])).by_name["phone"]
    assert gb.matches(uk_number) and not us.matches(uk_number)
    assert gb.matches("+1 415 555 2671") and us.matches("+1 415 555 2671")  # prefix: as written
    assert "GB" in catalogue().settings["phone_regions"]
    assert recogniser("phone").matches(uk_number)


def test_phone_layout_decides_standalone() -> None:
    phone = recogniser("phone")
    # Bare digits have the shape, but phonenumbers accepts most random digit strings in one
    # of the regions: they are not recognised (and never stand alone).
    assert phone.shaped("4155552671") and not phone.matches("4155552671")
    assert not phone.stands_alone("4155552671")
    assert phone.matches("004420 7946 0958") and phone.matches("00442079460958")
    assert phone.matches("415.555.2671") and not phone.stands_alone("4155552671 x12")
    assert phone.stands_alone("(415) 555-2671") and phone.stands_alone("+1 415 555 2671")
    assert not phone.matches("536-22-1234")  # an SSN layout, never a phone


def _profiled(values: list[str]) -> dict[str, Any]:
    counts = format_counts(dict.fromkeys(values, 1))
    return {
        "formats": {k: c / len(values) for k, c in counts.items()},
        "formats_values": len(values),
    }


@pytest.mark.parametrize(
    ("column", "make"),
    [
        ("email", "email"),
        ("contact", "email"),
        ("ip", "ipv4"),
        ("addr", "ipv6"),
        ("mac", "mac_address"),
        ("card_number", "credit_card_number"),
        ("iban", "iban"),
        ("phone", "phone"),
    ],
)
def test_profile_evidence_concludes_what_the_values_do(column: str, make: str) -> None:
    fake = Faker("en_US")
    fake.seed_instance(3)
    if make == "phone":
        values = [f"+1 415 555 {n:04d}" for n in range(2600, 2640)]
    else:
        values = list(dict.fromkeys(str(getattr(fake, make)()) for _ in range(40)))
    from_values = classify_column(ColumnEvidence(column, "t", values=values))
    from_profile = classify_column(ColumnEvidence(column, "t", profile=_profiled(values)))
    top = from_values.findings[0]
    assert top.applied
    same = next(f for f in from_profile.findings if f.entity is top.entity)
    assert same.confidence == top.confidence
    assert same.evidence["values"]["values_checked"] == len(values)
    assert same.evidence["values"]["validator"] == f"recognisers-v{recognisers_version()}"


def test_profile_phone_share_alone_is_not_a_phone_column() -> None:
    # The profile does not keep the layout a number was written in, and a bare valid number
    # does not stand alone: without a name, a profile's phone share is no finding.
    values = [f"+1 415 555 {n:04d}" for n in range(2600, 2640)]
    result = classify_column(ColumnEvidence("c", "t", profile=_profiled(values)))
    assert Entity.PHONE not in result.entities


def test_profile_formats_are_read_only_without_a_sample() -> None:
    values = ["not an address"] * 30
    profile = {"formats": {"email": 1.0}, "formats_values": 30}
    result = classify_column(ColumnEvidence("c", "t", values=values, profile=profile))
    assert Entity.EMAIL not in {f.entity for f in result.findings}  # the sample decides


def test_ip_shares_add_up_from_both_families() -> None:
    profile = {"formats": {"ipv4": 0.5, "ipv6": 0.5}, "formats_values": 40}
    result = classify_column(ColumnEvidence("c", "t", profile=profile))
    found = next(f for f in result.findings if f.entity is Entity.IP_ADDRESS)
    assert found.applied and found.evidence["values"]["validated_share"] == 1.0
    assert found.evidence["values"]["pattern"] == "profile:ipv4+ipv6"


def test_the_data_file_is_packaged_and_versioned() -> None:
    assert recognisers_version() == catalogue().version >= 1
    names = [r.name for r in catalogue().recognisers]
    assert len(names) == len(set(names))
    for r in catalogue().recognisers:
        assert r.check_name is None or r.check_name in CHECKS


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("version = 99", "version"),
        ("version = 1\n[[recogniser]]\nname = 'x'\npattern = 'a'\ncheck = 'nope'", "nope"),
        ("version = 1\n[[recogniser]]\nname = 'x'\npattern = '('", "regular expression"),
        ("version = 1\n[[recogniser]]\nname = 'x'\npattern = 'a'\ncolour = 1", "unknown keys"),
        ("version = 1\n[[recogniser]]\nname = 'x'\npattern = 'a'\n[[recogniser]]\n"
         "name = 'x'\npattern = 'b'", "unique"),
        ("version = 1\n[[recogniser]]\nname = 'x'\npattern = 'a'\n"
         "exclude_recognisers = ['y']", "unknown"),
    ],
)  # fmt: skip
def test_a_broken_data_file_is_a_config_error(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_catalogue(text)


def test_unknown_recogniser_lists_the_known_ones() -> None:
    with pytest.raises(UnknownName, match="email"):
        recogniser("no-such-format")


def test_a_registered_check_is_usable_from_a_data_file() -> None:
    @register_check("test.even_digits")
    def even(value: str, match: re.Match[str], params: Any, settings: Any) -> bool:
        return sum(c.isdigit() for c in value) % 2 == 0

    try:
        text = "version = 1\n[[recogniser]]\nname = 'even'\npattern = '\\d+'\n"
        found = parse_catalogue(text + "check = 'test.even_digits'").by_name["even"]
        assert found.matches("12") and not found.matches("123") and not found.matches("ab")
    finally:
        del CHECKS["test.even_digits"]
    assert DATA_FILE == "recognisers.toml"


def _built_profile(values: list[str]) -> dict[str, Any]:
    """The profiler's column document for a text column holding ``values``."""

    sketch = ColumnSketch(ValueKind.STRING, TypeFamily.STRING, SketchConfig(counts_cap=20_000))
    sketch.update(values)
    meta = ColumnMeta("c", 1, "text", TypeFamily.STRING)
    spec = ColumnSpec("c", TypeFamily.STRING, "text", DistinctMethod.EXACT)
    lengths = [len(x) for x in values]
    metrics = {
        "non_null": len(values), "distinct": len(set(values)), "min_length": min(lengths),
        "max_length": max(lengths), "sum_length": sum(lengths), "empty": 0, "blank": 0,
    }  # fmt: skip
    facts = PassFacts(len(values), len(values), True, dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    column = build_column(
        meta, spec, metrics, sketch, facts, top_n=5, max_patterns=5, histogram_bins_max=20
    )
    return column.to_dict()


def test_a_built_profile_records_the_version_and_classifies_like_its_values() -> None:
    fake = Faker("en_US")
    fake.seed_instance(11)
    values = list(dict.fromkeys(fake.ipv4() for _ in range(60)))
    profile = _built_profile(values)
    assert profile["formats_version"] == recognisers_version()
    assert profile["formats"]["ipv4"] == 1.0 and profile["formats_values"] == len(values)
    only_profile = {k: profile[k] for k in ("formats", "formats_values", "formats_version")}
    from_profile = classify_column(ColumnEvidence("host", "t", profile=only_profile))
    from_values = classify_column(ColumnEvidence("host", "t", values=values))
    assert from_profile.top is from_values.top is Entity.IP_ADDRESS
    assert from_profile.findings[0].confidence == from_values.findings[0].confidence


def test_formats_of_another_recogniser_version_are_not_read() -> None:
    profile = {"formats": {"email": 1.0}, "formats_values": 40}
    current = classify_column(
        ColumnEvidence("c", "t", profile={**profile, "formats_version": recognisers_version()})
    )
    assert current.top is Entity.EMAIL
    other = classify_column(
        ColumnEvidence("c", "t", profile={**profile, "formats_version": recognisers_version() + 1})
    )
    assert not other.findings
