"""``dataready serve``: the REST API (and the local executor) in one or more processes.

With ``--workers N`` each worker process binds its own listening socket with
``SO_REUSEPORT``, so the kernel spreads connections evenly over the workers (a shared
socket hands most connections to whichever process wakes first, and the busiest worker then
sets the tail latency).
"""

from __future__ import annotations

import math
import multiprocessing
import os
import signal
import socket
import sys
import time
from types import FrameType

import typer

from dataready.errors import ConfigError


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    # No listen() here: uvicorn listens once the app has started, so the kernel routes no
    # connection to a worker that is still starting (they would wait out its start-up).
    return sock


def _worker(host: str, port: int) -> None:
    import uvicorn

    sock = _bind(host, port)
    config = uvicorn.Config(
        "dataready.api.app:create_app",
        factory=True,
        log_level="info",
        access_log=False,
        timeout_graceful_shutdown=math.ceil(_request_grace()),
    )
    uvicorn.Server(config).run(sockets=[sock])


def serve(
    host: str | None = typer.Option(
        None,
        "--host",
        help="Interface to bind; loopback only while the default token secret is in use.",
    ),
    port: int | None = typer.Option(None, "--port", help="Port to listen on."),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="Worker processes."),
) -> None:
    """Serve the data-readiness API."""
    from dataready.settings import check_bind_host, check_startup, get_settings

    try:
        settings = get_settings()
        bind_host, bind_port = host or settings.api.host, port or settings.api.port
        check_startup(settings)
        check_bind_host(settings, bind_host)
    except ConfigError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from None
    if workers == 1 or not hasattr(socket, "SO_REUSEPORT"):
        import uvicorn

        uvicorn.run(
            "dataready.api.app:create_app",
            factory=True,
            host=bind_host,
            port=bind_port,
            workers=workers,
            log_level="info",
            access_log=False,
            timeout_graceful_shutdown=math.ceil(_request_grace()),
        )
        return
    ctx = multiprocessing.get_context("spawn")
    procs = [
        ctx.Process(target=_worker, args=(bind_host, bind_port), daemon=False)
        for _ in range(workers)
    ]
    for p in procs:
        p.start()

    stopping: list[float] = []

    def stop(signum: int, _frame: FrameType | None) -> None:
        if not stopping:
            stopping.append(time.monotonic())
        for p in procs:
            if p.pid is not None and p.is_alive():
                os.kill(p.pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    # Each worker hands its unfinished runs back within the grace period; one that is still
    # alive well after it (wedged) is killed, so that a stop never hangs.
    deadline = 2 * _request_grace() + _KILL_MARGIN_SECONDS
    while any(p.is_alive() for p in procs):
        for p in procs:
            p.join(timeout=0.2)
        if stopping and time.monotonic() - stopping[0] > deadline:
            for p in procs:
                if p.pid is not None and p.is_alive():
                    os.kill(p.pid, signal.SIGKILL)
    sys.exit(max((p.exitcode or 0) for p in procs))


_KILL_MARGIN_SECONDS = 10.0


def _request_grace() -> float:
    """On SIGTERM: how long in-flight requests may take before the runs are handed back.

    The same grace as the runs get (``executor.shutdown_grace_seconds``): a stop takes at
    most about twice that, usually the runs' part alone.
    """
    from dataready.settings import get_settings

    return get_settings().executor.shutdown_grace_seconds
