"""What every command needs: settings, the local store and engine, and output helpers."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console

from dataready.domain.tenant import Principal, Tenant
from dataready.errors import DatareadyError
from dataready.settings import Settings, get_settings
from dataready.workflows.engine import Engine

console = Console()
err_console = Console(stderr=True)


def local_principal(settings: Settings) -> Principal:
    from dataready.domain.enums import Role

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
    message = exc.message if isinstance(exc, DatareadyError) else exc
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


def print_json(doc: Any) -> None:
    sys.stdout.write(json.dumps(doc, indent=2, default=str) + "\n")
    sys.stdout.flush()
