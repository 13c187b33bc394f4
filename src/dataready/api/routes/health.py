"""``GET /health``: liveness and store reachability, without authentication."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import text
from starlette.responses import Response

from dataready import __version__
from dataready.api.schemas.common import json_response

router = APIRouter(tags=["health"])
log = logging.getLogger("dataready.api")


class HealthRead(BaseModel):
    status: str
    store: str
    version: str


@router.get("/health", response_model=HealthRead)
def health(request: Request) -> Response:
    """``ok`` (200) when the store answers, ``degraded`` (503) when it does not."""
    try:
        with request.app.state.store.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        log.warning("health: store unreachable: %s", exc)
        return json_response(
            HealthRead(status="degraded", store="unreachable", version=__version__), 503
        )
    return json_response(HealthRead(status="ok", store="ok", version=__version__))
