"""The config and parameter schema of each built-in workflow type (pydantic, extra keys
forbidden).

A run's config (the definition's ``default_config`` overridden by the configuration's
``config``) merged with its ``parameters`` must validate against its type's model; so must a
configuration's ``config`` when it is written. Each implementation names its model in
``Workflow.config_model``; :data:`BUILTIN_CONFIG_MODELS` also covers the built-in types that
have no implementation yet, so their configurations are checked too. The JSON schema of a
model is what ``GET /workflows/definitions`` shows as ``config_schema``.

Values are checked for their type and range here; what a type checks beyond that (regular
expressions that compile, a sensitivity mapping that resolves) stays in its ``validate``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue, TypeAdapter, ValidationError

from dataready.errors import InvalidConfig

PositiveInt = Annotated[int, Field(ge=1)]
NonNegativeInt = Annotated[int, Field(ge=0)]
Ratio = Annotated[float, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[float, Field(ge=0.0)]
Patterns = list[str] | str | None


class WorkflowConfig(BaseModel):
    """What every workflow type takes: the runner's knobs."""

    model_config = ConfigDict(extra="forbid")

    task_concurrency: PositiveInt | None = Field(
        None, description="Tasks of one run at once (default: executor.task_concurrency)."
    )
    max_attempts: PositiveInt | None = Field(
        None, description="Attempts of a task failing transiently (default: executor setting)."
    )


class IngestionConfig(WorkflowConfig):
    """``service-ingestion``: include/exclude filters are regular expressions on whole names."""

    include_databases: Patterns = None
    exclude_databases: Patterns = None
    include_schemas: Patterns = None
    exclude_schemas: Patterns = None
    include_tables: Patterns = None
    exclude_tables: Patterns = None
    include_views: bool = True


class ProfileConfig(WorkflowConfig):
    """The profiling options (see ``ProfileOptions``)."""

    sample_rows: PositiveInt | None = Field(None, description="Profile a sample of this many rows.")
    sample_percent: Annotated[float, Field(gt=0, le=100)] | None = None
    sample_system: bool | None = None
    allow_estimates: bool | None = None
    exact_distinct_cap: NonNegativeInt | None = None
    top_n: PositiveInt | None = None
    max_patterns: PositiveInt | None = None
    histogram_bins_max: PositiveInt | None = None
    sketch_rows: PositiveInt | None = None
    exact_quantiles: bool | None = None
    batch_size: PositiveInt | None = None
    counts_cap: PositiveInt | None = None
    max_value_length: Annotated[int, Field(ge=8)] | None = None


class ProfilingConfig(ProfileConfig):
    """``profiling``."""

    include_views: bool | None = None


class PIIConfig(WorkflowConfig):
    """``generate-pii-tags``."""

    confidence_threshold: Ratio = 0.8
    sample_rows: PositiveInt | None = Field(None, description="Rows sampled per table (1000).")


class SensitivityConfig(PIIConfig):
    """``generate-sensitivity-tags``."""

    level_overrides: dict[str, JsonValue] | None = None


class DQTagsConfig(ProfileConfig):
    """``generate-dq-tags`` and ``dq-tag-generation`` (a table without a profile is profiled
    first, with the profiling options)."""

    null_rate_threshold: NonNegative | None = None
    stale_after_days: NonNegative | None = None
    key_min_rows: NonNegative | None = None
    key_distinct_ratio: NonNegative | None = None
    key_max_length: NonNegative | None = None
    key_check_min_ratio: NonNegative | None = None
    key_check_max_columns: NonNegative | None = None
    constant_min_rows: NonNegative | None = None
    mixed_format_min_share: NonNegative | None = None
    mixed_format_max_dominant: NonNegative | None = None
    outlier_ratio_threshold: NonNegative | None = None
    outlier_min_distinct: NonNegative | None = None
    type_mismatch_min_share: NonNegative | None = None
    critical_columns: list[str] | None = None
    industry_info: JsonValue = None


class EnrichmentConfig(WorkflowConfig):
    """The LLM enrichment types (descriptions, column enrichment, metadata enrichment)."""

    llm: str = "auto"
    include: list[str] | None = Field(None, description="Table FQNs to work on.")
    industry_info: JsonValue = None


class RuleGenerationConfig(WorkflowConfig):
    """``dq-rule-generation``."""

    use_validation: bool = True
    include: list[str] | None = None
    industry_info: JsonValue = None


class RuleExecutionConfig(WorkflowConfig):
    """``dq-execution``."""

    max_violation_samples: NonNegativeInt = 10


class AssessmentConfig(WorkflowConfig):
    """``metadata-assessment``, ``dq-assessment`` and ``intelligence``."""

    weight_overrides: dict[str, NonNegative] | None = None


class RunAllEnrichmentConfig(EnrichmentConfig):
    """``run-all-enrichment``: the enrichment settings, for every step."""

    confidence_threshold: Ratio | None = None
    sample_rows: PositiveInt | None = None
    use_validation: bool | None = None


BUILTIN_CONFIG_MODELS: dict[str, type[WorkflowConfig]] = {
    "service-ingestion": IngestionConfig,
    "profiling": ProfilingConfig,
    "generate-table-description": EnrichmentConfig,
    "enrich-table-columns": EnrichmentConfig,
    "metadata-enrichment": EnrichmentConfig,
    "generate-pii-tags": PIIConfig,
    "generate-sensitivity-tags": SensitivityConfig,
    "generate-dq-tags": DQTagsConfig,
    "dq-tag-generation": DQTagsConfig,
    "dq-rule-generation": RuleGenerationConfig,
    "dq-execution": RuleExecutionConfig,
    "metadata-assessment": AssessmentConfig,
    "dq-assessment": AssessmentConfig,
    "intelligence": AssessmentConfig,
    "run-all-enrichment": RunAllEnrichmentConfig,
}


def known_keys(model: type[BaseModel]) -> list[str]:
    return sorted(model.model_fields)


@functools.cache
def _schema(model: type[BaseModel]) -> str:
    return json.dumps(model.model_json_schema())


def json_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON schema of ``model`` (a fresh copy: callers may change it)."""
    out: dict[str, Any] = json.loads(_schema(model))
    return out


def _location(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def check_config(
    model: type[BaseModel],
    workflow_type: str,
    values: Mapping[str, Any],
    *,
    field: str,
    field_of: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """``values`` checked against ``model``; returns them with each value coerced
    (``"5000"`` → ``5000``), only the keys given. ``field_of`` names where a key came from
    (``parameters`` rather than ``config``) in the errors.

    Raises:
        InvalidConfig: listing each bad field (``field.key: why``) and the known keys.
    """
    try:
        validated = model.model_validate(dict(values))
    except ValidationError as exc:
        errors = []
        for err in exc.errors(include_url=False, include_input=False):
            loc = tuple(err["loc"])
            key = _location(loc)
            where = (field_of or {}).get(str(loc[0]), field) if loc else field
            why = "unknown key" if err["type"] == "extra_forbidden" else str(err["msg"])
            errors.append({"field": f"{where}.{key}" if key else field, "message": why})
        keys = known_keys(model)
        listed = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        raise InvalidConfig(
            f"{workflow_type} refuses {listed}; known keys: {', '.join(keys)}",
            field=errors[0]["field"] if errors else field,
            errors=errors,
            known_keys=keys,
        ) from None
    dumped = validated.model_dump(mode="json", exclude_unset=True)
    return {k: dumped[k] for k in values if k in dumped}


def coerce_text_values(
    model: type[BaseModel] | None, workflow_type: str, raw: Mapping[str, str], *, field: str
) -> dict[str, Any]:
    """``KEY=VALUE`` strings typed by ``model``: each value is tried as JSON first (``5000``
    for an int field becomes ``5000``, ``["a", "b"]`` a list, ``null`` nothing), then as the
    text itself (``abc``, or ``123`` for a text field); the whole is then checked by
    :func:`check_config`. Without a model, values are read as JSON when they parse."""
    out: dict[str, Any] = {}
    for key, text in raw.items():
        fields = model.model_fields if model is not None else {}
        info = fields.get(key)
        try:
            as_json: Any = json.loads(text)
        except json.JSONDecodeError:
            as_json = text
        if info is None:
            out[key] = as_json
            continue
        adapter: TypeAdapter[Any] = TypeAdapter(info.rebuild_annotation())
        for candidate in (as_json, text):
            try:
                out[key] = adapter.validate_python(candidate)
                break
            except ValidationError:
                continue
        else:
            out[key] = as_json
    if model is not None:
        return check_config(model, workflow_type, out, field=field)
    return out
