"""``generate-pii-tags``: find the columns that hold personal data and tag them.

Per table: read a bounded sample of the catalogued columns, take the latest profile as
further evidence, classify every column (name, values, profile) and propose ``PII.<Entity>``
tags plus ``PII.Sensitive`` / ``PII.NonSensitive``, each with its confidence and evidence —
never raw values.  A person's tags on the columns are inputs: an entity they set counts, one
they removed does not.  The proposals wait for approval unless the run auto-saves.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dataready.analysis.pii.classifier import ColumnClassification, classify_column
from dataready.analysis.pii.evidence import ColumnEvidence
from dataready.analysis.tag_derivation import (
    NO_DECISIONS,
    PII_SENSITIVITY_TAGS,
    ColumnDerivation,
    derive_column,
    derive_table,
)
from dataready.domain.fqn import FQN
from dataready.errors import ValidationFailed
from dataready.store.tags import MachineTag
from dataready.workflows.base import RunContext, TargetKind, TaskSpec, Workflow
from dataready.workflows.config_schemas import PIIConfig
from dataready.workflows.tagging import (
    TableContext,
    load_table,
    propose_tags,
    read_sample,
)
from dataready.workflows.targets import plan_tables

PII_FAMILIES = ("PII.",)


def confidence_threshold(config: dict[str, Any]) -> float:
    value = config.get("confidence_threshold", 0.8)
    try:
        threshold = float(value)
    except (TypeError, ValueError):
        threshold = -1.0
    if not 0.0 <= threshold <= 1.0:
        raise ValidationFailed(
            f"config.confidence_threshold must be a number between 0 and 1, not {value!r}",
            field="config.confidence_threshold",
        )
    return threshold


def classify_table(
    ctx: RunContext, tc: TableContext, threshold: float, sample_rows: int
) -> tuple[list[ColumnClassification], list[str]]:
    """Classify every column of a table; returns the results and the vanished columns."""
    values, gone = read_sample(ctx, tc, sample_rows)
    results = []
    for col in tc.columns:
        if col.name not in values:
            continue
        ctx.progress()
        evidence = ColumnEvidence(
            name=col.name,
            table_name=tc.table.name,
            declared_type=col.data_type or "",
            type_family=col.type_family or "other",
            values=values[col.name],
            profile=tc.column_profile(col.name),
        )
        results.append(classify_column(evidence, confidence_threshold=threshold))
    return results, gone


def derive_columns(
    tc: TableContext,
    results: list[ColumnClassification],
    overrides: Mapping[str, Any] | None = None,
) -> list[ColumnDerivation]:
    """The derivation of every classified column, and of every column a person decided on.

    What a person said of a column is an input: their entity tags count, the ones they
    removed do not, whatever the classifier found (``analysis.tag_derivation``).
    """
    found = {
        r.column: {f.entity: f.confidence for f in r.applied}
        for r in results
        if r.skipped_reason is None
    }
    out = []
    for col in tc.columns:
        fqn = str(tc.fqn.child(col.name))
        decisions = tc.decisions_on(fqn)
        if col.name not in found and decisions == NO_DECISIONS:
            continue
        out.append(
            derive_column(
                fqn,
                found.get(col.name, {}),
                column=col.name,
                decisions=decisions,
                overrides=overrides,
            )
        )
    return out


def derived_tags(
    tc: TableContext, columns: list[ColumnDerivation], families: tuple[str, ...]
) -> list[MachineTag]:
    """The derived tags of ``families`` on the columns and on the table."""
    table = derive_table(
        str(tc.fqn), [c.state for c in columns], decisions=tc.decisions_on(str(tc.fqn))
    )
    every = [t for c in columns for t in c.tags] + table
    return [MachineTag.derived(t) for t in every if t.tag.startswith(families)]


def pii_tags(tc: TableContext, results: list[ColumnClassification]) -> list[MachineTag]:
    """``PII.<Entity>`` per applied finding, and the ``PII.Sensitive``/``NonSensitive`` tags
    derived from the column's entities (the classifier's, corrected by a person's)."""
    tags: list[MachineTag] = []
    for result in results:
        fqn = str(tc.fqn.child(result.column))
        for f in result.applied:
            tags.append(MachineTag(fqn, f.tag, round(f.confidence, 4), f.evidence))
    return tags + derived_tags(tc, derive_columns(tc, results), PII_SENSITIVITY_TAGS)


class GeneratePIITags(Workflow):
    workflow_type = "generate-pii-tags"
    config_model = PIIConfig
    target_kind = TargetKind.ASSET

    def validate(
        self, asset_fqn: FQN | None, config: dict[str, Any], parameters: dict[str, Any]
    ) -> None:
        if asset_fqn is None:
            raise ValidationFailed(
                "generate-pii-tags needs asset_fqn: a schema or table FQN", field="asset_fqn"
            )
        confidence_threshold({**config, **parameters})

    def plan(self, ctx: RunContext) -> list[TaskSpec]:
        return plan_tables(ctx, "classify-table")

    def run_task(self, ctx: RunContext, task: TaskSpec) -> dict[str, Any]:
        cfg = {**ctx.config, **ctx.parameters}
        assert task.asset_fqn is not None
        tc = load_table(ctx, task.asset_fqn)
        results, gone = classify_table(
            ctx, tc, confidence_threshold(cfg), int(cfg.get("sample_rows") or 1000)
        )
        tags = pii_tags(tc, results)
        propose_tags(ctx, tc, PII_FAMILIES, tags)
        # the reason of each skipped column, so the task says why and not only how many
        skipped = {r.column: r.skipped_reason for r in results if r.skipped_reason}
        skipped |= {name: "no longer in the source; re-run service-ingestion" for name in gone}
        return {
            "columns_classified": sum(1 for r in results if r.skipped_reason is None),
            "columns_skipped": len(skipped),
            "columns_with_pii": sum(1 for r in results if r.applied),
            "sensitive_columns": sum(1 for r in results if r.sensitive),
            "tags_proposed": len(tags),
            "skipped": skipped,
        }
