from __future__ import annotations

import itertools

import pytest

from dataready.domain.enums import ApprovalStatus, RunStatus, TaskStatus
from dataready.domain.states import (
    RUN_TRANSITIONS,
    TASK_TRANSITIONS,
    check_approval_transition,
    check_run_transition,
    check_task_transition,
)
from dataready.errors import InvalidTransition


@pytest.mark.parametrize(("current", "target"), list(itertools.product(RunStatus, RunStatus)))
def test_run_transition_table_is_enforced(current: RunStatus, target: RunStatus) -> None:
    if target in RUN_TRANSITIONS[current]:
        assert check_run_transition(current.value, target) is target
    else:
        with pytest.raises(InvalidTransition, match=f"from '{current.value}'"):
            check_run_transition(current.value, target)


@pytest.mark.parametrize(("current", "target"), list(itertools.product(TaskStatus, TaskStatus)))
def test_task_transition_table_is_enforced(current: TaskStatus, target: TaskStatus) -> None:
    if target in TASK_TRANSITIONS[current]:
        assert check_task_transition(current.value, target) is target
    else:
        with pytest.raises(InvalidTransition):
            check_task_transition(current.value, target)


def test_finished_runs_never_move() -> None:
    for done in (RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.CANCELLED):
        for target in RunStatus:
            with pytest.raises(InvalidTransition, match="final"):
                check_run_transition(done.value, target)


def test_decided_approvals_are_final() -> None:
    with pytest.raises(InvalidTransition):
        check_approval_transition("approved", ApprovalStatus.REJECTED)
    assert check_approval_transition("pending", ApprovalStatus.APPROVED) is ApprovalStatus.APPROVED
