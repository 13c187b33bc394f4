"""What a workflow type implements, and the context the runner hands it.

A workflow *plans* its tasks (fan-out: one per schema, per table, …), *runs* each task and
*summarises* the task outputs into the run's small ``output``.  Tasks may depend on each
other by name; the runner executes them as a DAG.
"""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel

from dataready.domain.fqn import FQN
from dataready.domain.tenant import Tenant

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from dataready.settings import Settings
    from dataready.store.db import Store


@dataclass
class TaskSpec:
    """A task a workflow plans."""

    name: str
    task_type: str
    asset_fqn: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    depends_on: list[str] = field(default_factory=list)


@dataclass
class TaskResult:
    """What became of a task, handed to :meth:`Workflow.summarize`."""

    name: str
    task_type: str
    asset_fqn: str | None
    status: str
    output: dict[str, Any] | None
    error_message: str | None


class RunContext(ABC):
    """The runner's services for a workflow: cancellation, progress, proposals, the store."""

    run_id: uuid.UUID
    tenant: Tenant
    workflow_type: str
    asset_fqn: FQN | None
    config: dict[str, Any]
    parameters: dict[str, Any]
    settings: Settings
    store: Store

    @abstractmethod
    def check_cancelled(self) -> None:
        """Raise :class:`~dataready.errors.RunCancelled` if the run was cancelled."""

    @abstractmethod
    def sleep(self, seconds: float) -> None:
        """Sleep, waking early (and raising ``RunCancelled``) if the run is cancelled."""

    @abstractmethod
    def progress(self, message: str | None = None) -> None:
        """Report liveness and an optional message between steps; checks cancellation."""

    @abstractmethod
    def propose(self, kind: str, asset_fqn: str | None, payload: dict[str, Any]) -> None:
        """Record a result that is applied on approval (or at once when auto-saved).

        Raises ``RunCancelled`` (and records nothing) once the run was cancelled.
        """

    @abstractmethod
    def cancel_scope(self, callback: Callable[[], None]) -> AbstractContextManager[None]:
        """While inside, ``callback`` is called from another thread as soon as the run is
        cancelled (within a quarter of a second of a cancel written by any process).

        Wrap the use of a source connector in it, ``with ctx.cancel_scope(connector.cancel):``,
        so that a cancel stops the statement the task waits for. An error that follows the
        cancel inside the scope is raised as ``RunCancelled``; entering a cancelled run's
        scope raises ``RunCancelled``.
        """

    @abstractmethod
    def result_session(self) -> AbstractContextManager[Session]:
        """The store transaction a task writes its results in (profiles, assets, proposals).

        It commits only while the run is ``running``: once the run was cancelled it raises
        ``RunCancelled`` and nothing is written, and a cancel arriving meanwhile waits for
        the commit.
        """


class TargetKind(StrEnum):
    """What a workflow type's target must name when a run is created."""

    SERVICE = "service"
    """A registered service (the FQN's first part); deeper parts are checked at planning."""
    ASSET = "asset"
    """An asset in the catalogue (active, at the FQN's level)."""


class Workflow(ABC):
    """One workflow type's implementation.

    ``target_kind`` says what the run's target must name (checked when the run is created;
    ``None``: not checked). ``config_model`` is the pydantic model of the type's config and
    parameters (extra keys forbidden), checked on configuration writes and run creation;
    ``None``: any keys are accepted.
    """

    workflow_type: ClassVar[str]
    target_kind: ClassVar[TargetKind | None] = None
    config_model: ClassVar[type[BaseModel] | None] = None

    def validate(  # noqa: B027 - optional hook
        self, asset_fqn: FQN | None, config: dict[str, Any], parameters: dict[str, Any]
    ) -> None:
        """Refuse a run at creation time (raise ``ValidationFailed``); default accepts all."""

    @abstractmethod
    def plan(self, ctx: RunContext) -> list[TaskSpec]:
        """The tasks of this run."""

    @abstractmethod
    def run_task(self, ctx: RunContext, task: TaskSpec) -> dict[str, Any]:
        """Do one task's work; return a small output summary (counts, never bulk data)."""

    def summarize(self, ctx: RunContext, results: list[TaskResult]) -> dict[str, Any]:
        """The run's ``output``; by default, numeric task outputs summed."""
        total: dict[str, Any] = {}
        for r in results:
            for key, value in (r.output or {}).items():
                if isinstance(value, int | float) and not isinstance(value, bool):
                    total[key] = total.get(key, 0) + value
        return total
