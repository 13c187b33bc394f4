"""Data-quality tags from a column profile (and its table's profile).

Each tag carries the figure that triggered it and the threshold it crossed, so a steward
can see why it is there. ``DQ.KeyCandidate`` is never decided on an estimate: a column is a key
candidate when it is the declared primary key, when the profile counted it exactly over the
whole table (``distinct_exact`` and ``counts_exact``), or when an exact uniqueness check
(``uniqueness_check``, one ``COUNT(*)`` vs ``COUNT(DISTINCT)`` statement per table, which the
DQ-tagging workflow sends for the columns :func:`key_check_candidates` picks from the profile)
found it unique; its evidence says which.  The figures are measurements, so confidence is
1.0 and every tag returned is applied; a tag whose figure no longer crosses its threshold is
simply not returned on the next run.

Profile keys read (the profiler's contract; absent keys only switch off the tags that need
them):

Column profile:
    ``row_count`` (int): rows profiled.
    ``null_ratio`` (float 0-1): null values over rows.
    ``distinct_count`` (int): distinct non-null values.
    ``distinct_ratio`` (float 0-1): distinct values over non-null values.
    ``distinct_exact``, ``counts_exact`` (bool): the distinct and null counts were computed
        over the whole table (the profiler's flags; absent: not known to be exact).
    ``max_length`` (int): the longest text value.
    ``uniqueness_check`` (dict, optional): an exact check's ``rows``, ``non_null``,
        ``distinct`` and ``checked_at``.
    ``profiled_at`` (str, optional): when the profile was taken.
    ``formats`` (dict str → float): recognised format name → share of non-null values.
    ``outliers`` (dict): ``iqr_count`` and/or ``sd_count`` (ints), or the profiler's
        ``{"iqr": {"count": n}, "sigma": {"count": n}}``.
    ``type_family`` (str): the declared type's family (``integer``, ``string`` …).
    ``observed_type`` (str): the family the values actually parse as.
    ``observed_type_share`` (float 0-1, optional): share of values parsing as it.
    ``is_primary_key``, ``is_foreign_key``, ``is_unique`` (bool, optional): catalogue hints.
    ``is_critical`` (bool, optional): a person marked the column critical.
    ``pii_sensitive`` (bool, optional): the column carries ``PII.Sensitive``.
    ``freshness_seconds`` (float, optional): age of the newest value (timestamp columns).
    ``name`` (str, optional): the column name, matched against ``critical_columns``.

Table profile:
    ``row_count`` (int), ``freshness_seconds`` (float): seconds since the newest row changed
    (or ``last_modified_seconds``).

Config keys (all optional): see ``DEFAULTS``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dataready.analysis.tags import TagProposal
from dataready.errors import ValidationFailed

DEFAULTS: dict[str, Any] = {
    "null_rate_threshold": 0.5,
    "stale_after_days": 30,
    "key_min_rows": 10,
    "key_distinct_ratio": 1.0,
    "key_max_length": 40,
    "key_check_min_ratio": 0.9,
    "key_check_max_columns": 8,
    "constant_min_rows": 2,
    "mixed_format_min_share": 0.05,
    "mixed_format_max_dominant": 0.95,
    "outlier_ratio_threshold": 0.01,
    "outlier_min_distinct": 10,
    "type_mismatch_min_share": 0.95,
    "critical_columns": [],
    "industry_info": None,
}
# Families whose values can be widened into another without loss: not a mismatch.
_COMPATIBLE = {
    ("integer", "decimal"),
    ("integer", "float"),
    ("decimal", "float"),
    ("float", "decimal"),
    ("date", "timestamp"),
    ("uuid", "string"),
}
_NOT_KEYS = {"float", "boolean", "json", "array", "binary", "struct"}


def resolve_config(config: Mapping[str, Any] | None) -> dict[str, Any]:
    """``DEFAULTS`` overlaid with ``config``; unknown keys and bad numbers raise."""
    merged = dict(DEFAULTS)
    for key, value in (config or {}).items():
        if key not in DEFAULTS:
            known = ", ".join(sorted(DEFAULTS))
            raise ValidationFailed(f"unknown DQ tag setting {key!r}; use: {known}", field=key)
        default = DEFAULTS[key]
        numeric = isinstance(default, int | float) and not isinstance(default, bool)
        if numeric and (isinstance(value, bool) or not isinstance(value, int | float) or value < 0):
            raise ValidationFailed(f"{key} must be a non-negative number", field=key)
        merged[key] = value
    return merged


def _num(profile: Mapping[str, Any], key: str) -> float | None:
    value = profile.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _tag(name: str, **evidence: Any) -> TagProposal:
    return TagProposal(f"DQ.{name}", 1.0, evidence, True)


def _key_shaped(p: Mapping[str, Any], cfg: Mapping[str, Any]) -> bool:
    """The column could hold a key: not a float, flag or document, and not long text."""
    if p.get("type_family") in _NOT_KEYS:
        return False
    max_length = _num(p, "max_length")
    # long text that happens to be distinct (titles, descriptions) is no key
    return max_length is None or max_length <= cfg["key_max_length"]


def key_check_candidates(
    columns: Sequence[Mapping[str, Any]], config: Mapping[str, Any] | None = None
) -> list[str]:
    """The columns worth an exact uniqueness check: estimated near-unique, key-shaped.

    Declared primary keys and columns the profile already counted exactly need none; a column
    with nulls seen, or fewer rows than ``key_min_rows``, cannot be a key. At most
    ``key_check_max_columns``, the most distinct first.
    """
    cfg = resolve_config(config)
    ranked: list[tuple[float, str]] = []
    for p in columns:
        if p.get("is_primary_key") or p.get("skipped_reason") or not _key_shaped(p, cfg):
            continue
        rows, nulls, ratio = _num(p, "row_count"), _num(p, "null_ratio"), _num(p, "distinct_ratio")
        if rows is None or ratio is None or rows < cfg["key_min_rows"] or (nulls or 0.0) > 0:
            continue
        if p.get("distinct_exact") and p.get("counts_exact"):
            continue  # the profile's own figures are exact: they decide
        if ratio >= cfg["key_check_min_ratio"]:
            ranked.append((-ratio, str(p["name"])))
    return [name for _, name in sorted(ranked)[: int(cfg["key_check_max_columns"])]]


def _key_candidate(p: Mapping[str, Any], cfg: Mapping[str, Any]) -> TagProposal | None:
    rows, nulls, ratio = _num(p, "row_count"), _num(p, "null_ratio"), _num(p, "distinct_ratio")
    if p.get("is_primary_key"):
        return _tag(
            "KeyCandidate", reason="declared primary key", distinct_ratio=ratio, null_ratio=nulls
        )
    if not _key_shaped(p, cfg):
        return None
    check = p.get("uniqueness_check")
    if isinstance(check, Mapping):
        rows = float(check["rows"])
        nulls = (rows - float(check["non_null"])) / rows if rows else None
        ratio = float(check["distinct"]) / rows if rows else None
        how = f"uniqueness checked exactly over {int(rows)} rows at {check['checked_at']}"
    elif p.get("distinct_exact") and p.get("counts_exact"):
        at = f" at {p['profiled_at']}" if p.get("profiled_at") else ""
        how = f"uniqueness from the profile's exact counts over {int(rows or 0)} rows{at}"
    else:
        return None  # an estimated distinct count decides nothing
    if rows is None or ratio is None or rows < cfg["key_min_rows"] or (nulls or 0.0) != 0.0:
        return None
    if ratio < cfg["key_distinct_ratio"]:
        return None
    return _tag(
        "KeyCandidate", distinct_ratio=ratio, null_ratio=nulls or 0.0, row_count=rows, check=how
    )


def _critical(p: Mapping[str, Any], cfg: Mapping[str, Any]) -> TagProposal | None:
    reasons = [k for k in ("is_primary_key", "is_foreign_key", "is_critical") if p.get(k)]
    if p.get("pii_sensitive"):
        reasons.append("pii_sensitive")
    if p.get("name") in set(cfg["critical_columns"] or ()):
        reasons.append("critical_columns")
    return _tag("CriticalDataElement", reasons=reasons) if reasons else None


def _high_null(p: Mapping[str, Any], cfg: Mapping[str, Any]) -> TagProposal | None:
    nulls = _num(p, "null_ratio")
    if nulls is None or _num(p, "row_count") == 0:  # an empty table has no null rate
        return None
    if nulls >= cfg["null_rate_threshold"]:
        return _tag("HighNullRate", null_ratio=nulls, threshold=cfg["null_rate_threshold"])
    return None


def _constant(p: Mapping[str, Any], cfg: Mapping[str, Any]) -> TagProposal | None:
    distinct, rows = _num(p, "distinct_count"), _num(p, "row_count")
    if distinct != 1 or rows is None or rows < cfg["constant_min_rows"]:
        return None
    return _tag("Constant", distinct_count=1, row_count=rows, null_ratio=_num(p, "null_ratio"))


def _mixed_formats(p: Mapping[str, Any], cfg: Mapping[str, Any]) -> TagProposal | None:
    formats = p.get("formats")
    if not isinstance(formats, Mapping):
        return None
    shares = {str(k): float(v) for k, v in formats.items() if isinstance(v, int | float)}
    present = {k: v for k, v in shares.items() if v >= cfg["mixed_format_min_share"]}
    if len(present) < 2 or max(present.values()) > cfg["mixed_format_max_dominant"]:
        return None
    return _tag("MixedFormats", formats=dict(sorted(present.items())))


def _outliers(p: Mapping[str, Any], cfg: Mapping[str, Any]) -> TagProposal | None:
    found = p.get("outliers")
    if not isinstance(found, Mapping):
        return None
    counts = {k: int(found[k]) for k in ("iqr_count", "sd_count") if isinstance(found.get(k), int)}
    # the profiler's shape: {"iqr": {"count": n, ...}, "sigma": {"count": n, ...}}
    for key, name in (("iqr", "iqr_count"), ("sigma", "sd_count")):
        block = found.get(key)
        if isinstance(block, Mapping) and isinstance(block.get("count"), int):
            counts.setdefault(name, int(block["count"]))
    rows = _num(p, "row_count")
    if not counts or not rows:
        return None
    distinct = _num(p, "distinct_count")
    if (
        p.get("is_primary_key")
        or p.get("is_foreign_key")
        or (distinct is not None and distinct <= cfg["outlier_min_distinct"])
    ):
        return None  # keys and codes with a handful of values have no meaningful outliers
    non_null = rows * (1.0 - (_num(p, "null_ratio") or 0.0)) or rows
    worst = max(counts.values())
    ratio = worst / non_null
    if worst == 0 or ratio < cfg["outlier_ratio_threshold"]:
        return None
    threshold = cfg["outlier_ratio_threshold"]
    return _tag("Outliers", **counts, outlier_ratio=round(ratio, 6), threshold=threshold)


def _type_mismatch(p: Mapping[str, Any], cfg: Mapping[str, Any]) -> TagProposal | None:
    declared, observed = p.get("type_family"), p.get("observed_type")
    if not declared or not observed or declared == observed:
        return None
    if (declared, observed) in _COMPATIBLE:
        return None
    if declared not in {"string", "other"} and observed == "string":
        return None  # a typed column read back as text is the reader's doing, not the data's
    share = _num(p, "observed_type_share")
    if share is not None and share < cfg["type_mismatch_min_share"]:
        return None
    return _tag("TypeMismatch", declared=declared, observed=observed, observed_share=share)


def _stale(freshness: float | None, cfg: Mapping[str, Any]) -> TagProposal | None:
    if freshness is None:
        return None
    limit = float(cfg["stale_after_days"]) * 86_400
    if freshness < limit:
        return None
    days = round(freshness / 86_400, 2)
    return _tag("Stale", age_days=days, stale_after_days=cfg["stale_after_days"])


_COLUMN_RULES = (
    _key_candidate,
    _critical,
    _high_null,
    _constant,
    _mixed_formats,
    _outliers,
    _type_mismatch,
)


def dq_tags(
    column_profile: Mapping[str, Any],
    table_profile: Mapping[str, Any] | None = None,
    config: Mapping[str, Any] | None = None,
) -> list[TagProposal]:
    """DQ tags of one column.

    Args:
        column_profile: The column's profile (keys in the module docs).
        table_profile: The table's profile; its ``row_count`` fills a missing column one.
        config: Thresholds overriding ``DEFAULTS``.

    Returns:
        One applied ``TagProposal`` per triggered tag, each with its figures as evidence.
    """
    cfg = resolve_config(config)
    profile = dict(column_profile)
    if table_profile and "row_count" not in profile and "row_count" in table_profile:
        profile["row_count"] = table_profile["row_count"]
    tags = [tag for rule in _COLUMN_RULES if (tag := rule(profile, cfg)) is not None]
    if (stale := _stale(_num(profile, "freshness_seconds"), cfg)) is not None:
        tags.append(stale)
    return tags


def table_dq_tags(
    table_profile: Mapping[str, Any], config: Mapping[str, Any] | None = None
) -> list[TagProposal]:
    """DQ tags of a table: ``DQ.Stale`` from ``freshness_seconds``."""
    cfg = resolve_config(config)
    freshness = _num(table_profile, "freshness_seconds")
    if freshness is None:
        freshness = _num(table_profile, "last_modified_seconds")
    stale = _stale(freshness, cfg)
    return [stale] if stale is not None else []
