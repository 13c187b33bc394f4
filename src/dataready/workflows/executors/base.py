"""The narrow executor interface."""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod


class Executor(ABC):
    """Runs submitted runs somewhere; the store is the only source of truth."""

    @abstractmethod
    def submit(self, run_id: uuid.UUID) -> None:
        """Schedule a committed pending run (ignored once shutting down: it stays pending)."""

    @abstractmethod
    def cancel(self, run_id: uuid.UUID) -> None:
        """Wake a running run so it notices its cancellation sooner (best effort)."""

    @abstractmethod
    def running_ids(self) -> set[uuid.UUID]:
        """The runs this executor has taken and not finished (queued or running)."""

    @abstractmethod
    def shutdown(self, grace: float = 0.0) -> list[uuid.UUID]:
        """Stop taking runs, tell the running ones to stop, wait up to ``grace`` seconds.

        Returns the runs still running after the grace period (for the engine to hand back).
        Runs queued but not started stay ``pending`` in the store, for another process.
        """
