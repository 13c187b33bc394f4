"""Per-entity policy: which type families can hold it, how far values alone can carry it.

``value_cap`` is the highest confidence an entity reaches from its values alone (no name
evidence).  It is 0 for entities whose values are ambiguous by nature (postal codes, dates,
usernames, passports: a 5-digit number or a date is everything and nothing) and below the
default threshold of 0.8 for words that are often not personal (first names, cities).
``strict`` entities have a real validator: their values must pass it, not merely fit a shape.
``identifier`` entities cannot live in a column with one or two distinct values.
"""

from __future__ import annotations

from dataclasses import dataclass

from dataready.analysis.pii.entities import Entity
from dataready.analysis.pii.names import token_set

TEXT = frozenset({"string", "other"})
INTEGER = frozenset({"integer"})
FRACTIONAL = frozenset({"decimal", "float"})
TEMPORAL = frozenset({"date", "timestamp"})


@dataclass(frozen=True)
class EntitySpec:
    """How the classifier treats one entity."""

    families: frozenset[str]
    value_cap: float
    strict: bool = False
    identifier: bool = True


SPECS: dict[Entity, EntitySpec] = {
    Entity.EMAIL: EntitySpec(TEXT, 0.97, strict=True),
    Entity.PHONE: EntitySpec(TEXT | INTEGER, 0.9),
    Entity.PERSON_NAME: EntitySpec(TEXT, 0.85),
    Entity.FIRST_NAME: EntitySpec(TEXT, 0.7),
    Entity.LAST_NAME: EntitySpec(TEXT, 0.7),
    Entity.STREET_ADDRESS: EntitySpec(TEXT, 0.85),
    Entity.CITY: EntitySpec(TEXT, 0.7, identifier=False),
    Entity.POSTAL_CODE: EntitySpec(TEXT | INTEGER, 0.0, identifier=False),
    Entity.COUNTRY: EntitySpec(TEXT, 0.85, identifier=False),
    Entity.DATE_OF_BIRTH: EntitySpec(TEXT | INTEGER | TEMPORAL, 0.0, identifier=False),
    Entity.GENDER: EntitySpec(TEXT | INTEGER, 0.85, identifier=False),
    Entity.NATIONAL_ID: EntitySpec(TEXT | INTEGER, 0.9, strict=True),
    Entity.PASSPORT: EntitySpec(TEXT, 0.0),
    Entity.CREDIT_CARD: EntitySpec(TEXT | INTEGER, 0.95, strict=True),
    Entity.BANK_ACCOUNT: EntitySpec(TEXT | INTEGER, 0.95),
    Entity.IP_ADDRESS: EntitySpec(TEXT, 0.95, strict=True),
    Entity.MAC_ADDRESS: EntitySpec(TEXT, 0.95, strict=True),
    Entity.GEO_COORDINATES: EntitySpec(TEXT | FRACTIONAL, 0.9, identifier=False),
    Entity.USERNAME: EntitySpec(TEXT, 0.0),
    Entity.SECRET: EntitySpec(TEXT, 0.95),
}

# Name tokens that make a column a measure or a derivative of the entity, whatever its values:
# ``email_hash`` holds no e-mail, ``ip_count`` no address, ``phone_type`` no number.
MEASURE_TOKENS: frozenset[str] = token_set(
    """
    count cnt counts total sum avg mean qty quantity hash hashed md5 sha sha1 sha256 sha512
    digest checksum flag is has length len size type status score level rank ratio rate pct
    percent version format pattern regex template mask masked
    """
)

# Confidence when the name says an entity but nothing in the sample can confirm it.
NAME_ONLY_FACTOR = 0.5
# Share of standalone-valid values below which values alone carry no weight.
MIN_STANDALONE_SHARE = 0.6
# Support below which values contradict the name.
MIN_SUPPORT = 0.3
# Sampled non-null values at or above which one or two distinct values rule out identifiers.
LOW_CARDINALITY_MIN_VALUES = 20


def combine(
    name_strength: float,
    matched: float,
    validated: float,
    standalone: float,
    checked: int,
    spec: EntitySpec,
) -> tuple[float, str]:
    """One confidence in [0, 1] from name strength and value shares, and how it was reached.

    Args:
        name_strength: 0 (no name evidence), 0.6 (weak) or 1.0 (strong).
        matched: Share of checked values fitting the entity's shape.
        validated: Share that also passed the validator or dictionary.
        standalone: Share specific enough to stand without a name.
        checked: How many values were checked.
        spec: The entity's policy.
    """
    value_alone = 0.0
    if standalone >= MIN_STANDALONE_SHARE:
        value_alone = spec.value_cap * (0.5 + 0.5 * standalone)
    if name_strength == 0:
        return value_alone, "values"
    if checked == 0:
        return NAME_ONLY_FACTOR * name_strength, "name-only"
    support = max(matched, validated)
    if spec.strict:
        support = max(validated, 0.6 * matched) if name_strength >= 1.0 else validated
    if support < MIN_SUPPORT:
        return max(value_alone, MIN_SUPPORT * name_strength), "contradicted"
    named = 0.45 * name_strength + 0.25 + 0.3 * support + 0.1 * validated
    return max(value_alone, min(0.99, named)), "name+values"
