"""The engine: store, runner and executor of one process, started and stopped together."""

from __future__ import annotations

import uuid

from dataready.settings import Settings, check_startup
from dataready.store import migrate
from dataready.store import services as services_q
from dataready.store.crypto import CredentialCipher
from dataready.store.db import Store
from dataready.store.definitions import ensure_builtin_definitions
from dataready.workflows.context import new_worker_id
from dataready.workflows.executors.base import Executor
from dataready.workflows.executors.local import LocalExecutor
from dataready.workflows.recovery import recover_orphans
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

    def start(self, *, migrate_store: bool = True, recover: bool = True) -> None:
        """Check the settings, prepare the store, fail orphaned runs and resume pending ones."""
        check_startup(self.settings)
        if migrate_store:
            prepare_store(self.store)
        if recover:
            failed, pending = recover_orphans(self.store, self.settings, self.worker_id)
            self.recovered = failed
            for run_id in pending:
                self.executor.submit(run_id)

    def submit(self, run_id: uuid.UUID) -> None:
        self.executor.submit(run_id)

    def cancel(self, run_id: uuid.UUID) -> None:
        self.executor.cancel(run_id)

    def shutdown(self, wait: bool = True) -> None:
        self.executor.shutdown(wait=wait)
        self.store.dispose()
