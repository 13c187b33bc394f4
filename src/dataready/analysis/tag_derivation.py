"""Derived tags: what follows from a column's entity tags, and a table's from its columns.

``PII.<Entity>`` tags are *entity* tags: found in the data by a classifier, or set by a
person.  Other tags follow from them — they are *derived*:

==============  ===============================================  ===========================
Asset           Derived tag                                      Derived from
==============  ===============================================  ===========================
column          ``PII.Sensitive`` / ``PII.NonSensitive``         its entity tags
column          ``Sensitivity.<Level>``                          its entity tags at that level
column          ``PrivacyCategory.<Category>``                   its entity tags of that category
table           ``PII.Sensitive``                                its columns' ``PII.Sensitive``
table           ``Sensitivity.<Level>`` (maximum of columns)     its columns at that level
table           ``PrivacyCategory.<Category>`` (most severe)     its columns of that category
==============  ===============================================  ===========================

Every derived tag names the tags it was derived from (``derived_from``), so it is withdrawn
when the last of them goes.  A level that no tag drives (the default level, or one a column
*name* gives, e.g. ``salary``) has an empty ``derived_from``.

A person's decisions on an asset are inputs, never outputs:

- an entity tag a person set counts (confidence 1), one a person removed does not, whatever a
  classifier found;
- a person's ``PII.Sensitive`` makes the column at least Confidential (a sensitive attribute
  if it had no category);
- a person's tag in an exclusive family (``PII.Sensitive``/``PII.NonSensitive``,
  ``Sensitivity.*``, ``PrivacyCategory.*``) takes the place of the derivation in that family
  on that asset: nothing is derived there, and the table aggregates the person's tag.

This module is the one derivation: the tagging workflows and a person's change of a tag
(through the store) both call it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dataready.analysis.pii.entities import (
    NON_SENSITIVE_TAG,
    PII_CLASSIFICATION,
    SENSITIVE_TAG,
    Entity,
)
from dataready.analysis.sensitivity import (
    PrivacyCategory,
    SensitivityLevel,
    resolve_mapping,
    sensitivity_of,
)

LEVEL_FAMILY = "Sensitivity."
CATEGORY_FAMILY = "PrivacyCategory."
PII_SENSITIVITY_TAGS = (SENSITIVE_TAG, NON_SENSITIVE_TAG)
# the families of derived tags, as prefixes a store sync takes (``PII.Sensitive`` is exact:
# no entity's name starts with it)
COLUMN_FAMILIES = (*PII_SENSITIVITY_TAGS, LEVEL_FAMILY, CATEGORY_FAMILY)
TABLE_FAMILIES = (SENSITIVE_TAG, LEVEL_FAMILY, CATEGORY_FAMILY)
# the families a change of which can change a derivation
INPUT_FAMILIES = (f"{PII_CLASSIFICATION}.", LEVEL_FAMILY, CATEGORY_FAMILY)

_BY_TAG = {e.tag: e for e in Entity}
_LEVELS = {level.tag: level for level in SensitivityLevel}
_CATEGORIES = {c.tag: c for c in PrivacyCategory}


@dataclass(frozen=True, order=True)
class TagRef:
    """A tag on an asset: what a derived tag was derived from."""

    asset_fqn: str
    tag: str

    def to_dict(self) -> dict[str, str]:
        return {"asset_fqn": self.asset_fqn, "tag": self.tag}

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> TagRef:
        return cls(str(doc["asset_fqn"]), str(doc["tag"]))


@dataclass(frozen=True)
class DerivedTag:
    """A tag that follows from others on the same asset or on its columns."""

    asset_fqn: str
    tag: str
    confidence: float
    derived_from: tuple[TagRef, ...]
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Decisions:
    """A person's decisions on one asset: tags set by hand and tags removed by hand."""

    applied: frozenset[str] = frozenset()
    removed: frozenset[str] = frozenset()

    def in_family(self, family: Iterable[str]) -> list[str]:
        prefixes = tuple(family)
        return sorted(t for t in self.applied if t.startswith(prefixes))


NO_DECISIONS = Decisions()


@dataclass(frozen=True)
class ColumnState:
    """What a table's derivation needs of one column: its level, category and sensitivity.

    ``None`` when the column has no tag of that family (it is then left out of the table's
    maximum rather than counted as the lowest).
    """

    asset_fqn: str
    level: SensitivityLevel | None = None
    level_confidence: float = 1.0
    category: PrivacyCategory | None = None
    sensitive: bool = False

    @property
    def name(self) -> str:
        return self.asset_fqn.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class ColumnDerivation:
    """The derived tags of one column and its state for its table."""

    tags: tuple[DerivedTag, ...]
    state: ColumnState
    entities: dict[Entity, float]


def entity_of(tag: str) -> Entity | None:
    """The entity of an entity tag (``PII.Email``), ``None`` for any other tag."""
    return _BY_TAG.get(tag)


def effective_entities(found: Mapping[Entity, float], decisions: Decisions) -> dict[Entity, float]:
    """The entities a column holds: those found minus those a person removed, plus the
    person's own (confidence 1)."""
    out = {e: c for e, c in found.items() if e.tag not in decisions.removed}
    for tag in decisions.applied:
        if (entity := entity_of(tag)) is not None:
            out[entity] = 1.0
    return out


def pii_sensitivity(entities: Mapping[Entity, float]) -> tuple[str, list[Entity]] | None:
    """``PII.Sensitive`` (with the sensitive entities) or ``PII.NonSensitive`` (with all of
    them) for a column holding ``entities``; ``None`` when it holds none."""
    if not entities:
        return None
    sensitive = [e for e in entities if e.sensitive]
    return (SENSITIVE_TAG, sensitive) if sensitive else (NON_SENSITIVE_TAG, list(entities))


def _refs(asset_fqn: str, tags: Iterable[str]) -> tuple[TagRef, ...]:
    return tuple(sorted({TagRef(asset_fqn, t) for t in tags}))


def derive_column(
    asset_fqn: str,
    found: Mapping[Entity, float],
    *,
    column: str = "",
    decisions: Decisions = NO_DECISIONS,
    overrides: Mapping[str, Any] | None = None,
) -> ColumnDerivation:
    """The derived tags of a column from the entities found in it and a person's decisions.

    Args:
        asset_fqn: The column's FQN (the derived tags and their sources are on it).
        found: Entities a classifier (or a stored machine tag) says the column holds.
        column: The column's name, checked for special categories (``diagnosis``, ``salary``).
        decisions: A person's tags set and removed on the column.
        overrides: The sensitivity mapping's overrides (see ``analysis.sensitivity``).
    """
    entities = effective_entities(found, decisions)
    tags: list[DerivedTag] = []

    person_pii = decisions.in_family(PII_SENSITIVITY_TAGS)
    if person_pii:
        sensitive = SENSITIVE_TAG in person_pii
    elif (pii := pii_sensitivity(entities)) is not None:
        tag, chosen = pii
        sensitive = tag == SENSITIVE_TAG
        tags.append(
            DerivedTag(
                asset_fqn,
                tag,
                round(max(entities[e] for e in chosen), 4),
                _refs(asset_fqn, (e.tag for e in chosen)),
                {"entities": [e.value for e in chosen]},
            )
        )
    else:
        sensitive = False

    mapping, _ = resolve_mapping(overrides)
    ordered = sorted(entities.items(), key=lambda item: (-item[1], item[0].value))
    result = sensitivity_of(ordered, column, overrides)
    level, category, confidence = result.level, result.category, result.confidence
    level_from = [e.tag for e in entities if mapping[e][0] == level]
    category_from = [e.tag for e in entities if mapping[e][1] == category]
    reasons = list(result.reasons)
    if SENSITIVE_TAG in decisions.applied:
        if level < SensitivityLevel.CONFIDENTIAL:
            level, confidence, level_from = SensitivityLevel.CONFIDENTIAL, 1.0, []
        if level == SensitivityLevel.CONFIDENTIAL:
            level_from.append(SENSITIVE_TAG)
        if category is PrivacyCategory.NONE:
            category, category_from = PrivacyCategory.SENSITIVE_ATTRIBUTE, []
        if category is PrivacyCategory.SENSITIVE_ATTRIBUTE:
            category_from.append(SENSITIVE_TAG)
        reasons.append({"person_tag": SENSITIVE_TAG, "level": "Confidential (at least)"})
    evidence: dict[str, Any] = {"entities": [e.value for e, _ in ordered], "reasons": reasons}
    if overrides:
        evidence["overrides"] = dict(overrides)
    confidence = round(confidence, 4)

    person_levels = [_LEVELS[t] for t in decisions.in_family([LEVEL_FAMILY]) if t in _LEVELS]
    if person_levels:
        level, confidence = max(person_levels), 1.0
    elif not decisions.in_family([LEVEL_FAMILY]):
        tags.append(
            DerivedTag(asset_fqn, level.tag, confidence, _refs(asset_fqn, level_from), evidence)
        )
    person_categories = [
        _CATEGORIES[t] for t in decisions.in_family([CATEGORY_FAMILY]) if t in _CATEGORIES
    ]
    if person_categories:
        category = max(person_categories, key=lambda c: c.rank)
    elif not decisions.in_family([CATEGORY_FAMILY]):
        tags.append(
            DerivedTag(
                asset_fqn, category.tag, confidence, _refs(asset_fqn, category_from), evidence
            )
        )
    state = ColumnState(asset_fqn, level, confidence, category, sensitive)
    return ColumnDerivation(tuple(tags), state, entities)


def column_state(asset_fqn: str, tags: Iterable[tuple[str, float | None]]) -> ColumnState:
    """A column's state from its applied tags (name, confidence) as they are stored."""
    level: SensitivityLevel | None = None
    level_confidence = 1.0
    category: PrivacyCategory | None = None
    sensitive = False
    for tag, confidence in tags:
        if (lv := _LEVELS.get(tag)) is not None and (level is None or lv > level):
            level, level_confidence = lv, 1.0 if confidence is None else confidence
        elif (cat := _CATEGORIES.get(tag)) is not None and (
            category is None or cat.rank > category.rank
        ):
            category = cat
        elif tag == SENSITIVE_TAG:
            sensitive = True
    return ColumnState(asset_fqn, level, level_confidence, category, sensitive)


def derive_table(
    asset_fqn: str,
    columns: Iterable[ColumnState],
    *,
    decisions: Decisions = NO_DECISIONS,
) -> list[DerivedTag]:
    """A table's derived tags from its columns' states (and a person's decisions on it)."""
    columns = sorted(columns, key=lambda c: c.asset_fqn)
    out: list[DerivedTag] = []
    sensitive = [c for c in columns if c.sensitive]
    if sensitive and not decisions.in_family([SENSITIVE_TAG]):
        out.append(
            DerivedTag(
                asset_fqn,
                SENSITIVE_TAG,
                1.0,
                tuple(TagRef(c.asset_fqn, SENSITIVE_TAG) for c in sensitive),
                {"sensitive_columns": [c.name for c in sensitive]},
            )
        )
    leveled = [c for c in columns if c.level is not None]
    categorised = [c for c in columns if c.category is not None]
    if leveled and not decisions.in_family([LEVEL_FAMILY]):
        level = max(c.level for c in leveled if c.level is not None)
        driving = [c for c in leveled if c.level == level]
        category = max(
            (c.category for c in categorised if c.category is not None),
            key=lambda c: c.rank,
            default=PrivacyCategory.NONE,
        )
        out.append(
            DerivedTag(
                asset_fqn,
                level.tag,
                min(c.level_confidence for c in driving),
                tuple(TagRef(c.asset_fqn, level.tag) for c in driving),
                {
                    "reasons": [
                        {"rule": "maximum of columns", "level": level.label, "category": category}
                    ],
                    "columns": [c.name for c in driving],
                },
            )
        )
    if categorised and not decisions.in_family([CATEGORY_FAMILY]):
        category = max(
            (c.category for c in categorised if c.category is not None), key=lambda c: c.rank
        )
        driving = [c for c in categorised if c.category == category]
        out.append(
            DerivedTag(
                asset_fqn,
                category.tag,
                min(c.level_confidence for c in driving),
                tuple(TagRef(c.asset_fqn, category.tag) for c in driving),
                {
                    "reasons": [{"rule": "most severe of columns", "category": category}],
                    "columns": [c.name for c in driving],
                },
            )
        )
    return out
