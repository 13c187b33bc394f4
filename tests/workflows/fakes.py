"""Test-only workflow types that exercise the engine: fan-out, failure, retry, cancel, DAG.

They do real work against the real store (proposals, task outputs); nothing is mocked.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from typing import Any

from sqlalchemy.orm import Session

from dataready.errors import TaskFailed, TransientTaskError
from dataready.store.orm import Proposal, WorkflowRun
from dataready.workflows import approval, registry
from dataready.workflows.base import RunContext, TaskSpec, Workflow

APPLIED: list[dict[str, Any]] = []
_attempts: dict[str, int] = defaultdict(int)
_lock = threading.Lock()


class FanOut(Workflow):
    """One task per item; each proposes a tag."""

    workflow_type = "test-fanout"

    def plan(self, ctx: RunContext) -> list[TaskSpec]:
        n = int(ctx.parameters.get("n", ctx.config.get("n", 3)))
        return [TaskSpec(f"item-{i}", "count", params={"i": i}) for i in range(n)]

    def run_task(self, ctx: RunContext, task: TaskSpec) -> dict[str, Any]:
        ctx.progress()
        ctx.propose("test-tag", f"svc.db.s.t{task.params['i']}", {"tag": "PII.Email"})
        fail_on = ctx.parameters.get("fail_on", [])
        if task.params["i"] in fail_on:
            raise TaskFailed(f"item {task.params['i']} is broken")
        return {"items": 1, "weight": task.params["i"]}


class Flaky(Workflow):
    """Fails transiently ``failures`` times, then succeeds; ``terminal`` fails for good."""

    workflow_type = "test-flaky"

    def plan(self, ctx: RunContext) -> list[TaskSpec]:
        return [TaskSpec("flaky", "flaky")]

    def run_task(self, ctx: RunContext, task: TaskSpec) -> dict[str, Any]:
        if ctx.parameters.get("terminal"):
            raise TaskFailed("bad configuration: nothing to retry")
        key = str(ctx.run_id)
        with _lock:
            _attempts[key] += 1
            seen = _attempts[key]
        if seen <= int(ctx.parameters.get("failures", 2)):
            raise TransientTaskError(f"server busy (attempt {seen})")
        return {"attempts_seen": seen}


class Slow(Workflow):
    """Loops cooperatively until cancelled (or ``seconds`` pass)."""

    workflow_type = "test-slow"

    def plan(self, ctx: RunContext) -> list[TaskSpec]:
        return [TaskSpec("slow-1", "sleep"), TaskSpec("slow-2", "sleep", depends_on=["slow-1"])]

    def run_task(self, ctx: RunContext, task: TaskSpec) -> dict[str, Any]:
        seconds = float(ctx.parameters.get("seconds", 60))
        ctx.sleep(seconds)
        return {"slept": 1}


class Chain(Workflow):
    """a -> b -> c, and d independent; ``fail`` names a task that fails."""

    workflow_type = "test-chain"

    def plan(self, ctx: RunContext) -> list[TaskSpec]:
        return [
            TaskSpec("a", "step"),
            TaskSpec("b", "step", depends_on=["a"]),
            TaskSpec("c", "step", depends_on=["b"]),
            TaskSpec("d", "step"),
        ]

    def run_task(self, ctx: RunContext, task: TaskSpec) -> dict[str, Any]:
        if task.name == ctx.parameters.get("fail"):
            raise TaskFailed(f"step {task.name} failed")
        return {"steps": 1}


GATE = threading.Event()
"""Opens the ``wait`` task of :class:`Resumable` (tests set it)."""
EXECUTIONS: list[tuple[str, str, int]] = []
"""(run id, task name, thread id) of every :class:`Resumable` task execution that started."""


class Resumable(Workflow):
    """prepare -> wait -> report; ``wait`` holds until :data:`GATE` opens.

    ``stubborn``: ``wait`` ignores every stop signal (as a statement that cannot be
    interrupted would) instead of waiting through ``ctx.sleep``.  Each task proposes one tag
    at its end, so duplicated results show as duplicated proposals.
    """

    workflow_type = "test-resumable"

    def plan(self, ctx: RunContext) -> list[TaskSpec]:
        return [
            TaskSpec("prepare", "step"),
            TaskSpec("wait", "step", depends_on=["prepare"]),
            TaskSpec("report", "step", depends_on=["wait"]),
        ]

    def run_task(self, ctx: RunContext, task: TaskSpec) -> dict[str, Any]:
        with _lock:
            EXECUTIONS.append((str(ctx.run_id), task.name, threading.get_ident()))
        if task.name == "wait":
            while not GATE.is_set():
                if ctx.parameters.get("stubborn"):
                    time.sleep(0.02)
                else:
                    ctx.sleep(0.02)
        ctx.propose("test-tag", f"svc.db.s.{task.name}", {"tag": "PII.Email"})
        return {"steps": 1}


def executions(run_id: object, task: str) -> int:
    with _lock:
        return sum(1 for r, t, _ in EXECUTIONS if r == str(run_id) and t == task)


def apply_test_tags(
    session: Session, run: WorkflowRun, proposals: list[Proposal]
) -> dict[str, Any]:
    for p in proposals:
        APPLIED.append({"run_id": str(run.id), "asset_fqn": p.asset_fqn, **p.payload})
    return {"tags_applied": len(proposals), "tag_ids": [str(p.id) for p in proposals]}


FAKES: list[type[Workflow]] = [FanOut, Flaky, Slow, Chain, Resumable]


def register_fakes() -> None:
    for cls in FAKES:
        registry.register_workflow(cls.workflow_type, cls, replace=True)
    approval.register_applier("test-tag", apply_test_tags, replace=True)


def unregister_fakes() -> None:
    for cls in FAKES:
        registry.unregister_workflow(cls.workflow_type)
    approval.unregister_applier("test-tag")
    APPLIED.clear()
    EXECUTIONS.clear()
    GATE.clear()
