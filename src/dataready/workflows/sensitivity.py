"""``generate-sensitivity-tags``: a sensitivity level and privacy category per column and
table (the table takes the maximum of its columns).

Levels come from the PII findings of each column through a documented mapping that
``config.level_overrides`` (``levels``, ``categories``, ``default_level``) can change.  A
person's tags are inputs (``analysis.tag_derivation``): entity tags they set count, ones they
removed do not, their ``PII.Sensitive`` makes a column at least Confidential, and a level or
category they set is neither overridden nor downgraded — the table aggregates it.
"""

from __future__ import annotations

from typing import Any

from dataready.analysis.sensitivity import SensitivityLevel, resolve_mapping
from dataready.domain.fqn import FQN
from dataready.errors import DatareadyError, ValidationFailed
from dataready.workflows.base import RunContext, TargetKind, TaskSpec, Workflow
from dataready.workflows.classification import (
    classify_table,
    confidence_threshold,
    derive_columns,
    derived_tags,
)
from dataready.workflows.config_schemas import SensitivityConfig
from dataready.workflows.tagging import load_table, propose_tags
from dataready.workflows.targets import plan_tables

FAMILIES = ("Sensitivity.", "PrivacyCategory.")


def _overrides(config: dict[str, Any]) -> dict[str, Any]:
    overrides = config.get("level_overrides") or {}
    if not isinstance(overrides, dict):
        raise ValidationFailed(
            "config.level_overrides must be an object", field="config.level_overrides"
        )
    return overrides


class GenerateSensitivityTags(Workflow):
    workflow_type = "generate-sensitivity-tags"
    config_model = SensitivityConfig
    target_kind = TargetKind.ASSET

    def validate(
        self, asset_fqn: FQN | None, config: dict[str, Any], parameters: dict[str, Any]
    ) -> None:
        if asset_fqn is None:
            raise ValidationFailed(
                f"{self.workflow_type} needs asset_fqn: a schema or table", field="asset_fqn"
            )
        merged = {**config, **parameters}
        confidence_threshold(merged)
        try:
            resolve_mapping(_overrides(merged))
        except DatareadyError as exc:
            raise ValidationFailed(
                f"config.level_overrides: {exc.message}", field="config.level_overrides"
            ) from None

    def plan(self, ctx: RunContext) -> list[TaskSpec]:
        return plan_tables(ctx, "sensitivity-table")

    def run_task(self, ctx: RunContext, task: TaskSpec) -> dict[str, Any]:
        cfg = {**ctx.config, **ctx.parameters}
        assert task.asset_fqn is not None
        tc = load_table(ctx, task.asset_fqn)
        results, _ = classify_table(
            ctx, tc, confidence_threshold(cfg), int(cfg.get("sample_rows") or 1000)
        )
        columns = derive_columns(tc, results, _overrides(cfg))
        tags = derived_tags(tc, columns, FAMILIES)
        level = max(
            (c.state.level for c in columns if c.state.level is not None),
            default=SensitivityLevel.PUBLIC,
        )
        propose_tags(ctx, tc, FAMILIES, tags)
        return {
            "columns_classified": sum(1 for r in results if r.skipped_reason is None),
            "tags_proposed": len(tags),
            f"tables_{level.label.lower()}": 1,
        }
