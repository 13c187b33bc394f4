"""What tag-producing workflows share: reading a table's catalogue entry and a bounded
sample, and the ``machine-tags`` proposal kind with its applier.

A tagging run proposes, per table, the full set of tags of its families (``PII.``,
``Sensitivity.``, ``DQ.``…) for the table and its columns.  Applying the proposal makes the
stored machine tags match it: new ones are applied, old ones confirmed, and machine tags
whose evidence is gone are withdrawn; a person's decisions are left alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from dataready.analysis.tag_derivation import NO_DECISIONS, Decisions, TagRef
from dataready.domain.fqn import FQN
from dataready.domain.tenant import Tenant
from dataready.errors import NotFound, TaskFailed
from dataready.store import assets as assets_q
from dataready.store import profiles as profiles_q
from dataready.store import tag_lineage
from dataready.store import tags as tags_q
from dataready.store.orm import Asset, Proposal, WorkflowRun
from dataready.workflows.base import RunContext
from dataready.workflows.profile_access import scrub_secret_values, secret_tag_tables
from dataready.workflows.sources import source_connection

PROPOSAL_KIND = "machine-tags"


@dataclass
class TableContext:
    """A table's catalogue entry, its columns and its latest profile (if any)."""

    fqn: FQN
    table: Asset
    columns: list[Asset]
    profile: dict[str, Any] | None
    # a person's decisions on the table and its columns: inputs to the run
    decisions: dict[str, Decisions] = field(default_factory=dict)

    def decisions_on(self, fqn: str) -> Decisions:
        return self.decisions.get(fqn, NO_DECISIONS)

    def column_profile(self, name: str) -> dict[str, Any] | None:
        for col in (self.profile or {}).get("columns") or []:
            if col.get("name") == name:
                return dict(col)
        return None


def load_table(ctx: RunContext, table_fqn: str) -> TableContext:
    with ctx.store.session() as s:
        table = assets_q.get_asset(s, ctx.tenant, table_fqn)
        columns = assets_q.list_children(s, ctx.tenant, table_fqn)
        decisions = tag_lineage.decisions_under(s, ctx.tenant, table_fqn)
        try:
            profile: dict[str, Any] | None = profiles_q.latest_profile(
                s, ctx.tenant, table_fqn
            ).profile
        except NotFound:
            profile = None
    return TableContext(FQN.parse(table_fqn), table, columns, profile, decisions)


def read_sample(
    ctx: RunContext, tc: TableContext, limit: int
) -> tuple[dict[str, list[Any]], list[str]]:
    """A bounded sample of the table's catalogued columns that still exist.

    Returns:
        Values per column, and the catalogued columns that vanished since ingestion.
    """
    fqn = tc.fqn
    assert fqn.database is not None and fqn.schema is not None and fqn.table is not None
    with source_connection(ctx, fqn.service) as (connector, _):
        try:
            columns = connector.get_columns(fqn.database, fqn.schema, fqn.table)
        except NotFound:
            raise TaskFailed(
                f"table {fqn} no longer exists in the source; re-run service-ingestion so "
                "the catalogue marks it deleted",
                asset_fqn=str(fqn),
            ) from None
        live = {c.name for c in columns}
        wanted = [c.name for c in tc.columns if c.name in live]
        gone = [c.name for c in tc.columns if c.name not in live]
        result = connector.sample_rows(
            fqn.database, fqn.schema, fqn.table, columns=wanted, limit=limit
        )
    values: dict[str, list[Any]] = {name: [] for name in wanted}
    for row in result.rows:
        for name, value in zip(wanted, row, strict=False):
            values[name].append(value)
    return values, gone


def propose_tags(
    ctx: RunContext,
    tc: TableContext,
    families: tuple[str, ...],
    tags: list[tags_q.MachineTag],
) -> None:
    """Propose the complete tag set of ``families`` for a table and its columns."""
    ctx.propose(
        PROPOSAL_KIND,
        str(tc.fqn),
        {
            "assets": [str(tc.fqn), *(c.fqn for c in tc.columns)],
            "families": list(families),
            "tags": [
                {
                    "asset_fqn": t.asset_fqn,
                    "tag": t.tag,
                    "confidence": t.confidence,
                    "evidence": t.evidence,
                    **({"derived_from": t.lineage()} if t.derived_from else {}),
                }
                for t in tags
            ],
        },
    )


def apply_machine_tags(
    session: Session, run: WorkflowRun, proposals: list[Proposal]
) -> dict[str, Any]:
    """The applier of ``machine-tags`` proposals."""
    tenant = Tenant(run.client_id, run.project_id)
    applied: list[str] = []
    new = withdrawn = kept = 0
    for p in proposals:
        payload = p.payload
        changes = tags_q.sync_machine_tags(
            session,
            tenant,
            assets=set(payload["assets"]),
            families=tuple(payload["families"]),
            tags=[
                tags_q.MachineTag(
                    t["asset_fqn"],
                    t["tag"],
                    t.get("confidence"),
                    t.get("evidence") or {},
                    tuple(TagRef.from_dict(ref) for ref in t.get("derived_from") or ()),
                )
                for t in payload["tags"]
            ],
            run_id=run.id,
            workflow_type=run.workflow_type,
        )
        applied += changes.applied + changes.updated
        new += len(changes.applied)
        withdrawn += len(changes.withdrawn)
        kept += changes.kept_by_person
    # a column now tagged a secret: its stored profiles lose its values in this transaction
    secret_tables = secret_tag_tables(
        (t["asset_fqn"], t["tag"]) for p in proposals for t in p.payload["tags"]
    )
    scrubbed = scrub_secret_values(session, tenant, secret_tables)
    return {
        "profiles_scrubbed": scrubbed,
        "tags_applied": len(applied),
        "tags_new": new,
        "tags_withdrawn": withdrawn,
        "tags_kept_by_person": kept,
        "tag_ids": applied,
    }
