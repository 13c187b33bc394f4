"""State machines of runs, tasks and approvals: transition tables, illegal moves raise."""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from dataready.domain.enums import ApprovalStatus, RunStatus, TaskStatus
from dataready.errors import InvalidTransition

E = TypeVar("E", bound=StrEnum)

RUN_TRANSITIONS: dict[RunStatus, frozenset[RunStatus]] = {
    RunStatus.PENDING: frozenset({RunStatus.RUNNING, RunStatus.CANCELLED, RunStatus.FAILED}),
    # running -> pending: a worker shutting down hands the run back for another to resume
    RunStatus.RUNNING: frozenset(
        {RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.CANCELLED, RunStatus.PENDING}
    ),
    RunStatus.COMPLETED: frozenset(),
    RunStatus.FAILED: frozenset(),
    RunStatus.CANCELLED: frozenset(),
}

TASK_TRANSITIONS: dict[TaskStatus, frozenset[TaskStatus]] = {
    TaskStatus.PENDING: frozenset(
        {TaskStatus.RUNNING, TaskStatus.CANCELLED, TaskStatus.SKIPPED, TaskStatus.FAILED}
    ),
    # running -> pending is a retry after a transient error
    TaskStatus.RUNNING: frozenset(
        {TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.CANCELLED, TaskStatus.PENDING}
    ),
    TaskStatus.COMPLETED: frozenset(),
    TaskStatus.FAILED: frozenset(),
    TaskStatus.CANCELLED: frozenset(),
    TaskStatus.SKIPPED: frozenset(),
}

APPROVAL_TRANSITIONS: dict[ApprovalStatus, frozenset[ApprovalStatus]] = {
    ApprovalStatus.PENDING: frozenset(
        {ApprovalStatus.PENDING, ApprovalStatus.APPROVED, ApprovalStatus.REJECTED}
    ),
    ApprovalStatus.APPROVED: frozenset(),
    ApprovalStatus.REJECTED: frozenset(),
}

TERMINAL_RUN_STATES = frozenset(s for s, nxt in RUN_TRANSITIONS.items() if not nxt)
TERMINAL_TASK_STATES = frozenset(s for s, nxt in TASK_TRANSITIONS.items() if not nxt)


def _check(table: dict[E, frozenset[E]], kind: str, current: E, target: E, **ids: str) -> E:
    if target not in table[current]:
        allowed = ", ".join(sorted(s.value for s in table[current])) or "none (it is final)"
        raise InvalidTransition(
            f"{kind} cannot move from {current.value!r} to {target.value!r}; "
            f"allowed from {current.value!r}: {allowed}",
            current=current.value,
            target=target.value,
            **ids,
        )
    return target


def check_run_transition(current: str, target: RunStatus, **ids: str) -> RunStatus:
    return _check(RUN_TRANSITIONS, "run", RunStatus(current), target, **ids)


def check_task_transition(current: str, target: TaskStatus, **ids: str) -> TaskStatus:
    return _check(TASK_TRANSITIONS, "task", TaskStatus(current), target, **ids)


def check_approval_transition(current: str, target: ApprovalStatus, **ids: str) -> ApprovalStatus:
    return _check(APPROVAL_TRANSITIONS, "approval", ApprovalStatus(current), target, **ids)
