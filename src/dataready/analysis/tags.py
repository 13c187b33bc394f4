"""Tag proposals: what a classifier suggests, with the evidence and whether it is applied.

Every classifier in ``analysis`` (PII, sensitivity, data quality) returns ``TagProposal``
objects.  They are pure values: the workflows layer turns them into stored proposals that a
person approves or rejects.  ``evidence`` holds only figures and names (tokens, patterns,
shares, counts) and at most a masked example, never a raw sample value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class TagProposal:
    """One tag suggested for a column or table.

    Attributes:
        tag: The fully qualified tag name, e.g. ``PII.Email`` or ``DQ.HighNullRate``.
        confidence: How sure the classifier is, in [0, 1].
        evidence: The signals behind the proposal (JSON-serialisable, no raw values).
        applied: Whether the proposal clears the threshold and should be applied.
    """

    tag: str
    confidence: float
    evidence: dict[str, Any] = field(default_factory=dict)
    applied: bool = True

    @property
    def classification(self) -> str:
        """The tag's classification (the part before the first dot), e.g. ``PII``."""
        return self.tag.split(".", 1)[0]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of the proposal."""
        return {
            "tag": self.tag,
            "confidence": round(self.confidence, 4),
            "evidence": self.evidence,
            "applied": self.applied,
        }
