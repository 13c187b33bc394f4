"""``dataready serve``: the REST API (and the local executor) in one process."""

from __future__ import annotations

import typer

from dataready.settings import get_settings


def serve(
    host: str | None = typer.Option(None, "--host", help="Interface to bind."),
    port: int | None = typer.Option(None, "--port", help="Port to listen on."),
    workers: int = typer.Option(1, "--workers", help="HTTP worker processes."),
) -> None:
    """Serve the data-readiness API."""
    import uvicorn

    settings = get_settings()
    uvicorn.run(
        "dataready.api.app:create_app",
        factory=True,
        host=host or settings.api.host,
        port=port or settings.api.port,
        workers=workers,
        log_level="info",
        access_log=False,
    )
