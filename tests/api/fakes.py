"""Test-only implementations registered over real workflow types for the API tests.

They do real work against the real store — plan tasks, propose results, apply them through a
registered applier — so runs go through the API, the engine and the approval flow end to end.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from dataready.store.orm import Proposal, WorkflowRun
from dataready.workflows.base import RunContext, TaskSpec, Workflow

PROPOSAL_KIND = "api-test-tag"


class FakeTagging(Workflow):
    """Plans ``n`` tasks (parameter, default 3); each proposes one tag."""

    workflow_type = "generate-pii-tags"

    def plan(self, ctx: RunContext) -> list[TaskSpec]:
        n = int(ctx.parameters.get("n", 3))
        target = str(ctx.asset_fqn) if ctx.asset_fqn else "svc.db.s.t"
        return [TaskSpec(f"column-{i}", "tag", f"{target}.c{i}", {"i": i}) for i in range(n)]

    def run_task(self, ctx: RunContext, task: TaskSpec) -> dict[str, Any]:
        ctx.progress()
        ctx.propose(PROPOSAL_KIND, task.asset_fqn, {"tag": "PII.Email", "i": task.params["i"]})
        return {"columns_scanned": 1}


class FakeProfiling(FakeTagging):
    workflow_type = "profiling"


class SlowWorkflow(Workflow):
    """Loops with ``ctx.sleep`` until cancelled (or ``seconds`` pass, default 20)."""

    workflow_type = "dq-execution"

    def plan(self, ctx: RunContext) -> list[TaskSpec]:
        return [TaskSpec("slow-1", "sleep"), TaskSpec("slow-2", "sleep", depends_on=["slow-1"])]

    def run_task(self, ctx: RunContext, task: TaskSpec) -> dict[str, Any]:
        seconds = float(ctx.parameters.get("seconds", 20))
        step = 0.05
        waited = 0.0
        while waited < seconds:
            ctx.sleep(step)
            waited += step
        return {"slept": 1}


def apply_tags(session: Session, run: WorkflowRun, proposals: list[Proposal]) -> dict[str, Any]:
    """The applier of :data:`PROPOSAL_KIND`: counts and ids of what it applied."""
    return {"tags_applied": len(proposals), "tag_ids": [str(p.id) for p in proposals]}
