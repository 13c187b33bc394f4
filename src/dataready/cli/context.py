"""What every command needs: settings, the local store and engine, and output helpers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer

from dataready.cli.output import console, err_console, error, print_json
from dataready.errors import DatareadyError

if TYPE_CHECKING:
    from dataready.domain.tenant import Principal
    from dataready.settings import Settings
    from dataready.workflows.engine import Engine

__all__ = ["console", "err_console", "fail", "local_engine", "local_principal", "print_json"]


def local_principal(settings: Settings) -> Principal:
    from dataready.domain.enums import Role
    from dataready.domain.tenant import Principal, Tenant

    return Principal(
        Tenant(settings.local.client_id, settings.local.project_id),
        roles=frozenset({Role.ADMIN}),
        subject="cli",
    )


@contextmanager
def local_engine(*, executor: bool = True) -> Iterator[Engine]:
    """An engine on the configured store, migrated and recovered; shut down afterwards.

    A command's engine runs only the runs it submits (a server's pending runs are not its to
    take), and at shutdown fails what it did not finish: nothing else resumes a command's run.
    """
    from dataready.settings import get_settings
    from dataready.workflows.engine import Engine

    settings = get_settings()
    engine = Engine(settings)
    engine.requeue_on_shutdown = False
    try:
        engine.start(recover=executor, take_runs=False)
        yield engine
    finally:
        engine.shutdown(wait=True)


def fail(exc: DatareadyError | str, code: int = 1) -> typer.Exit:
    """Print an error the way users read it and return the exit to raise."""
    error(exc.message if isinstance(exc, DatareadyError) else exc)
    return typer.Exit(code)
