"""Concurrent decisions on one approval, from real clients against a live server.

The contract: the first decision wins, the others answer 409, and what the approval says
(its status, ``changes_applied``) is what happened to the proposals.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
from sqlalchemy import select
from tests.api.conftest import PII_DEFINITION, TERMINAL, assert_envelope
from tests.api.live import (
    LiveServer,
    admin,
    live_fixture,  # noqa: F401  (fixture)
    new_configuration,
    race,
    summary,
)

from dataready.store.orm import Proposal

TRIALS = 20
PROPOSALS = 3


def completed_runs(server: LiveServer, count: int) -> list[str]:
    """``count`` completed runs whose approvals are pending (3 proposals each)."""
    with server.client(admin()) as c:
        cid = new_configuration(c, PII_DEFINITION)
        ids = []
        for _ in range(count):
            r = c.post(
                f"/workflows/{cid}/runs",
                json={"asset_fqn": "pg.sales.public.orders", "parameters": {"n": PROPOSALS}},
            )
            assert r.status_code == 201, r.text
            ids.append(r.json()["id"])
        deadline = time.monotonic() + 60
        for rid in ids:
            while (doc := c.get(f"/workflows/{cid}/runs/{rid}").json())["status"] not in TERMINAL:
                assert time.monotonic() < deadline, f"run {rid} still {doc['status']}"
                time.sleep(0.05)
            assert doc["status"] == "completed", doc
    return ids


def proposal_states(server: LiveServer, run_id: str) -> set[str]:
    with server.engine.store.session() as s:
        rows = s.scalars(select(Proposal.status).where(Proposal.run_id == uuid.UUID(run_id)))
        return set(rows)


def decide(action: str, notes: str | None = None) -> Any:
    def call(client: httpx.Client, run_id: str) -> httpx.Response:
        body = {"action": action, **({"notes": notes} if notes else {})}
        return client.patch(f"/workflows/runs/{run_id}/approval", json=body)

    return call


def check_consistent(server: LiveServer, run_id: str, winner: dict[str, Any]) -> None:
    """The stored approval is the winner's answer, and the proposals went its way."""
    with server.client(admin()) as c:
        stored = c.get(f"/workflows/runs/{run_id}/approval").json()
    assert stored["status"] == winner["status"]
    assert stored["updated_at"] == winner["updated_at"]
    states = proposal_states(server, run_id)
    if winner["status"] == "approved":
        assert states == {"applied"}
        assert winner["changes_applied"]["tags_applied"] == PROPOSALS
        assert stored["approved_at"] is not None
    else:
        assert states == {"discarded"}
        assert winner["changes_applied"] == {"proposals_discarded": PROPOSALS}


def test_concurrent_approve_and_reject_one_wins(live: LiveServer) -> None:
    """Two approves and two rejects at once: exactly one 200, the rest 409; state agrees."""
    actions = ["approve", "reject", "approve", "reject"]
    winners: dict[str, int] = {}
    for run_id in completed_runs(live, TRIALS):
        calls = [lambda c, a=a, r=run_id: decide(a, f"by {a}")(c, r) for a in actions]
        answers = race(live, calls)
        statuses = sorted(r.status_code for r in answers)
        assert statuses == [200, 409, 409, 409], summary(answers)
        for r in answers:
            if r.status_code == 409:
                assert_envelope(r, 409, r.json()["error"]["code"])
                assert r.json()["error"]["code"] in ("INVALID_STATE_TRANSITION", "CONFLICT")
        winner = next(r.json() for r in answers if r.status_code == 200)
        action = actions[[r.status_code for r in answers].index(200)]
        assert winner["status"] == {"approve": "approved", "reject": "rejected"}[action]
        assert winner["notes"] == f"by {action}"
        check_consistent(live, run_id, winner)
        winners[winner["status"]] = winners.get(winner["status"], 0) + 1
        # a decision is final: re-marking it pending would contradict what was applied
        with live.client(admin()) as c:
            assert_envelope(decide("pending")(c, run_id), 409, "INVALID_STATE_TRANSITION")
        check_consistent(live, run_id, winner)
    assert sum(winners.values()) == TRIALS


def test_concurrent_re_mark_pending_never_contradicts(live: LiveServer) -> None:
    """``pending`` racing ``approve`` and ``reject``: at most one final decision, never both.

    A ``pending`` that lands first is an earlier decision (the others either follow it or
    answer 409 for having decided on what they read before it); one that lands after the
    approval is refused: an applied change is not taken back by re-marking it pending.
    """
    actions = ["pending", "approve", "reject"]
    for run_id in completed_runs(live, TRIALS):
        calls = [lambda c, a=a, r=run_id: decide(a)(c, r) for a in actions]
        answers = race(live, calls)
        assert all(r.status_code in (200, 409) for r in answers), summary(answers)
        final = [r.json() for r in answers[1:] if r.status_code == 200]
        assert len(final) <= 1, summary(answers)
        if final:
            check_consistent(live, run_id, final[0])
        else:
            assert answers[0].status_code == 200, summary(answers)
            with live.client(admin()) as c:
                stored = c.get(f"/workflows/runs/{run_id}/approval").json()
            assert stored["status"] == "pending"
            assert proposal_states(live, run_id) == {"proposed"}
        if answers[0].status_code == 200:
            assert answers[0].json()["status"] == "pending"
