"""The engine: store, runner, executor and sweep of one process, started and stopped together.

Shutting down (``dataready serve`` on SIGTERM, the end of a CLI command) stops taking runs,
tells the running ones it is a shutdown (never a user's cancel), gives them
``executor.shutdown_grace_seconds`` to stop, and hands back to ``pending`` whatever is still
running then — or fails it, for an engine whose runs nothing else resumes
(:attr:`Engine.requeue_on_shutdown`).
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from dataready.settings import Settings, check_startup
from dataready.store import migrate
from dataready.store import services as services_q
from dataready.store.crypto import CredentialCipher
from dataready.store.db import Store
from dataready.store.definitions import ensure_builtin_definitions
from dataready.store.types import utcnow
from dataready.workflows.context import new_worker_id
from dataready.workflows.executors.base import Executor
from dataready.workflows.executors.local import LocalExecutor
from dataready.workflows.recovery import Sweeper, sweep
from dataready.workflows.runner import Runner


def prepare_store(store: Store) -> None:
    """Migrate the store to head and make sure the built-in definitions exist."""
    migrate.upgrade(store.engine)
    with store.session() as s:
        ensure_builtin_definitions(s)
        # secrets stored in clear by an older version go into the encrypted blob
        services_q.reseal_services(s, lambda: CredentialCipher(store.settings))


class Engine:
    """Owns what runs workflows in this process."""

    def __init__(
        self, settings: Settings, store: Store | None = None, executor: Executor | None = None
    ) -> None:
        self.settings = settings
        self.store = store or Store(settings)
        self.worker_id = new_worker_id()
        self.runner = Runner(self.store, settings, self.worker_id)
        self.executor: Executor = executor or LocalExecutor(
            self.runner, settings.executor.max_workers
        )
        self.recovered: list[uuid.UUID] = []
        self.take_runs = True
        self._sweeper: Sweeper | None = None

    @property
    def requeue_on_shutdown(self) -> bool:
        """At shutdown, hand unfinished runs back as ``pending`` (else fail them)."""
        return self.runner.requeue_on_shutdown

    @requeue_on_shutdown.setter
    def requeue_on_shutdown(self, value: bool) -> None:
        self.runner.requeue_on_shutdown = value

    def start(
        self, *, migrate_store: bool = True, recover: bool = True, take_runs: bool = True
    ) -> None:
        """Check the settings, prepare the store, and (``recover``) start sweeping.

        Args:
            migrate_store: upgrade the store to head first.
            recover: sweep now and then periodically: fail or re-queue orphaned runs.
            take_runs: also execute the pending runs the sweep finds (an API process that
                leaves execution to workers passes False).
        """
        check_startup(self.settings)
        if migrate_store:
            prepare_store(self.store)
        self.take_runs = take_runs
        if recover:
            result = sweep(
                self.store, self.settings, self.worker_id, own_active=self.executor.running_ids
            )
            self.recovered = result.failed
            self._submit_found(result.pending)
            self._sweeper = Sweeper(self.settings.executor.sweep_every, self.sweep_once)
            self._sweeper.start()

    def sweep_once(self) -> None:
        """One periodic sweep: stale running runs, and pending runs nobody claimed."""
        every = self.settings.executor.sweep_every
        result = sweep(
            self.store,
            self.settings,
            self.worker_id,
            own_active=self.executor.running_ids,
            pending_before=utcnow() - timedelta(seconds=every),
        )
        # bounded: a long-lived server must not keep every id it ever swept
        self.recovered = [*self.recovered, *result.failed][-1000:]
        self._submit_found(result.pending)

    def _submit_found(self, run_ids: list[uuid.UUID]) -> None:
        if self.take_runs:
            for run_id in run_ids:
                self.executor.submit(run_id)

    def submit(self, run_id: uuid.UUID) -> None:
        self.executor.submit(run_id)

    def cancel(self, run_id: uuid.UUID) -> None:
        self.executor.cancel(run_id)

    def shutdown(self, wait: bool = True, grace: float | None = None) -> list[uuid.UUID]:
        """Stop: no new runs, running ones told to stop, then handed back (see the module).

        Args:
            wait: give running tasks the grace period (False: hand back at once).
            grace: seconds; default ``executor.shutdown_grace_seconds``.

        Returns:
            The runs still running after the grace period, handed back by this call.
        """
        if self._sweeper is not None:
            self._sweeper.stop()
        if not wait:
            grace = 0.0
        elif grace is None:
            grace = self.settings.executor.shutdown_grace_seconds
        left = self.executor.shutdown(grace)
        for run_id in left:
            # Its thread is still busy (a statement that ignores the signal); the compare-
            # and-set on the worker makes the thread's later writes fail harmlessly.
            self.runner.hand_back(run_id)
        self.runner.closed.set()
        self.store.dispose()
        return left
