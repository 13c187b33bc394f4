"""A decision on one proposal racing the decision on its run, from real clients against a
live server: a rejection that answered 200 is never applied, and an approval that answered
200 applied exactly what was not rejected when it committed."""

from __future__ import annotations

from typing import Any

import httpx
from tests.api.conftest import assert_envelope
from tests.api.live import (
    LiveServer,
    admin,
    live_fixture,  # noqa: F401  (fixture)
    race,
    summary,
)
from tests.api.test_races_approvals import PROPOSALS, completed_runs

TRIALS = 12


def test_rejecting_a_proposal_while_the_run_is_approved(live: LiveServer) -> None:
    outcomes: dict[str, int] = {}
    for run_id in completed_runs(live, TRIALS):
        with live.client(admin()) as c:
            r = c.get(f"/workflows/runs/{run_id}/proposals")
            assert r.status_code == 200, r.text
            target = r.json()["items"][0]["id"]

        def reject(client: httpx.Client, run_id: str = run_id, target: str = target) -> Any:
            return client.patch(
                f"/workflows/runs/{run_id}/proposals/{target}", json={"decision": "rejected"}
            )

        def approve(client: httpx.Client, run_id: str = run_id) -> Any:
            return client.patch(f"/workflows/runs/{run_id}/approval", json={"action": "approve"})

        rejected, approved = race(live, [reject, approve])
        assert {rejected.status_code, approved.status_code} <= {200, 409}, summary(
            [rejected, approved]
        )
        for r in (rejected, approved):
            if r.status_code == 409:
                assert_envelope(r, 409, r.json()["error"]["code"])
        with live.client(admin()) as c:
            stored = c.get(f"/workflows/runs/{run_id}/approval").json()
            items = {
                i["id"]: i for i in c.get(f"/workflows/runs/{run_id}/proposals").json()["items"]
            }
        mine = items[target]
        if rejected.status_code == 200:
            assert mine["decision"] == "rejected"
            assert mine["status"] in ("proposed", "discarded")  # never applied
        if approved.status_code == 200:
            assert stored["status"] == "approved"
            applied = approved.json()["changes_applied"]["tags_applied"]
            assert applied == PROPOSALS - (mine["decision"] == "rejected")
            assert mine["status"] == ("discarded" if mine["decision"] == "rejected" else "applied")
        else:
            assert stored["status"] == "pending" and rejected.status_code == 200
        key = f"reject {rejected.status_code}, approve {approved.status_code}"
        outcomes[key] = outcomes.get(key, 0) + 1
    assert sum(outcomes.values()) == TRIALS, outcomes
