"""Derived tags kept in step with the tags they follow, and a person's decisions as inputs.

``rederive`` runs in the transaction of a person's change of a tag: the column's derived tags
are derived again (``analysis.tag_derivation``, the derivation the workflows use) from the
tags it has now, then its table's from its columns.  Machine rows change; a person's rows —
tags set by hand and the tombstones of tags removed by hand — stay as they are.

``decisions_under`` gives a tagging run a person's decisions, which it takes as inputs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy.orm import Session

from dataready.analysis.tag_derivation import (
    CATEGORY_FAMILY,
    COLUMN_FAMILIES,
    LEVEL_FAMILY,
    TABLE_FAMILIES,
    Decisions,
    column_state,
    derive_column,
    derive_table,
    entity_of,
)
from dataready.domain.fqn import FQN, FQNLevel
from dataready.domain.tenant import Tenant
from dataready.store.assets import get_asset, list_children
from dataready.store.orm import Tag
from dataready.store.tags import APPLIED, MACHINE, PERSON, REMOVED, MachineTag, list_tags
from dataready.store.tags import sync_machine_tags as _sync


def decisions_of(rows: Iterable[Tag]) -> dict[str, Decisions]:
    """A person's decisions per asset FQN, from its tag rows (of every state)."""
    applied: dict[str, set[str]] = defaultdict(set)
    removed: dict[str, set[str]] = defaultdict(set)
    for t in rows:
        if t.source != PERSON:
            continue
        if t.state == APPLIED:
            applied[t.asset_fqn].add(t.tag)
        elif t.state == REMOVED:
            removed[t.asset_fqn].add(t.tag)
    return {
        fqn: Decisions(frozenset(applied[fqn]), frozenset(removed[fqn]))
        for fqn in applied.keys() | removed.keys()
    }


def decisions_under(session: Session, tenant: Tenant, table_fqn: str) -> dict[str, Decisions]:
    """A person's decisions on a table and its columns, by asset FQN."""
    rows = list_tags(session, tenant, under=table_fqn, include_inactive=True, fresh=True)
    return decisions_of(rows)


def _overrides(rows: Iterable[Tag]) -> dict[str, Any] | None:
    """The mapping overrides the last sensitivity run used on the asset (in its evidence)."""
    for t in rows:
        if t.source == MACHINE and t.tag.startswith(LEVEL_FAMILY):
            found = (t.evidence or {}).get("overrides")
            if isinstance(found, dict):
                return found
    return None


def _in_play(rows: Iterable[Tag], entities: bool) -> Callable[[str], bool]:
    """Which derived tags a person's change brings in line on an asset.

    ``PII.Sensitive``/``PII.NonSensitive`` always (they follow the entity tags alone).  A
    level or category where a run or a person decided one on the asset (a row of the family
    with a workflow type, or a person's) or, on a column, where it holds entities now: a
    table's maximum is not taken over the few columns a person touched, and a family no run
    covered is left alone once its entities go.
    """
    present = {
        f
        for t in rows
        for f in (LEVEL_FAMILY, CATEGORY_FAMILY)
        if t.tag.startswith(f) and (t.workflow_type is not None or t.source == PERSON)
    }

    def keep(tag: str) -> bool:
        if not tag.startswith((LEVEL_FAMILY, CATEGORY_FAMILY)):
            return True
        return entities or any(tag.startswith(f) for f in present)

    return keep


def rederive(session: Session, tenant: Tenant, asset_fqn: str, *, by: str) -> None:
    """Bring the derived tags of an asset, and of its table, in line with its tags now."""
    asset = get_asset(session, tenant, asset_fqn)
    if asset.asset_type == "column":
        _rederive_column(session, tenant, asset_fqn, asset.name, by=by)
        if asset.parent_fqn:
            _rederive_table(session, tenant, asset.parent_fqn, by=by)
    elif FQN.parse(asset_fqn).level is FQNLevel.TABLE:
        _rederive_table(session, tenant, asset_fqn, by=by)


def _write(
    session: Session,
    tenant: Tenant,
    asset_fqn: str,
    families: tuple[str, ...],
    tags: list[MachineTag],
    by: str,
) -> None:
    note = {"derived_after": f"a change of tags by {by}"}
    _sync(
        session,
        tenant,
        assets={asset_fqn},
        families=families,
        tags=[
            MachineTag(t.asset_fqn, t.tag, t.confidence, {**t.evidence, **note}, t.derived_from)
            for t in tags
        ],
        run_id=None,
        workflow_type=None,
    )


def _rederive_column(
    session: Session, tenant: Tenant, asset_fqn: str, name: str, *, by: str
) -> None:
    rows = list_tags(session, tenant, asset_fqn=asset_fqn, include_inactive=True, fresh=True)
    found = {
        entity: 1.0 if t.confidence is None else t.confidence
        for t in rows
        if t.source == MACHINE and t.state == APPLIED and (entity := entity_of(t.tag))
    }
    derivation = derive_column(
        asset_fqn,
        found,
        column=name,
        decisions=decisions_of(rows).get(asset_fqn, Decisions()),
        overrides=_overrides(rows),
    )
    keep = _in_play(rows, bool(derivation.entities))
    tags = [MachineTag.derived(t) for t in derivation.tags if keep(t.tag)]
    _write(session, tenant, asset_fqn, COLUMN_FAMILIES, tags, by)


def _rederive_table(session: Session, tenant: Tenant, table_fqn: str, *, by: str) -> None:
    rows = list_tags(session, tenant, under=table_fqn, include_inactive=True, fresh=True)
    columns = {c.fqn for c in list_children(session, tenant, table_fqn)}
    applied: dict[str, list[tuple[str, float | None]]] = defaultdict(list)
    for t in rows:
        if t.state == APPLIED and t.asset_fqn in columns:
            applied[t.asset_fqn].append((t.tag, t.confidence))
    states = [column_state(fqn, tags) for fqn, tags in applied.items()]
    derived = derive_table(
        table_fqn, states, decisions=decisions_of(rows).get(table_fqn, Decisions())
    )
    keep = _in_play([t for t in rows if t.asset_fqn == table_fqn], False)
    tags = [MachineTag.derived(t) for t in derived if keep(t.tag)]
    _write(session, tenant, table_fqn, TABLE_FAMILIES, tags, by)
