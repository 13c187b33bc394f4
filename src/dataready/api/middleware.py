"""The ASGI middleware every request passes first.

A pure ASGI middleware (``BaseHTTPMiddleware`` would cost a task per request): it assigns the
request and trace ids, stamps ``X-Request-ID`` on every response, and turns an exception that
nothing else handled into the 500 envelope without leaking internals, so that even a crash
answers the envelope with the request id.
"""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dataready.api.context import assign_ids
from dataready.api.errors import envelope_response

log = logging.getLogger("dataready.api")


class RequestContextMiddleware:
    """Assigns ids, stamps ``X-Request-ID`` on responses and answers crashes with a 500."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid, _ = assign_ids(scope)
        header_value = rid.encode("latin-1")
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [
                    (k, v) for k, v in message.get("headers", ()) if k.lower() != b"x-request-id"
                ]
                headers.append((b"x-request-id", header_value))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception(
                "unhandled error in %s %s [request %s]", scope["method"], scope["path"], rid
            )
            if started:
                raise
            response = envelope_response(
                scope,
                code="INTERNAL_ERROR",
                status=500,
                message=f"internal error; quote request id {rid} when reporting it",
                details={},
            )
            await response(scope, receive, send_with_id)
