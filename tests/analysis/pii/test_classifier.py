"""Unit tests of the PII classifier's parts: names, validators, masking, tags, evidence."""

from __future__ import annotations

import json

import pytest
from faker import Faker

from dataready.analysis.pii import (
    NON_SENSITIVE_TAG,
    SENSITIVE_TAG,
    ColumnEvidence,
    Entity,
    classify_column,
)
from dataready.analysis.pii.entities import NON_SENSITIVE
from dataready.analysis.pii.masking import mask
from dataready.analysis.pii.names import name_signals, split_identifier
from dataready.analysis.pii.national_ids import match_national_id
from dataready.analysis.pii.presidio_gateway import analyzer, presidio_available
from dataready.analysis.pii.validators import (
    is_card_number,
    is_email,
    is_iban,
    is_ip_address,
    is_mac_address,
    is_password_hash,
    is_uuid,
)
from dataready.analysis.recognisers import recognisers_version
from dataready.errors import MissingExtra, ValidationFailed


@pytest.mark.parametrize(
    ("name", "tokens"),
    [
        ("cust_email_addr", ("cust", "email", "addr")),
        ("EmailAddress", ("email", "address")),
        ("e_mail", ("email",)),
        ("EMAIL", ("email",)),
        ("email2", ("email", "2")),
        ("firstName", ("first", "name")),
        ("HTTPStatusCode", ("http", "status", "code")),
        ("zipcode", ("zip", "code")),
        ("LAST_NM", ("last", "name")),
    ],
)
def test_split_identifier(name: str, tokens: tuple[str, ...]) -> None:
    assert split_identifier(name) == tokens


def test_negative_tokens_veto_the_name() -> None:
    assert name_signals("email_verified")[Entity.EMAIL].negated_by == "verified"
    assert name_signals("address_id")[Entity.STREET_ADDRESS].negated_by == "id"
    assert name_signals("phone_type")[Entity.PHONE].negated_by == "type"
    assert name_signals("birth_date")[Entity.DATE_OF_BIRTH].negated_by is None
    assert name_signals("national_id")[Entity.NATIONAL_ID].negated_by is None
    assert name_signals("password_hash")[Entity.SECRET].negated_by is None
    assert name_signals("created_at").get(Entity.DATE_OF_BIRTH) is None


def test_whole_tokens_only() -> None:
    assert Entity.POSTAL_CODE not in name_signals("ship_mode")
    assert Entity.PHONE not in name_signals("hotel_name")
    assert Entity.IP_ADDRESS not in name_signals("zip")


def test_bare_name_is_a_person_only_in_a_person_table() -> None:
    assert Entity.PERSON_NAME in name_signals("name", "customer")
    assert Entity.PERSON_NAME not in name_signals("name", "product")


def test_validators() -> None:
    assert is_email("mary.smith@example.com")
    assert not is_email("contact mary.smith@example.com")  # anchored: no substrings
    assert not is_email("a@b")
    assert is_card_number("4111 1111 1111 1111") is False  # too few distinct digits
    assert is_card_number("4539 1488 0343 6467")
    assert not is_card_number("4539 1488 0343 6468")  # Luhn fails
    assert not is_card_number("9539148803436467")  # no issuer starts with 9
    assert is_iban("DE89 3704 0044 0532 0130 00")
    assert not is_iban("DE89 3704 0044 0532 0130 01")
    assert is_ip_address("192.168.0.1") and is_ip_address("2001:db8::1")
    assert not is_ip_address("1.2.3") and not is_ip_address("12345")
    assert is_mac_address("00:1A:2b:3C:4d:5E") and not is_mac_address("00:1A:2b:3C:4d")
    assert is_uuid("123e4567-e89b-12d3-a456-426614174000")
    assert not is_uuid("123e4567e89b12d3a456426614174000")  # bare hex is a digest
    assert is_password_hash("$2b$12$" + "a" * 53)


def test_national_ids_need_a_checksum_and_bare_digits_never_stand_alone() -> None:
    kind, ok = match_national_id("536-22-1234")
    assert kind is not None and kind.name == "us.ssn" and ok and kind.standalone
    kind, ok = match_national_id("111222333")  # a valid BSN, but bare digits
    assert kind is not None and ok and not kind.standalone
    assert match_national_id("SCN-125") == (None, False)


def test_masking_never_returns_the_value() -> None:
    assert mask(Entity.EMAIL, "john.doe@example.com") == "j***@e***.com"
    assert mask(Entity.CREDIT_CARD, "4539148803436467") == "**** **** **** 6467"
    assert mask(Entity.PHONE, "+1 415 555 2671").endswith("71")
    assert "Smith" not in mask(Entity.PERSON_NAME, "Mary Smith")


def test_evidence_holds_no_raw_values() -> None:
    fake = Faker("en_US")
    fake.seed_instance(5)
    values = [fake.email() for _ in range(50)]
    result = classify_column(ColumnEvidence("email", "customer", values=values))
    dumped = json.dumps([t.to_dict() for t in result.tags()])
    assert not any(v in dumped for v in values)
    finding = result.findings[0]
    assert finding.evidence["values"]["validated_share"] == 1.0
    assert finding.evidence["values"]["values_checked"] == 50
    assert finding.evidence["values"]["recognisers_version"] == recognisers_version()
    assert finding.evidence["name"]["tokens"] == ["email"]
    assert "@" in finding.evidence["values"]["masked_example"]


def test_tags_carry_sensitive_category_and_threshold() -> None:
    values = ["Mike.Hillyer@sakilastaff.com", "Jon.Stephens@sakilastaff.com"]
    result = classify_column(ColumnEvidence("email", "staff", values=values))
    tags = {t.tag: t for t in result.tags()}
    assert tags[SENSITIVE_TAG].applied and tags["PII.Email"].applied
    strict = classify_column(
        ColumnEvidence("email", "staff", values=values), confidence_threshold=1.0
    )
    assert not any(t.applied for t in strict.tags())
    assert [t.tag for t in strict.tags()] == ["PII.Email"]  # proposed, not applied


def test_non_sensitive_entity_gets_the_non_sensitive_tag() -> None:
    values = ["Germany", "France", "Spain", "Italy", "Japan"] * 5
    result = classify_column(ColumnEvidence("country", "address", values=values))
    assert result.top is Entity.COUNTRY and Entity.COUNTRY in NON_SENSITIVE
    assert result.tags()[0].tag == NON_SENSITIVE_TAG


def test_exclusive_groups_apply_only_the_strongest() -> None:
    fake = Faker("en_US")
    fake.seed_instance(6)
    result = classify_column(ColumnEvidence("full_name", values=[fake.name() for _ in range(40)]))
    assert result.entities == (Entity.PERSON_NAME,)


def test_skips_say_why() -> None:
    assert "boolean" in (
        classify_column(ColumnEvidence("x", type_family="boolean")).skipped_reason or ""
    )
    nulls = classify_column(ColumnEvidence("email", values=[None, "  "]))
    assert nulls.skipped_reason == "every sampled value is null or blank"


def test_bad_input_is_rejected() -> None:
    with pytest.raises(ValidationFailed):
        ColumnEvidence("x", type_family="varchar")
    with pytest.raises(ValidationFailed):
        classify_column(ColumnEvidence("x"), confidence_threshold=1.5)


def test_presidio_is_optional() -> None:
    if presidio_available():
        pytest.skip("presidio is installed here")
    with pytest.raises(MissingExtra, match=r"dataready\[presidio\]"):
        analyzer()
