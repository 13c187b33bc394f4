"""``generate-pii-tags``: find the columns that hold personal data and tag them.

Per table: read a bounded sample of the catalogued columns, take the latest profile as
further evidence, classify every column (name, values, profile) and propose ``PII.<Entity>``
tags plus ``PII.Sensitive`` / ``PII.NonSensitive``, each with its confidence and evidence —
never raw values.  The proposals wait for approval unless the run auto-saves.
"""

from __future__ import annotations

from typing import Any

from dataready.analysis.pii.classifier import ColumnClassification, classify_column
from dataready.analysis.pii.evidence import ColumnEvidence
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


def pii_tags(tc: TableContext, results: list[ColumnClassification]) -> list[MachineTag]:
    tags: list[MachineTag] = []
    sensitive_columns = []
    for result in results:
        fqn = str(tc.fqn.child(result.column))
        for proposal in result.tags():
            if proposal.applied:
                tags.append(
                    MachineTag(fqn, proposal.tag, round(proposal.confidence, 4), proposal.evidence)
                )
        if result.sensitive:
            sensitive_columns.append(result.column)
    if sensitive_columns:
        tags.append(
            MachineTag(str(tc.fqn), "PII.Sensitive", 1.0, {"sensitive_columns": sensitive_columns})
        )
    return tags


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
