"""The run engine end to end on a real store: fan-out, failure, retry, cancel, DAG, approval."""

from __future__ import annotations

import time

import pytest
from tests.workflows.conftest import PRINCIPAL, TENANT, StartRun, wait_for
from tests.workflows.fakes import APPLIED

from dataready.domain.enums import ApprovalAction, RunStatus, TaskStatus
from dataready.errors import InvalidTransition, UnknownName
from dataready.store import approvals as approvals_q
from dataready.store import runs as runs_q
from dataready.workflows.approval import decide
from dataready.workflows.engine import Engine
from dataready.workflows.registry import get_workflow


def test_fan_out_run_completes_with_tasks_and_rollup(engine: Engine, start: StartRun) -> None:
    run_id = start("test-fanout", n=5)
    run = wait_for(engine, run_id)
    assert run.status == RunStatus.COMPLETED
    assert run.error_message is None
    assert run.output == {
        "items": 5,
        "weight": 10,
        "tasks_total": 5,
        "tasks_failed": 0,
        "tags_applied": 5,
    }
    assert [t.name for t in run.tasks] == [f"item-{i}" for i in range(5)]
    for t in run.tasks:
        assert t.status == TaskStatus.COMPLETED
        assert t.attempt == 1
        assert t.started_at is not None and t.completed_at is not None
        assert t.duration_seconds is not None and t.duration_seconds >= 0
        assert t.output == {"items": 1, "weight": t.params["i"]}
    assert run.duration_seconds is not None and run.duration_seconds >= 0
    assert run.completed_at is not None and run.started_at is not None
    assert run.progress_done == 5 and run.progress_total == 5
    # no approval required: applied at once and recorded as auto-saved
    with engine.store.session() as s:
        appr = approvals_q.get_approval(s, TENANT, run_id)
        assert appr.auto_saved is True and appr.status == "approved"
        assert appr.changes_applied is not None
        assert appr.changes_applied["tags_applied"] == 5
    assert len([a for a in APPLIED if a["run_id"] == str(run_id)]) == 5


def test_partial_failure_completes_and_counts_failures(engine: Engine, start: StartRun) -> None:
    run = wait_for(engine, start("test-fanout", n=4, fail_on=[1, 3]))
    assert run.status == RunStatus.COMPLETED
    assert run.output is not None and run.output["tasks_failed"] == 2
    assert run.output["items"] == 2
    assert run.error_message is not None and "2 of 4 tasks failed" in run.error_message
    failed = [t for t in run.tasks if t.status == TaskStatus.FAILED]
    assert {t.name for t in failed} == {"item-1", "item-3"}
    assert all(t.attempt == 1 and "is broken" in (t.error_message or "") for t in failed)


def test_all_tasks_failing_fails_the_run(engine: Engine, start: StartRun) -> None:
    run = wait_for(engine, start("test-fanout", n=2, fail_on=[0, 1]))
    assert run.status == RunStatus.FAILED
    assert run.error_message is not None and "2 of 2 tasks failed" in run.error_message
    with engine.store.session() as s, pytest.raises(Exception, match="no approval"):
        approvals_q.get_approval(s, TENANT, run.id)


def test_transient_errors_are_retried_with_backoff(engine: Engine, start: StartRun) -> None:
    run = wait_for(engine, start("test-flaky", failures=2))
    assert run.status == RunStatus.COMPLETED
    (task,) = run.tasks
    assert task.status == TaskStatus.COMPLETED
    assert task.attempt == 3
    assert task.output == {"attempts_seen": 3}


def test_transient_errors_give_up_after_max_attempts(engine: Engine, start: StartRun) -> None:
    run = wait_for(engine, start("test-flaky", failures=10))
    (task,) = run.tasks
    assert task.status == TaskStatus.FAILED
    assert task.attempt == engine.settings.executor.max_attempts
    assert "gave up after 3 attempts" in (task.error_message or "")
    assert run.status == RunStatus.FAILED


def test_terminal_errors_are_not_retried(engine: Engine, start: StartRun) -> None:
    run = wait_for(engine, start("test-flaky", terminal=True))
    (task,) = run.tasks
    assert task.status == TaskStatus.FAILED
    assert task.attempt == 1
    assert task.error_code == "TASK_FAILED"


def test_failed_dependency_skips_dependants(engine: Engine, start: StartRun) -> None:
    run = wait_for(engine, start("test-chain", fail="a"))
    states = {t.name: t.status for t in run.tasks}
    assert states == {"a": "failed", "b": "skipped", "c": "skipped", "d": "completed"}
    assert run.status == RunStatus.COMPLETED
    assert run.output is not None and run.output["tasks_skipped"] == 2


def test_cancel_reaches_a_running_run_within_seconds(engine: Engine, start: StartRun) -> None:
    from dataready.workflows.service import cancel_run

    run_id = start("test-slow", seconds=60)
    wait_for(engine, run_id, states=(RunStatus.RUNNING,))
    time.sleep(0.3)
    with engine.store.session() as s:
        run = runs_q.get_run(s, TENANT, run_id)
        cancel_run(s, PRINCIPAL, run.configuration_id, run_id)
    engine.cancel(run_id)
    t0 = time.monotonic()
    assert engine.executor.wait_idle(timeout=5)  # type: ignore[attr-defined]
    assert time.monotonic() - t0 < 5
    run = wait_for(engine, run_id)
    assert run.status == RunStatus.CANCELLED
    assert run.cancelled_at is not None
    assert {t.status for t in run.tasks} == {TaskStatus.CANCELLED}


def test_cancel_noticed_from_the_store_alone(engine: Engine, start: StartRun) -> None:
    """Another process cancels through the store: no in-memory signal reaches the runner."""
    from dataready.workflows.service import cancel_run

    run_id = start("test-slow", seconds=60)
    wait_for(engine, run_id, states=(RunStatus.RUNNING,))
    with engine.store.session() as s:
        run = runs_q.get_run(s, TENANT, run_id)
        cancel_run(s, PRINCIPAL, run.configuration_id, run_id)
    assert engine.executor.wait_idle(timeout=5)  # type: ignore[attr-defined]
    assert wait_for(engine, run_id).status == RunStatus.CANCELLED


def test_cancel_of_a_finished_run_is_refused(engine: Engine, start: StartRun) -> None:
    from dataready.errors import Conflict
    from dataready.workflows.service import cancel_run

    run = wait_for(engine, start("test-fanout", n=1))
    with engine.store.session() as s, pytest.raises(Conflict, match="already finished"):
        cancel_run(s, PRINCIPAL, run.configuration_id, run.id)


def test_approval_keeps_proposals_until_approved(engine: Engine, start: StartRun) -> None:
    run_id = start("test-fanout", n=3, requires_approval=True)
    run = wait_for(engine, run_id)
    assert run.status == RunStatus.COMPLETED
    assert "tags_applied" not in (run.output or {})
    assert not [a for a in APPLIED if a["run_id"] == str(run_id)]
    with engine.store.session() as s:
        appr = approvals_q.get_approval(s, TENANT, run_id)
        assert appr.status == "pending" and appr.auto_saved is False
        appr = decide(s, PRINCIPAL, run_id, ApprovalAction.APPROVE, "looks right")
        assert appr.changes_applied is not None
        assert appr.changes_applied["tags_applied"] == 3
        assert len(appr.changes_applied["tag_ids"]) == 3
    assert len([a for a in APPLIED if a["run_id"] == str(run_id)]) == 3
    with engine.store.session() as s:
        assert runs_q.get_run(s, TENANT, run_id).output["tags_applied"] == 3  # type: ignore[index]
        with pytest.raises(InvalidTransition):
            decide(s, PRINCIPAL, run_id, ApprovalAction.REJECT, None)


def test_reject_discards_proposals(engine: Engine, start: StartRun) -> None:
    run_id = start("test-fanout", n=2, requires_approval=True)
    wait_for(engine, run_id)
    with engine.store.session() as s:
        appr = decide(s, PRINCIPAL, run_id, ApprovalAction.REJECT, "wrong tags")
        assert appr.status == "rejected"
        assert appr.changes_applied == {"proposals_discarded": 2}
        assert approvals_q.open_proposals(s, run_id) == []
    assert not [a for a in APPLIED if a["run_id"] == str(run_id)]


def test_save_all_applies_at_once(engine: Engine, start: StartRun) -> None:
    run_id = start("test-fanout", n=2, requires_approval=True, save_all=True)
    wait_for(engine, run_id)
    with engine.store.session() as s:
        appr = approvals_q.get_approval(s, TENANT, run_id)
        assert appr.auto_saved is True and appr.status == "approved"
    assert len([a for a in APPLIED if a["run_id"] == str(run_id)]) == 2


def test_unknown_workflow_type_lists_known_ones(fakes: None) -> None:
    with pytest.raises(UnknownName, match="test-fanout"):
        get_workflow("no-such-type")


def test_many_runs_share_a_bounded_pool(engine: Engine, start: StartRun) -> None:
    ids = [start("test-fanout", n=3) for _ in range(10)]
    for run_id in ids:
        assert wait_for(engine, run_id).status == RunStatus.COMPLETED
