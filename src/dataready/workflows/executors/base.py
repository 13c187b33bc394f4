"""The narrow executor interface."""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod


class Executor(ABC):
    """Runs submitted runs somewhere; the store is the only source of truth."""

    @abstractmethod
    def submit(self, run_id: uuid.UUID) -> None:
        """Schedule a committed pending run."""

    @abstractmethod
    def cancel(self, run_id: uuid.UUID) -> None:
        """Wake a running run so it notices its cancellation sooner (best effort)."""

    @abstractmethod
    def shutdown(self, wait: bool = True) -> None:
        """Stop taking runs; optionally wait for running ones."""
