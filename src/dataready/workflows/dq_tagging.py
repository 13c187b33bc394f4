"""``generate-dq-tags`` / ``dq-tag-generation``: data-quality tags from the latest profile.

A table without a profile is profiled first.  Each tag carries the figure that triggered it
(``DQ.HighNullRate`` with the null ratio and the threshold, …); ``industry_info`` is
accepted and recorded in the run's input.

``DQ.KeyCandidate`` is decided exactly: the few columns the profile shows as near-unique but
did not count exactly get one uniqueness check per table (``COUNT(*)`` against ``COUNT(col)``
and ``COUNT(DISTINCT col)``, :func:`dataready.sql.keys.uniqueness_statement`), sent through the
connector under its statement timeout. A check that fails or times out leaves those columns
untagged and says why in the task's output (``key_check``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dataready.analysis.dq_tags import (
    DEFAULTS,
    dq_tags,
    key_check_candidates,
    resolve_config,
    table_dq_tags,
)
from dataready.domain.fqn import FQN
from dataready.errors import ConnectorError, ValidationFailed
from dataready.sql.keys import uniqueness_statement
from dataready.store.tags import MachineTag
from dataready.workflows.base import RunContext, TargetKind, TaskSpec, Workflow
from dataready.workflows.config_schemas import DQTagsConfig
from dataready.workflows.profiling import profile_one, profile_options
from dataready.workflows.sources import open_service, service_slot
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
    view.setdefault("profiled_at", (tc.profile or {}).get("profiled_at"))
    return view


def check_keys(
    ctx: RunContext, tc: TableContext, columns: list[str]
) -> tuple[dict[str, dict[str, Any]], str]:
    """Exact uniqueness of ``columns`` over the whole table, in one statement.

    Columns that left the source since it was profiled are not checked (a quoted name that is
    no column can be read as a string literal by SQLite).

    Returns:
        The counts per column (``rows``, ``non_null``, ``distinct``, ``checked_at``), and what
        happened (``checked``, or why not) for the task's output.
    """
    fqn = tc.fqn
    assert fqn.database is not None and fqn.schema is not None and fqn.table is not None
    ctx.check_cancelled()
    connector, _ = open_service(ctx, fqn.service)
    try:
        with service_slot(ctx, fqn.service), connector:
            live = {c.name for c in connector.get_columns(fqn.database, fqn.schema, fqn.table)}
            present = [c for c in columns if c in live]
            gone = [c for c in columns if c not in live]
            note = "checked" + (f"; no longer in the source: {', '.join(gone)}" if gone else "")
            if not present:
                return {}, note.replace("checked; ", "not checked: ")
            table_sql = connector.qualified_name(fqn.database, fqn.schema, fqn.table)
            statement = uniqueness_statement(connector.sqlalchemy_dialect, table_sql, present)
            result = connector.execute(statement.sql, max_rows=1, database=fqn.database)
    except ConnectorError as exc:  # timed out, or refused: no tag on a guess
        return {}, f"not checked: {exc.message}"
    at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    found = {
        name: {"rows": c.rows, "non_null": c.non_null, "distinct": c.distinct, "checked_at": at}
        for name, c in statement.read(result.rows[0]).items()
    }
    return found, note


class GenerateDQTags(Workflow):
    workflow_type = "generate-dq-tags"
    config_model = DQTagsConfig
    target_kind = TargetKind.ASSET

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
        views = [
            column_view(tc, col["name"], col)
            for col in tc.profile.get("columns") or []
            if not col.get("skipped_reason")
        ]
        candidates = key_check_candidates(views, dq_cfg)
        checks, key_check = check_keys(ctx, tc, candidates) if candidates else ({}, "none needed")
        tags: list[MachineTag] = []
        for view in views:
            if view["name"] in checks:
                view["uniqueness_check"] = checks[view["name"]]
            fqn = str(tc.fqn.child(view["name"]))
            tags += [
                MachineTag(fqn, t.tag, t.confidence, t.evidence)
                for t in dq_tags(view, tc.profile, dq_cfg)
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
            "key_candidates_checked": len(checks),
            "key_check": key_check,
        }


class DQTagGeneration(GenerateDQTags):
    """The same work under the other name in use."""

    workflow_type = "dq-tag-generation"
