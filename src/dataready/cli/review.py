"""``dataready runs review RUN_ID``: a run's proposed changes as a table, and decisions on
them before the run is approved (``--accept``, ``--reject``, ``--accept-all``…).

Decisions are taken in one transaction, through the same service as
``PATCH /workflows/runs/{run_id}/proposals/{proposal_id}``; ``dataready runs approve`` then
applies every change not rejected.  Ids may be shortened to any unique prefix (the table
shows 8 characters).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import typer
from rich.markup import escape
from rich.table import Table

from dataready.cli.context import console, fail, local_engine, local_principal, print_json
from dataready.domain.enums import ProposalDecision
from dataready.errors import DatareadyError

if TYPE_CHECKING:  # the store and the engine load when a command runs (the CLI starts light)
    from sqlalchemy.orm import Session

    from dataready.domain.tenant import Principal
    from dataready.store import proposals as proposals_q
    from dataready.store.orm import Approval

SHORT_ID = 8
PAGE = 500
SHOWN_APPLIED = 20
"""Applied changes ``runs approve`` names one by one; the rest are counted."""


def all_changes(
    session: Session, principal: Principal, run_id: uuid.UUID
) -> list[proposals_q.ReviewedChange]:
    from dataready.store import proposals as proposals_q

    out: list[proposals_q.ReviewedChange] = []
    while True:
        page, total = proposals_q.list_changes(
            session, principal.tenant, run_id, limit=PAGE, offset=len(out)
        )
        out += page
        if not page or len(out) >= total:
            return out


def _resolve(prefixes: Sequence[str], changes: list[proposals_q.ReviewedChange]) -> list[uuid.UUID]:
    ids = [c.row.id for c in changes]
    out: list[uuid.UUID] = []
    for text in prefixes:
        key = text.strip().lower()
        matches = [i for i in ids if str(i).startswith(key)] if key else []
        if len(matches) != 1:
            why = "matches no proposal" if not matches else f"matches {len(matches)} proposals"
            raise fail(f"{text!r} {why} of this run; use more of the id shown in the table")
        out.append(matches[0])
    return out


def _state(doc: dict[str, Any] | None) -> str:
    if doc is None:
        return "absent"
    name = str(doc.get("tag") or doc.get("state") or "present")
    state = doc.get("state")
    confidence = doc.get("confidence")
    text = name if state in (None, "applied") or state == name else f"{name} ({state})"
    if isinstance(confidence, int | float):
        text += f" {confidence:.2f}"
    return text


def change_text(doc: dict[str, Any]) -> str:
    """``before → after`` of a change, for people."""
    if doc["subject"] is None and doc["before"] is None:
        return "new: " + ", ".join(f"{k}={v}" for k, v in (doc["after"] or {}).items())
    return f"{_state(doc['before'])} → {_state(doc['after'])}"


def change_documents(
    session: Session, principal: Principal, run_id: uuid.UUID, *, unmasked: bool
) -> list[dict[str, Any]]:
    from dataready.api.schemas.approvals import ProposalRead
    from dataready.workflows import review as review_service

    return [
        ProposalRead.model_validate(review_service.readable(c, unmasked=unmasked)).model_dump(
            mode="json"
        )
        for c in all_changes(session, principal, run_id)
    ]


def _summary_text(summary: dict[str, Any]) -> str:
    kinds = ", ".join(f"{k} {n}" for k, n in summary["by_kind"].items()) or "none"
    decided = ", ".join(f"{n} {d}" for d, n in summary["by_decision"].items() if n)
    return f"{summary['total']} proposed changes ({escape(kinds)}); {escape(decided or '-')}"


def print_review(approval: Approval, summary: dict[str, Any], docs: list[dict[str, Any]]) -> None:
    table = Table(
        "id",
        "kind",
        "asset",
        "before → after",
        "confidence",
        "decision",
        "status",
        title=f"run {approval.workflow_run_id}: approval {escape(approval.status)}",
        caption=_summary_text(summary),
    )
    for d in docs:
        confidence = d["confidence"]
        table.add_row(
            d["id"][:SHORT_ID],
            escape(d["kind"]),
            escape(d["asset_fqn"] or ""),
            escape(change_text(d)),
            f"{confidence:.2f}" if isinstance(confidence, int | float) else "",
            escape(d["decision"]),
            escape(d["status"]),
        )
    console.print(table)
    if approval.status == "pending":
        console.print(
            f"decide with --accept/--reject ID…, then `dataready runs approve "
            f"{approval.workflow_run_id}` applies every change not rejected",
            highlight=False,
        )


def review(
    run_id: str = typer.Argument(
        ..., help="The run whose proposals to review (its id, or an unambiguous prefix)."
    ),
    accept: list[str] = typer.Option([], "--accept", help="Accept a proposal (id or prefix)."),
    reject: list[str] = typer.Option([], "--reject", help="Reject a proposal (id or prefix)."),
    undecide: list[str] = typer.Option(
        [], "--pending", help="Withdraw the decision on a proposal (id or prefix)."
    ),
    accept_all: bool = typer.Option(False, "--accept-all", help="Accept every undecided one."),
    reject_all: bool = typer.Option(False, "--reject-all", help="Reject every undecided one."),
    as_json: bool = typer.Option(False, "--json", help="Print the proposals as JSON."),
) -> None:
    """Show a run's proposed changes (kind, asset, before → after, confidence, decision) and
    accept or reject them before the run is approved."""
    from dataready.store import approvals as approvals_q
    from dataready.store import proposals as proposals_q
    from dataready.workflows import review as review_service
    from dataready.workflows.profile_access import may_unmask

    if accept_all and reject_all:
        raise fail("--accept-all and --reject-all cannot both be given")
    from dataready.cli.runs import resolve_run_id

    try:
        with local_engine(executor=False) as engine, engine.store.session() as s:
            principal = local_principal(engine.settings)
            rid = resolve_run_id(s, principal.tenant, run_id)
            approval = approvals_q.get_approval(s, principal.tenant, rid)
            review_service.ensure_recorded(s, principal.tenant, rid)
            changes = all_changes(s, principal, rid)
            wanted: list[tuple[uuid.UUID, ProposalDecision]] = []
            for prefixes, decision in (
                (accept, ProposalDecision.ACCEPTED),
                (reject, ProposalDecision.REJECTED),
                (undecide, ProposalDecision.PENDING),
            ):
                wanted += [(i, decision) for i in _resolve(prefixes, changes)]
            named = {i for i, _ in wanted}
            if len(named) != len(wanted):
                raise fail("a proposal is named more than once; give each one decision")
            if accept_all or reject_all:
                everyone = ProposalDecision.ACCEPTED if accept_all else ProposalDecision.REJECTED
                wanted += [
                    (c.row.id, everyone)
                    for c in changes
                    if c.row.decision == ProposalDecision.PENDING and c.row.id not in named
                ]
            for change_id, decision in wanted:
                review_service.decide_change(s, principal, rid, change_id, decision)
            s.commit()
            unmasked = may_unmask(principal, engine.settings)
            docs = change_documents(s, principal, rid, unmasked=unmasked)
            summary = proposals_q.summary(s, rid)
            s.refresh(approval)
    except DatareadyError as exc:
        raise fail(exc) from None
    if as_json:
        print_json({"approval": approval.status, "proposals_summary": summary, "items": docs})
        return
    print_review(approval, summary, docs)


def decision_document(session: Session, principal: Principal, approval: Approval) -> dict[str, Any]:
    """What ``runs approve`` / ``runs reject`` print: counts and names, no id lists."""
    from dataready.store import proposals as proposals_q

    changes = all_changes(session, principal, approval.workflow_run_id)
    done = [c for c in changes if c.status == "applied"]
    counts = {k: v for k, v in (approval.changes_applied or {}).items() if not isinstance(v, list)}
    return {
        "workflow_run_id": str(approval.workflow_run_id),
        "status": approval.status,
        "notes": approval.notes,
        "changes_applied": counts,
        "proposals_summary": proposals_q.summary(session, approval.workflow_run_id),
        "applied": [
            f"{c.row.kind} {c.row.asset_fqn or ''} {c.row.subject or ''}".strip()
            for c in done[:SHOWN_APPLIED]
        ],
        "applied_not_shown": max(0, len(done) - SHOWN_APPLIED),
    }
