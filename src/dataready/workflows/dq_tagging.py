"""``generate-dq-tags`` / ``dq-tag-generation``: data-quality tags from the latest profile.

A table without a profile is profiled first.  Each tag carries the figure that triggered it
(``DQ.HighNullRate`` with the null ratio and the threshold, …); ``industry_info`` is
accepted and recorded in the run's input.
"""

from __future__ import annotations

from typing import Any

from dataready.analysis.dq_tags import DEFAULTS, dq_tags, resolve_config, table_dq_tags
from dataready.domain.fqn import FQN
from dataready.errors import ValidationFailed
from dataready.store.tags import MachineTag
from dataready.workflows.base import RunContext, TaskSpec, Workflow
from dataready.workflows.profiling import profile_one, profile_options
from dataready.workflows.tagging import TableContext, load_table, propose_tags
from dataready.workflows.targets import plan_tables

FAMILIES = ("DQ.",)


def column_view(tc: TableContext, name: str, profile: dict[str, Any]) -> dict[str, Any]:
    """The column's profile with the catalogue's key facts the DQ rules read."""
    view = dict(profile)
    asset = next((c for c in tc.columns if c.name == name), None)
    details = asset.details if asset is not None else {}
    view["is_primary_key"] = bool(details.get("primary_key"))
    view["is_foreign_key"] = bool(details.get("foreign_key"))
    view["is_unique"] = bool(details.get("unique"))
    return view


class GenerateDQTags(Workflow):
    workflow_type = "generate-dq-tags"

    def validate(
        self, asset_fqn: FQN | None, config: dict[str, Any], parameters: dict[str, Any]
    ) -> None:
        if asset_fqn is None:
            raise ValidationFailed(
                f"{self.workflow_type} needs asset_fqn: a schema or table", field="asset_fqn"
            )
        resolve_config(self._dq_config({**config, **parameters}))

    @staticmethod
    def _dq_config(cfg: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in cfg.items() if k in DEFAULTS}

    def plan(self, ctx: RunContext) -> list[TaskSpec]:
        return plan_tables(ctx, "dq-tags-table")

    def run_task(self, ctx: RunContext, task: TaskSpec) -> dict[str, Any]:
        cfg = {**ctx.config, **ctx.parameters}
        assert task.asset_fqn is not None
        tc = load_table(ctx, task.asset_fqn)
        profiled_now = tc.profile is None
        if tc.profile is None:
            tc.profile = profile_one(ctx, task.asset_fqn, profile_options(cfg))
        dq_cfg = self._dq_config(cfg)
        tags: list[MachineTag] = []
        for col in tc.profile.get("columns") or []:
            if col.get("skipped_reason"):
                continue
            fqn = str(tc.fqn.child(col["name"]))
            tags += [
                MachineTag(fqn, t.tag, t.confidence, t.evidence)
                for t in dq_tags(column_view(tc, col["name"], col), tc.profile, dq_cfg)
            ]
        tags += [
            MachineTag(str(tc.fqn), t.tag, t.confidence, t.evidence)
            for t in table_dq_tags(tc.profile, dq_cfg)
        ]
        propose_tags(ctx, tc, FAMILIES, tags)
        return {
            "tables_profiled_first": int(profiled_now),
            "tags_proposed": len(tags),
            "columns_tagged": len({t.asset_fqn for t in tags}),
        }


class DQTagGeneration(GenerateDQTags):
    """The same work under the other name in use."""

    workflow_type = "dq-tag-generation"
