"""``profiling``: column and table statistics in one scan per table, kept as history.

Targets a schema (one task per catalogued table, run in parallel within the per-service
query limit) or one table.  Each task calls :func:`profile_table` — one aggregate statement
plus one streamed sample pass, whatever the column count — and stores the profile with its
run id and time, without the values of columns that are secrets (tagged ``PII.Secret``, or
named or valued like one: :func:`~dataready.workflows.profile_access.storable_profile`).
A table that times out or vanished fails its own task; the run goes on. A cancel of the run
stops the table's statement on the source, and a cancelled run stores no profile.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from dataready.domain.fqn import FQN
from dataready.errors import ValidationFailed
from dataready.store import profiles as profiles_q
from dataready.workflows.base import RunContext, TargetKind, TaskSpec, Workflow
from dataready.workflows.config_schemas import ProfilingConfig
from dataready.workflows.profile_access import storable_profile
from dataready.workflows.profiler import ProfileOptions, profile_table
from dataready.workflows.sources import service_slot, source_connection
from dataready.workflows.targets import plan_tables

_OPTION_NAMES = {f.name for f in fields(ProfileOptions)}


def profile_options(config: dict[str, Any]) -> ProfileOptions:
    """Profiling options from a run's config and parameters (unknown keys are ignored)."""
    values = {k: v for k, v in config.items() if k in _OPTION_NAMES and v is not None}
    try:
        return ProfileOptions(**values)
    except TypeError as exc:
        raise ValidationFailed(f"invalid profiling option: {exc}", field="config") from None


def profile_one(ctx: RunContext, table_fqn: str, options: ProfileOptions) -> dict[str, Any]:
    """Profile one catalogued table, store the profile, and return it as a dict."""
    fqn = FQN.parse(table_fqn)
    assert fqn.database is not None and fqn.schema is not None and fqn.table is not None
    with service_slot(ctx, fqn.service), source_connection(ctx, fqn.service) as (connector, _):
        profile = profile_table(
            connector,
            fqn.database,
            fqn.schema,
            fqn.table,
            options=options,
            check_cancelled=ctx.check_cancelled,
        )
    with ctx.result_session() as s:  # never a profile of a cancelled run
        # the tags are read in the transaction that stores the profile: a column tagged a
        # secret meanwhile loses its values here, or in the scrub of the tagging transaction
        doc = storable_profile(s, ctx.tenant, table_fqn, profile.to_dict())
        profiles_q.add_profile(s, ctx.tenant, table_fqn=table_fqn, run_id=ctx.run_id, profile=doc)
    return doc


class Profiling(Workflow):
    workflow_type = "profiling"
    config_model = ProfilingConfig
    target_kind = TargetKind.ASSET

    def validate(
        self, asset_fqn: FQN | None, config: dict[str, Any], parameters: dict[str, Any]
    ) -> None:
        if asset_fqn is None:
            raise ValidationFailed(
                "profiling needs asset_fqn: a schema or table FQN", field="asset_fqn"
            )
        profile_options({**config, **parameters})

    def plan(self, ctx: RunContext) -> list[TaskSpec]:
        cfg = {**ctx.config, **ctx.parameters}
        return plan_tables(ctx, "profile-table", include_views=bool(cfg.get("include_views")))

    def run_task(self, ctx: RunContext, task: TaskSpec) -> dict[str, Any]:
        assert task.asset_fqn is not None
        doc = profile_one(ctx, task.asset_fqn, profile_options({**ctx.config, **ctx.parameters}))
        columns = doc.get("columns") or []
        return {
            "tables_profiled": 1,
            "columns_profiled": sum(1 for c in columns if not c.get("skipped_reason")),
            "columns_skipped": sum(1 for c in columns if c.get("skipped_reason")),
            "rows_profiled": int(doc.get("rows_profiled") or 0),
            "statements": int(doc.get("statements") or 0),
            "full_passes": int(doc.get("full_passes") or 0),
        }
