"""Proposed changes as a person reviews them: pure types and rules, no store."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dataready.domain.enums import ProposalDecision

PROPOSED = "proposed"
APPLIED = "applied"
DISCARDED = "discarded"


@dataclass(frozen=True)
class ChangeSpec:
    """One change a stored proposal makes, with what it changes from and to.

    ``subject`` names what changes on the asset (a tag's name); with the proposal it makes
    the change's id (:func:`change_id`), so listing the same proposal twice gives the same
    ids.  ``before`` is ``None`` when the thing is absent, ``after`` when it goes away.
    """

    kind: str
    asset_fqn: str | None
    subject: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    confidence: float | None = None
    evidence: dict[str, Any] = field(default_factory=dict)


def change_id(proposal_id: uuid.UUID, asset_fqn: str | None, subject: str | None) -> uuid.UUID:
    """The stable id of one change of one proposal."""
    return uuid.uuid5(proposal_id, f"{asset_fqn or ''}\x00{subject or ''}")


def outcome(proposal_status: str, decision: str) -> str:
    """What happened to a change: its proposal's fate, except that a rejected one is never
    applied (``proposed`` | ``applied`` | ``discarded`` | ``obsolete``)."""
    if proposal_status == APPLIED and decision == ProposalDecision.REJECTED:
        return DISCARDED
    return proposal_status


VALUE_KEYS = frozenset(
    {"masked_example", "example", "examples", "top_values", "sample_values", "min", "max", "mode"}
)
"""Keys of evidence (and of a change's before/after) that may hold values from the data."""


def without_values(doc: Any) -> Any:
    """``doc`` with every key that may hold data values removed, at any depth.

    What a reader below the unmasked role sees of a proposal's evidence: the figures that
    justify it (shares, counts, patterns) but no value, masked or not.
    """
    if isinstance(doc, Mapping):
        return {k: without_values(v) for k, v in doc.items() if k not in VALUE_KEYS}
    if isinstance(doc, list):
        return [without_values(v) for v in doc]
    return doc
