"""What a reader may see of a profile: personal values masked, secret values never kept.

A stored profile (``TableProfile.to_dict()``) holds raw values of the source: the most
frequent values, the extremes, quantiles and histogram edges that can equal a row's value,
outlier examples, the newest timestamp.  Each column gets a :class:`ColumnPolicy` from its
active tags (and, for secrets, from the classifier's own name rules and password-hash
validator), and :func:`mask_profile` rewrites the document for one reader:

``clear``
    every field as stored.
``personal``
    (an active ``PII.*`` tag, ``Sensitivity.Confidential``/``Restricted``, or a
    ``PrivacyCategory`` other than ``None``) for readers below the unmasked role: raw values
    shown for orientation — ``top_values[].value``, ``min``, ``max`` (numbers and dates too:
    the oldest date of birth is one person's birthday) and the table's ``newest`` when it
    comes from this column — become masked strings in the classifier's evidence forms
    (``j***@e***.com``); figures computed from the values that can equal or pinpoint one —
    ``sum``, ``mean``, ``stddev``, ``quantiles`` (exact ones are values), ``histogram``
    (its edges start at the minimum and end at the maximum), ``outliers`` (fences and
    examples) and ``freshness_seconds`` (now minus the maximum) — are withheld (``None``).
    Counts, ratios, lengths, formats and shape patterns (character classes: no letter or
    digit of a value survives) stay, so a viewer still sees how complete and well-formed
    the column is.  Readers at or above the unmasked role see the column in clear.
``secret``
    (``PII.Secret``, or a name/values the classifier reads as a password, token or key,
    unless a person removed ``PII.Secret`` from the column) for every reader, and in the
    stored document itself: every value-bearing field is withheld, shape patterns too (the
    shape of a clear-text password helps guessing it; that of a hash names its algorithm).

Fields are classified once below (:data:`COLUMN_FIGURES` …); a column field that is in no
class is treated as a value (withheld from masked and secret columns), so a field added to
the profiler later fails closed, and the tests fail until it is classified.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from dataready.analysis.pii.entities import PII_CLASSIFICATION, Entity
from dataready.analysis.pii.masking import mask
from dataready.analysis.pii.names import name_signals
from dataready.analysis.pii.validators import is_password_hash
from dataready.analysis.sensitivity import PrivacyCategory, SensitivityLevel

SECRET_TAG = Entity.SECRET.tag
"""The tag whose column keeps no values at all."""

PERSONAL_TAGS: frozenset[str] = frozenset(
    {SensitivityLevel.CONFIDENTIAL.tag, SensitivityLevel.RESTRICTED.tag}
    | {c.tag for c in PrivacyCategory if c is not PrivacyCategory.NONE}
)
"""Tags outside the ``PII`` classification that also make a column's values personal."""

MASK_KEY = "masked"
"""The key every column of a read profile carries: ``None``, ``"personal"`` or ``"secret"``."""

# -- what each field of a column profile holds -----------------------------------------------

COLUMN_FIGURES: frozenset[str] = frozenset(
    {
        "name",
        "ordinal_position",
        "declared_type",
        "type_family",
        "kind",
        "profiled",
        "skipped_reason",
        "row_count",
        "null_count",
        "null_ratio",
        "distinct_count",
        "distinct_ratio",
        "distinct_exact",
        "distinct_error",
        "distinct_method",
        "duplicate_count",
        "unique_count",
        "unique_exact",
        "top_values_exact",
        "top_values_error",
        "zero_count",
        "negative_count",
        "nan_count",
        "positive_infinity_count",
        "negative_infinity_count",
        "quantiles_exact",
        "quantiles_rank_error",
        "min_length",
        "mean_length",
        "max_length",
        "empty_count",
        "blank_count",
        "pattern_count",
        "patterns_exact",
        "formats",
        "formats_values",
        "formats_version",
        "observed_type",
        "future_count",
        "true_count",
        "false_count",
        "true_ratio",
        "values_sampled",
        "counts_exact",
        "extremes_exact",
        "bounds",
        "top_values_status",
        "profile_status",
        "key_presence_values",
        "key_presence_exact",
        "element_count",
        "element_distinct",
        "element_stats_exact",
        MASK_KEY,
    }
)
"""Names, types, counts, ratios, lengths and flags: never a value of the column."""

COLUMN_SHAPES: frozenset[str] = frozenset({"patterns"})
"""Character-class shapes: kept for personal columns, withheld for secrets."""

COLUMN_VALUES: frozenset[str] = frozenset({"top_values", "min", "max"})
"""Raw values: masked for personal columns, withheld for secrets."""

COLUMN_DERIVED: frozenset[str] = frozenset(
    {
        "sum",
        "mean",
        "stddev",
        "quantiles",
        "quantiles_bounds",
        "histogram",
        "outliers",
        "freshness_seconds",
        "profile_errors",
        "key_presence",
        "element_top_values",
    }
)
"""Figures computed from the values that can equal or pinpoint one: withheld when masked.
``profile_errors`` is here because a source's error message may quote a value
(``invalid input syntax for type integer: "jane@example.com"``); ``key_presence`` because a
document's keys can be values too (a map keyed by e-mail address); ``element_top_values``
(array elements are values) is withheld too rather than masked element by element."""

TABLE_FIGURES: frozenset[str] = frozenset(
    {
        "database",
        "schema",
        "table",
        "row_count",
        "row_count_exact",
        "row_count_source",
        "column_count",
        "size_bytes",
        "sampled",
        "sample_method",
        "sample_percent",
        "rows_profiled",
        "rows_sketched",
        "duplicate_rows",
        "duplicate_rows_exact",
        "duplicate_rows_bounds",
        "row_count_bounds",
        "sample_uniform",
        "counts_exact",
        "counts_scale",
        "freshness_column",
        "profiled_at",
        "elapsed_seconds",
        "statements",
        "full_passes",
        "reads",
        "columns",
    }
)
"""Table-level fields that hold no value of any column."""

TABLE_FRESHNESS: frozenset[str] = frozenset({"newest", "freshness_seconds"})
"""Table-level fields taken from the ``freshness_column``: masked as that column is."""


class Exposure(StrEnum):
    """How much of a column's values a profile may show."""

    CLEAR = "clear"
    PERSONAL = "personal"
    SECRET = "secret"


@dataclass(frozen=True, slots=True)
class ColumnTags:
    """A column's tags as masking reads them.

    Attributes:
        active: Tags applied now (by a machine or a person).
        removed_by_person: Tags a person removed: a person's "this is not a secret" wins
            over the name rules.
    """

    active: frozenset[str] = frozenset()
    removed_by_person: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class ColumnPolicy:
    """What may be shown of one column's values, and why."""

    exposure: Exposure = Exposure.CLEAR
    entity: Entity | None = None
    """The entity whose masked form values take (``None``: a generic word mask)."""
    reason: str | None = None
    """The tag or rule behind the exposure (``PII.Email``, ``name``, ``values``)."""


CLEAR = ColumnPolicy()


def secret_by_name(column: str, table: str = "") -> bool:
    """Whether the classifier's name rules read ``column`` as a password, token or key.

    Strong and weak phrases both count (``password``, ``api_key``, ``token``, ``pin``): a
    false alarm costs a profile its top values, a miss leaks a credential.  A name the rules
    veto (``password_changed_at``, ``token_expires``, ``pin_code``) is not a secret.
    """
    signal = name_signals(column, table).get(Entity.SECRET)
    return signal is not None and signal.negated_by is None


def holds_password_hashes(column: Mapping[str, Any]) -> bool:
    """Whether at least half of the column's most frequent values are password hashes."""
    values = [
        str(t["value"])
        for t in column.get("top_values") or []
        if isinstance(t, Mapping) and t.get("value") is not None
    ]
    hashes = sum(1 for v in values if is_password_hash(v))
    return bool(values) and 2 * hashes >= len(values)


def _entity(tag: str) -> Entity | None:
    family, _, name = tag.partition(".")
    if family != PII_CLASSIFICATION:
        return None
    try:
        return Entity(name)
    except ValueError:
        return None  # PII.Sensitive, PII.NonSensitive or a person's own PII.* tag


def column_policy(column: Mapping[str, Any], tags: ColumnTags, *, table: str = "") -> ColumnPolicy:
    """The policy of one column of a profile, from its tags, its name and its values."""
    name = str(column.get("name") or "")
    if SECRET_TAG in tags.active:
        return ColumnPolicy(Exposure.SECRET, Entity.SECRET, SECRET_TAG)
    if SECRET_TAG not in tags.removed_by_person:
        if secret_by_name(name, table):
            return ColumnPolicy(Exposure.SECRET, Entity.SECRET, "name")
        if holds_password_hashes(column):
            return ColumnPolicy(Exposure.SECRET, Entity.SECRET, "values")
    personal = sorted(
        t for t in tags.active if t.startswith(PII_CLASSIFICATION + ".") or t in PERSONAL_TAGS
    )
    if not personal:
        return CLEAR
    entities = [e for e in Entity if e.tag in tags.active]
    return ColumnPolicy(Exposure.PERSONAL, entities[0] if entities else None, personal[0])


def profile_policies(
    doc: Mapping[str, Any], tags: Mapping[str, ColumnTags]
) -> dict[str, ColumnPolicy]:
    """The policy of every column of a table profile; ``tags`` maps column names."""
    table = str(doc.get("table") or "")
    out: dict[str, ColumnPolicy] = {}
    for col in doc.get("columns") or []:
        name = str(col.get("name"))
        out[name] = column_policy(col, tags.get(name, ColumnTags()), table=table)
    return out


def _mask_value(entity: Entity | None, value: Any) -> Any:
    return None if value is None else mask(entity, str(value))


def _mask_top(entity: Entity | None, top: Any) -> list[dict[str, Any]]:
    out = []
    for item in top or []:
        if isinstance(item, Mapping):
            out.append(
                {"value": _mask_value(entity, item.get("value")), "count": item.get("count")}
            )
    return out


def _empty(key: str) -> Any:
    return [] if key == "top_values" else None


def mask_column(
    column: Mapping[str, Any], exposure: Exposure, entity: Entity | None
) -> dict[str, Any]:
    """The column as a reader with ``exposure`` may see it (a new dict; the input is kept)."""
    stored = column.get(MASK_KEY)
    if exposure is Exposure.CLEAR:
        # values dropped when the profile was written stay dropped: say so
        return {**column, MASK_KEY: stored if stored == Exposure.SECRET.value else None}
    out: dict[str, Any] = {}
    for key, value in column.items():
        if key in COLUMN_FIGURES or (key in COLUMN_SHAPES and exposure is Exposure.PERSONAL):
            out[key] = value
        elif key in COLUMN_VALUES and exposure is Exposure.PERSONAL:
            out[key] = (
                _mask_top(entity, value) if key == "top_values" else _mask_value(entity, value)
            )
        else:
            out[key] = _empty(key)  # derived figures, secrets, and fields nobody classified
    out[MASK_KEY] = Exposure.SECRET.value if stored == Exposure.SECRET.value else exposure.value
    return out


def effective_exposure(policy: ColumnPolicy, *, unmasked: bool) -> Exposure:
    """The exposure a reader gets: personal columns are clear for the unmasked role."""
    if policy.exposure is Exposure.PERSONAL and unmasked:
        return Exposure.CLEAR
    return policy.exposure


def mask_profile(
    doc: Mapping[str, Any], policies: Mapping[str, ColumnPolicy], *, unmasked: bool
) -> dict[str, Any]:
    """The table profile as one reader may see it (a new document; ``doc`` is kept).

    Args:
        doc: A stored profile (``TableProfile.to_dict()``).
        policies: Column name to policy (:func:`profile_policies`); missing columns are clear.
        unmasked: The reader holds the unmasked role: personal columns in clear.  Secret
            columns lose their values whatever the reader.
    """
    exposures: dict[str, Exposure] = {}
    columns = []
    for col in doc.get("columns") or []:
        name = str(col.get("name"))
        policy = policies.get(name, CLEAR)
        exposure = effective_exposure(policy, unmasked=unmasked)
        exposures[name] = exposure
        columns.append(mask_column(col, exposure, policy.entity))
    out = {**doc, "columns": columns}
    source = doc.get("freshness_column")
    exposure = exposures.get(str(source), Exposure.CLEAR) if source is not None else Exposure.CLEAR
    if exposure is not Exposure.CLEAR:
        out["freshness_seconds"] = None
        newest = doc.get("newest")
        policy = policies.get(str(source), CLEAR)
        keep = exposure is Exposure.PERSONAL
        out["newest"] = _mask_value(policy.entity, newest) if keep else None
    return out


def secret_columns(policies: Mapping[str, ColumnPolicy]) -> list[str]:
    """The columns whose values no profile may hold."""
    return sorted(n for n, p in policies.items() if p.exposure is Exposure.SECRET)
