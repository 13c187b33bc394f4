"""``GET /health``: liveness and store reachability, without authentication.

Load balancers call this often; the store is probed at most once per second per process
(in a worker thread), and every other call answers from that probe.
"""

from __future__ import annotations

import logging
import time

import anyio.to_thread
from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import Engine, text
from starlette.responses import Response

from dataready import __version__
from dataready.api.schemas.common import json_response
from dataready.errors import ServiceUnavailable

router = APIRouter(tags=["health"])
log = logging.getLogger("dataready.api")

PROBE_INTERVAL_SECONDS = 1.0


class HealthRead(BaseModel):
    status: str
    store: str
    version: str


def _probe(engine: Engine) -> bool:
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        log.warning("health: store unreachable: %s", exc)
        return False
    return True


@router.get("/health", response_model=HealthRead)
async def health(request: Request) -> Response:
    """``ok`` (200) when the store answers, ``degraded`` (503) when it does not."""
    state = request.app.state
    now = time.monotonic()
    last: tuple[float, bool] | None = getattr(state, "health_probe", None)
    if last is None or now - last[0] >= PROBE_INTERVAL_SECONDS:
        ok = await anyio.to_thread.run_sync(_probe, state.read_engine, limiter=state.read_limiter)
        state.health_probe = (now, ok)
    else:
        ok = last[1]
    if not ok:
        response = json_response(
            HealthRead(status="degraded", store="unreachable", version=__version__), 503
        )
        response.headers["Retry-After"] = str(ServiceUnavailable.retry_after_seconds)
        return response
    return json_response(HealthRead(status="ok", store="ok", version=__version__))
