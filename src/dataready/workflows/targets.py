"""Planning a run over the catalogue: one task per table under a schema or table target."""

from __future__ import annotations

from dataready.domain.fqn import FQNLevel
from dataready.errors import NotFound, ValidationFailed
from dataready.store import assets as assets_q
from dataready.workflows.base import RunContext, TaskSpec


def plan_tables(ctx: RunContext, task_type: str, *, include_views: bool = False) -> list[TaskSpec]:
    """One task per catalogued table under the run's target (a schema or a table)."""
    target = ctx.asset_fqn
    if target is None or target.level not in (FQNLevel.SCHEMA, FQNLevel.TABLE):
        raise ValidationFailed(
            f"{ctx.workflow_type} takes a schema or table FQN", field="asset_fqn"
        )
    with ctx.store.session() as s:
        if target.level is FQNLevel.TABLE:
            tables = [assets_q.get_asset(s, ctx.tenant, str(target))]
        else:
            kinds = ("table", "view") if include_views else ("table",)
            tables = [
                a
                for a in assets_q.list_children(s, ctx.tenant, str(target))
                if a.asset_type in kinds
            ]
    if not tables:
        raise NotFound(
            f"no catalogued tables under {target}; run service-ingestion on it first",
            fqn=str(target),
        )
    return [
        TaskSpec(name=f"{task_type} {t.fqn}", task_type=task_type, asset_fqn=t.fqn) for t in tables
    ]
