"""Proposed changes: stable ids, what happened to them, and evidence without values."""

from __future__ import annotations

import uuid

from dataready.domain.proposals import change_id, outcome, without_values


def test_change_ids_are_stable_and_distinct() -> None:
    p, q = uuid.uuid4(), uuid.uuid4()
    assert change_id(p, "s.d.sc.t.c", "PII.Email") == change_id(p, "s.d.sc.t.c", "PII.Email")
    ids = {
        change_id(p, "s.d.sc.t.c", "PII.Email"),
        change_id(p, "s.d.sc.t.c", "PII.Phone"),
        change_id(p, "s.d.sc.t.d", "PII.Email"),
        change_id(q, "s.d.sc.t.c", "PII.Email"),
        change_id(p, None, None),
    }
    assert len(ids) == 5


def test_a_rejected_change_is_never_applied() -> None:
    assert outcome("applied", "rejected") == "discarded"
    assert outcome("applied", "accepted") == outcome("applied", "pending") == "applied"
    assert outcome("proposed", "rejected") == "proposed"
    assert outcome("obsolete", "accepted") == "obsolete"


def test_evidence_loses_values_at_any_depth() -> None:
    evidence = {
        "method": "values",
        "values": {"pattern": "email", "matched_share": 0.98, "masked_example": "a***@x.org"},
        "profile": [{"top_values": [{"value": "anna", "count": 3}], "distinct_count": 40}],
        "min": "aaron",
    }
    assert without_values(evidence) == {
        "method": "values",
        "values": {"pattern": "email", "matched_share": 0.98},
        "profile": [{"distinct_count": 40}],
    }
    assert without_values(None) is None
