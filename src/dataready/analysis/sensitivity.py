"""Sensitivity levels and privacy categories from PII findings.

Each column gets one level — Public < Internal < Confidential < Restricted — and one privacy
category — identifier, quasi-identifier, sensitive attribute or none — from the entities the
PII classifier applied to it; a table gets the maximum of its columns.  The default mapping:

=================  ============  ===================
Entity             Level         Category
=================  ============  ===================
NationalId         Restricted    identifier
Passport           Restricted    identifier
CreditCard         Restricted    identifier
BankAccount        Restricted    identifier
Secret             Restricted    sensitive attribute
Email              Confidential  identifier
Phone              Confidential  identifier
PersonName         Confidential  identifier
StreetAddress      Confidential  identifier
IpAddress          Confidential  identifier
MacAddress         Confidential  identifier
Username           Confidential  identifier
FreeText           Confidential  identifier
FirstName          Confidential  quasi-identifier
LastName           Confidential  quasi-identifier
DateOfBirth        Confidential  quasi-identifier
GeoCoordinates     Confidential  quasi-identifier
City               Internal      quasi-identifier
PostalCode         Internal      quasi-identifier
Country            Internal      quasi-identifier
Gender             Internal      quasi-identifier
=================  ============  ===================

Columns whose *names* say they hold a special category of personal data (GDPR art. 9:
health, religion, ethnicity, sexual orientation, political opinion, union membership,
biometrics, criminal records) are Restricted sensitive attributes even though no value
detector can see it; salary and similar are Confidential sensitive attributes.  A column with
no finding gets ``default_level`` (Internal).

Overrides (``overrides`` argument, from the workflow config)::

    {"levels": {"Email": "Restricted"}, "categories": {"Gender": "sensitive_attribute"},
     "default_level": "Public"}

Entity keys may be written ``Email`` or ``PII.Email``; an unknown entity, level or category
raises an error listing the known ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import Any

from dataready.analysis.pii.classifier import ColumnClassification
from dataready.analysis.pii.entities import PII_CLASSIFICATION, Entity
from dataready.analysis.pii.names import split_identifier, token_set
from dataready.analysis.tags import TagProposal
from dataready.errors import UnknownName, ValidationFailed


class SensitivityLevel(IntEnum):
    """Ordered levels: a table takes the maximum of its columns."""

    PUBLIC = 0
    INTERNAL = 1
    CONFIDENTIAL = 2
    RESTRICTED = 3

    @property
    def label(self) -> str:
        return self.name.capitalize()

    @property
    def tag(self) -> str:
        return f"Sensitivity.{self.label}"

    @classmethod
    def parse(cls, value: object) -> SensitivityLevel:
        if isinstance(value, SensitivityLevel):
            return value
        try:
            return cls[str(value).strip().upper()]
        except KeyError:
            known = ", ".join(level.label for level in cls)
            raise UnknownName(f"unknown sensitivity level {value!r}; use one of: {known}") from None


class PrivacyCategory(StrEnum):
    """What a column contributes to re-identification."""

    IDENTIFIER = "identifier"
    QUASI_IDENTIFIER = "quasi_identifier"
    SENSITIVE_ATTRIBUTE = "sensitive_attribute"
    NONE = "none"

    @property
    def tag(self) -> str:
        return "PrivacyCategory." + "".join(p.capitalize() for p in self.value.split("_"))

    @property
    def rank(self) -> int:
        """Severity for picking one category from several: identifier first."""
        return _CATEGORY_RANK[self]

    @classmethod
    def parse(cls, value: object) -> PrivacyCategory:
        if isinstance(value, PrivacyCategory):
            return value
        text = str(value).strip().lower().replace("-", "_").replace(" ", "_")
        try:
            return cls(text)
        except ValueError:
            known = ", ".join(c.value for c in cls)
            raise UnknownName(f"unknown privacy category {value!r}; use one of: {known}") from None


_CATEGORY_RANK = {
    PrivacyCategory.NONE: 0,
    PrivacyCategory.QUASI_IDENTIFIER: 1,
    PrivacyCategory.SENSITIVE_ATTRIBUTE: 2,
    PrivacyCategory.IDENTIFIER: 3,
}

_R, _C, _I = SensitivityLevel.RESTRICTED, SensitivityLevel.CONFIDENTIAL, SensitivityLevel.INTERNAL
_ID, _QI = PrivacyCategory.IDENTIFIER, PrivacyCategory.QUASI_IDENTIFIER
_SA = PrivacyCategory.SENSITIVE_ATTRIBUTE

DEFAULT_MAPPING: dict[Entity, tuple[SensitivityLevel, PrivacyCategory]] = {
    Entity.NATIONAL_ID: (_R, _ID),
    Entity.PASSPORT: (_R, _ID),
    Entity.CREDIT_CARD: (_R, _ID),
    Entity.BANK_ACCOUNT: (_R, _ID),
    Entity.SECRET: (_R, _SA),
    Entity.EMAIL: (_C, _ID),
    Entity.PHONE: (_C, _ID),
    Entity.PERSON_NAME: (_C, _ID),
    Entity.STREET_ADDRESS: (_C, _ID),
    Entity.IP_ADDRESS: (_C, _ID),
    Entity.MAC_ADDRESS: (_C, _ID),
    Entity.USERNAME: (_C, _ID),
    Entity.FREE_TEXT: (_C, _ID),
    Entity.FIRST_NAME: (_C, _QI),
    Entity.LAST_NAME: (_C, _QI),
    Entity.DATE_OF_BIRTH: (_C, _QI),
    Entity.GEO_COORDINATES: (_C, _QI),
    Entity.CITY: (_I, _QI),
    Entity.POSTAL_CODE: (_I, _QI),
    Entity.COUNTRY: (_I, _QI),
    Entity.GENDER: (_I, _QI),
}

# Column-name tokens of special categories of personal data (Restricted) and of other
# sensitive attributes (Confidential).  Whole tokens only, as for PII names.
SPECIAL_CATEGORY_TOKENS = token_set(
    "diagnosis diagnoses disease medical medication prescription health illness disability "
    "religion religious ethnicity ethnic race sexual orientation political union biometric "
    "fingerprint genetic criminal conviction hiv pregnancy"
)
SENSITIVE_ATTRIBUTE_TOKENS = token_set("salary income wage wages compensation bonus net_worth")
_ATTRIBUTE_NEGATIVES = token_set("id key code count type flag is has")
OVERRIDE_KEYS = ("levels", "categories", "default_level")


@dataclass(frozen=True)
class SensitivityResult:
    """The level and category of one column (or, from ``table_sensitivity``, of a table)."""

    level: SensitivityLevel
    category: PrivacyCategory
    confidence: float = 1.0
    entities: tuple[str, ...] = ()
    reasons: tuple[dict[str, Any], ...] = ()
    columns: tuple[str, ...] = field(default=())

    def tags(self) -> list[TagProposal]:
        """``Sensitivity.<Level>`` and ``PrivacyCategory.<Category>`` proposals."""
        evidence = {"entities": list(self.entities), "reasons": list(self.reasons)}
        if self.columns:
            evidence["columns"] = list(self.columns)
        return [
            TagProposal(self.level.tag, self.confidence, evidence),
            TagProposal(self.category.tag, self.confidence, evidence),
        ]


def _entity(key: object) -> Entity:
    text = str(key)
    if text.startswith(f"{PII_CLASSIFICATION}."):
        text = text.split(".", 1)[1]
    for entity in Entity:
        if text.lower() in {entity.value.lower(), entity.name.lower()}:
            return entity
    known = ", ".join(e.value for e in Entity)
    raise UnknownName(f"unknown PII entity {key!r} in sensitivity overrides; use one of: {known}")


def resolve_mapping(
    overrides: Mapping[str, Any] | None = None,
) -> tuple[dict[Entity, tuple[SensitivityLevel, PrivacyCategory]], SensitivityLevel]:
    """The default mapping with ``overrides`` applied, and the default level."""
    mapping = dict(DEFAULT_MAPPING)
    overrides = overrides or {}
    unknown = set(overrides) - set(OVERRIDE_KEYS)
    if unknown:
        raise ValidationFailed(
            f"unknown sensitivity override keys {sorted(unknown)}; use: {', '.join(OVERRIDE_KEYS)}",
            field="overrides",
        )
    for key, level in dict(overrides.get("levels") or {}).items():
        entity = _entity(key)
        mapping[entity] = (SensitivityLevel.parse(level), mapping[entity][1])
    for key, category in dict(overrides.get("categories") or {}).items():
        entity = _entity(key)
        mapping[entity] = (mapping[entity][0], PrivacyCategory.parse(category))
    default = SensitivityLevel.parse(overrides.get("default_level", "Internal"))
    return mapping, default


def _name_attribute(column: str) -> tuple[SensitivityLevel, str] | None:
    tokens = set(split_identifier(column))
    if tokens & _ATTRIBUTE_NEGATIVES:
        return None
    if hit := sorted(tokens & SPECIAL_CATEGORY_TOKENS):
        return SensitivityLevel.RESTRICTED, hit[0]
    if hit := sorted(tokens & SENSITIVE_ATTRIBUTE_TOKENS):
        return SensitivityLevel.CONFIDENTIAL, hit[0]
    return None


def sensitivity_for(
    source: ColumnClassification | Iterable[Entity | str],
    overrides: Mapping[str, Any] | None = None,
) -> SensitivityResult:
    """The sensitivity of one column.

    Args:
        source: A ``ColumnClassification`` (its applied findings count, and its column name is
            checked for special categories) or plain entities (``Entity`` or names).
        overrides: ``levels``, ``categories`` and ``default_level`` (see module docs).
    """
    if isinstance(source, ColumnClassification):
        found = [(f.entity, f.confidence) for f in source.applied]
        column = source.column
    else:
        found = [(_entity(e), 1.0) for e in source]
        column = ""
    return sensitivity_of(found, column, overrides)


def sensitivity_of(
    found: Iterable[tuple[Entity, float]],
    column: str = "",
    overrides: Mapping[str, Any] | None = None,
) -> SensitivityResult:
    """The sensitivity of a column holding the entities ``found`` (with their confidences).

    ``column`` (its name, may be empty) is checked for special categories of personal data.
    """
    mapping, default = resolve_mapping(overrides)
    found = list(found)
    reasons: list[dict[str, Any]] = []
    levels: list[tuple[SensitivityLevel, PrivacyCategory, float]] = []
    for entity, conf in found:
        e_level, e_category = mapping[entity]
        levels.append((e_level, e_category, conf))
        reasons.append({"entity": entity.value, "level": e_level.label, "category": e_category})
    level, category, confidence = default, PrivacyCategory.NONE, 1.0
    if levels:
        level = max(lv for lv, _, _ in levels)
        category = max((c for _, c, _ in levels), key=lambda c: c.rank)
        confidence = max(conf for lv, _, conf in levels if lv == level)
    if column and (attribute := _name_attribute(column)) is not None:
        a_level, token = attribute
        reasons.append({"name_token": token, "level": a_level.label, "category": _SA.value})
        level = max(level, a_level)
        if category is PrivacyCategory.NONE:
            category = _SA
    return SensitivityResult(
        level, category, confidence, tuple(e.value for e, _ in found), tuple(reasons)
    )


def table_sensitivity(
    columns: Mapping[str, SensitivityResult] | Iterable[SensitivityResult],
) -> SensitivityResult:
    """A table's sensitivity: the maximum level and most severe category of its columns.

    Args:
        columns: Column results, by column name (recorded as the driving columns) or bare.
    """
    items = list(columns.items()) if isinstance(columns, Mapping) else [("", c) for c in columns]
    if not items:
        return SensitivityResult(SensitivityLevel.PUBLIC, PrivacyCategory.NONE)
    level = max(r.level for _, r in items)
    category = max((r.category for _, r in items), key=lambda c: c.rank)
    driving = [(n, r) for n, r in items if r.level == level]
    entities = sorted({e for _, r in items for e in r.entities})
    return SensitivityResult(
        level,
        category,
        min(r.confidence for _, r in driving),
        tuple(entities),
        ({"rule": "maximum of columns", "level": level.label, "category": category.value},),
        tuple(n for n, _ in driving if n),
    )
