"""A fast lane for the one endpoint clients poll: ``GET …/workflows/{c}/runs/{r}``.

Every client waiting for a run polls this endpoint, so it is served by this ASGI middleware
before FastAPI's routing and dependency solving (about a third of the CPU a request costs
there).  It applies exactly the same checks — bearer token, viewer role, tenant-scoped read —
through the same functions as the route, and answers errors with the same envelope.  Anything
that is not a well-formed request for this endpoint (another path or method, ids that are not
UUIDs) goes on to FastAPI, whose route stays the documented one.
"""

from __future__ import annotations

import re
import uuid

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from dataready.api import reads
from dataready.api.auth import check_role, current_principal
from dataready.api.errors import envelope_response, unavailable_response
from dataready.domain.enums import Role
from dataready.errors import DatareadyError, ServiceUnavailable

_UUID = r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"


class RunReadFastPath:
    """Serves the run document without FastAPI's per-request machinery."""

    def __init__(self, app: ASGIApp, base_path: str) -> None:
        self.app = app
        self.pattern = re.compile(rf"^{re.escape(base_path)}/workflows/({_UUID})/runs/({_UUID})$")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = (
            self.pattern.match(scope["path"])
            if scope["type"] == "http" and scope["method"] == "GET"
            else None
        )
        if match is None:
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        state = request.app.state
        try:
            principal = check_role(await current_principal(request, None), Role.VIEWER)
            body = await reads.read_run_document(
                state, principal.tenant, uuid.UUID(match.group(1)), uuid.UUID(match.group(2))
            )
            response = Response(content=body, media_type="application/json")
        except ServiceUnavailable as exc:
            response = unavailable_response(scope, exc)
        except DatareadyError as exc:
            response = envelope_response(
                scope,
                code=exc.code,
                status=exc.status,
                message=exc.message,
                details=exc.details,
            )
        await response(scope, receive, send)
