"""The reviewer of ``machine-tags`` proposals: a table's tag set, split into tag changes.

A ``machine-tags`` proposal is the complete set of tags of some families for a table and
its columns; applying it adds the new tags and withdraws the machine tags whose evidence is
gone (:func:`dataready.workflows.tagging.apply_machine_tags`).  A person reviews it as
``tag-add`` (absent or withdrawn → applied) and ``tag-remove`` (applied → withdrawn)
changes.  Tags that stay (a machine tag confirmed) and tags a person decided on (never
overturned) are not changes and are not listed.

Rejecting a ``tag-add`` drops the tag from the set; rejecting a ``tag-remove`` keeps the
stored tag in the set as it is, so the sync leaves it applied.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from dataready.domain.proposals import ChangeSpec
from dataready.domain.tenant import Tenant
from dataready.store import proposals as proposals_q
from dataready.store.orm import Proposal, ProposalChange

TAG_ADD = "tag-add"
TAG_REMOVE = "tag-remove"
MACHINE = "machine"
PERSON = "person"
APPLIED = "applied"
WITHDRAWN = "withdrawn"


def _tag_state(tag: str, state: str, confidence: float | None) -> dict[str, Any]:
    return {"tag": tag, "state": state, "confidence": confidence}


class MachineTagsReviewer:
    def changes(
        self, session: Session, tenant: Tenant, proposals: list[Proposal]
    ) -> list[tuple[Proposal, ChangeSpec]]:
        fqns: set[str] = set()
        for p in proposals:
            fqns.update(p.payload.get("assets") or [])
            fqns.update(t["asset_fqn"] for t in p.payload.get("tags") or [])
        known = proposals_q.catalogued(session, tenant, fqns)
        existing = proposals_q.current_tags(session, tenant, fqns)
        out: list[tuple[Proposal, ChangeSpec]] = []
        for p in proposals:
            assets = set(p.payload.get("assets") or [])
            families = tuple(p.payload.get("families") or [])
            wanted: dict[tuple[str, str], dict[str, Any]] = {}
            for t in p.payload.get("tags") or []:
                if t["asset_fqn"] in known:
                    wanted[(t["asset_fqn"], t["tag"])] = t
            for key, want in wanted.items():
                prior = existing.get(key)
                if prior is not None and (prior.source == PERSON or prior.state == APPLIED):
                    continue  # a person's decision, or a machine tag that stays
                confidence = want.get("confidence")
                before = (
                    None if prior is None else _tag_state(key[1], prior.state, prior.confidence)
                )
                spec = ChangeSpec(
                    kind=TAG_ADD,
                    asset_fqn=key[0],
                    subject=key[1],
                    before=before,
                    after=_tag_state(key[1], APPLIED, confidence),
                    confidence=confidence,
                    evidence=dict(want.get("evidence") or {}),
                )
                out.append((p, spec))
            for key, prior in sorted(existing.items()):
                if key in wanted or key[0] not in assets or prior.source != MACHINE:
                    continue
                if prior.state != APPLIED or not key[1].startswith(families):
                    continue
                spec = ChangeSpec(
                    kind=TAG_REMOVE,
                    asset_fqn=key[0],
                    subject=key[1],
                    before=_tag_state(key[1], APPLIED, prior.confidence),
                    after=_tag_state(key[1], WITHDRAWN, None),
                    confidence=prior.confidence,
                    evidence={**(prior.evidence or {}), "withdrawn": "evidence no longer found"},
                )
                out.append((p, spec))
        return out

    def narrow(
        self,
        session: Session,
        tenant: Tenant,
        proposal: Proposal,
        rejected: list[ProposalChange],
    ) -> dict[str, Any] | None:
        payload = dict(proposal.payload)
        no_add = {(c.asset_fqn, c.subject) for c in rejected if c.kind == TAG_ADD}
        keep = {(c.asset_fqn, c.subject) for c in rejected if c.kind == TAG_REMOVE}
        tags = [t for t in payload.get("tags") or [] if (t["asset_fqn"], t["tag"]) not in no_add]
        stored = proposals_q.current_tags(session, tenant, {str(a) for a, _ in keep})
        for key in sorted(k for k in keep if k[0] is not None and k[1] is not None):
            prior = stored.get((str(key[0]), str(key[1])))
            if prior is None or prior.source != MACHINE or prior.state != APPLIED:
                continue  # gone or decided by a person since: nothing to keep
            tags.append(
                {
                    "asset_fqn": key[0],
                    "tag": key[1],
                    "confidence": prior.confidence,
                    "evidence": dict(prior.evidence or {}),
                }
            )
        payload["tags"] = tags
        return payload
