"""Sensitivity levels and privacy categories from PII findings, with overrides."""

from __future__ import annotations

import pytest

from dataready.analysis.pii import ColumnEvidence, Entity, classify_column
from dataready.analysis.sensitivity import (
    DEFAULT_MAPPING,
    PrivacyCategory,
    SensitivityLevel,
    sensitivity_for,
    table_sensitivity,
)
from dataready.errors import UnknownName, ValidationFailed


def test_every_entity_has_a_level_and_category() -> None:
    assert set(DEFAULT_MAPPING) == set(Entity)


@pytest.mark.parametrize(
    ("entities", "level", "category"),
    [
        ([], SensitivityLevel.INTERNAL, PrivacyCategory.NONE),
        ([Entity.EMAIL], SensitivityLevel.CONFIDENTIAL, PrivacyCategory.IDENTIFIER),
        ([Entity.NATIONAL_ID], SensitivityLevel.RESTRICTED, PrivacyCategory.IDENTIFIER),
        ([Entity.POSTAL_CODE], SensitivityLevel.INTERNAL, PrivacyCategory.QUASI_IDENTIFIER),
        (["PII.Secret"], SensitivityLevel.RESTRICTED, PrivacyCategory.SENSITIVE_ATTRIBUTE),
        (
            [Entity.CITY, Entity.DATE_OF_BIRTH],
            SensitivityLevel.CONFIDENTIAL,
            PrivacyCategory.QUASI_IDENTIFIER,
        ),
    ],
)
def test_default_mapping(
    entities: list[Entity | str], level: SensitivityLevel, category: PrivacyCategory
) -> None:
    result = sensitivity_for(entities)
    assert (result.level, result.category) == (level, category)


def test_overrides() -> None:
    overrides = {
        "levels": {"PII.Email": "Restricted"},
        "categories": {"Gender": "sensitive attribute"},
        "default_level": "Public",
    }
    assert sensitivity_for([Entity.EMAIL], overrides).level is SensitivityLevel.RESTRICTED
    gender = sensitivity_for([Entity.GENDER], overrides)
    assert gender.category is PrivacyCategory.SENSITIVE_ATTRIBUTE
    assert sensitivity_for([], overrides).level is SensitivityLevel.PUBLIC


@pytest.mark.parametrize(
    "overrides",
    [
        {"levels": {"Shoe size": "Public"}},
        {"levels": {"Email": "Secretish"}},
        {"categories": {"Email": "maybe"}},
    ],
)
def test_bad_overrides_list_the_known_names(overrides: dict[str, object]) -> None:
    with pytest.raises(UnknownName, match="use one of"):
        sensitivity_for([Entity.EMAIL], overrides)


def test_unknown_override_key() -> None:
    with pytest.raises(ValidationFailed):
        sensitivity_for([], {"level": {}})


def test_from_a_classification_and_special_category_names() -> None:
    emails = ["a.b@example.com", "c.d@example.org", "e.f@example.net"]
    result = sensitivity_for(classify_column(ColumnEvidence("email", "customer", values=emails)))
    assert result.level is SensitivityLevel.CONFIDENTIAL and result.entities == ("Email",)
    diagnosis = classify_column(ColumnEvidence("diagnosis_text", values=["flu", "asthma"]))
    special = sensitivity_for(diagnosis)
    assert special.level is SensitivityLevel.RESTRICTED
    assert special.category is PrivacyCategory.SENSITIVE_ATTRIBUTE
    assert sensitivity_for(classify_column(ColumnEvidence("diagnosis_code"))).level == 1


def test_table_takes_the_maximum() -> None:
    columns = {
        "email": sensitivity_for([Entity.EMAIL]),
        "city": sensitivity_for([Entity.CITY]),
        "ssn": sensitivity_for([Entity.NATIONAL_ID]),
        "amount": sensitivity_for([]),
    }
    table = table_sensitivity(columns)
    assert table.level is SensitivityLevel.RESTRICTED
    assert table.category is PrivacyCategory.IDENTIFIER
    assert table.columns == ("ssn",)
    tags = [t.tag for t in table.tags()]
    assert tags == ["Sensitivity.Restricted", "PrivacyCategory.Identifier"]
    assert table_sensitivity([]).level is SensitivityLevel.PUBLIC
