"""The ASGI middleware every request passes first.

Pure ASGI middleware (``BaseHTTPMiddleware`` would cost a task per request).
:class:`RequestContextMiddleware` assigns the request and trace ids, stamps ``X-Request-ID``
on every response, and turns an exception that nothing else handled into the 500 envelope
without leaking internals, so that even a crash answers the envelope with the request id.
:class:`BodyLimitMiddleware` refuses a body over ``api.max_body_bytes`` with 413 before
anything reads it whole.
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


class BodyLimitMiddleware:
    """Refuses a request body larger than ``max_bytes`` with 413, before anything parses it.

    A declared ``Content-Length`` over the limit is refused without reading a byte (the
    server delivers no more than it declares).  A body without a declared length (chunked, or
    HTTP/2) is read here, up to the limit, and handed on whole, so an over-long one is refused
    as soon as it crosses the limit instead of after it has been buffered and parsed.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = _declared_length(scope)
        if length is not None:
            if length < 0:
                await _invalid_length(scope, receive, send)
            elif length > self.max_bytes:
                await self._too_large(scope, receive, send)
            else:
                await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away while sending
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._too_large(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.max_bytes
        response = envelope_response(
            scope,
            code="PAYLOAD_TOO_LARGE",
            status=413,
            message=f"the request body is larger than {limit} bytes, the limit of this server "
            "(DATAREADY_API__MAX_BODY_BYTES); send a smaller body",
            details={"limit_bytes": limit},
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)


def _declared_length(scope: Scope) -> int | None:
    """The ``Content-Length`` of a request, if it has one (``-1`` when it is not a number)."""
    for key, value in scope.get("headers", ()):
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return -1
    return None


async def _invalid_length(scope: Scope, receive: Receive, send: Send) -> None:
    response = envelope_response(
        scope,
        code="INVALID_REQUEST",
        status=400,
        message="the Content-Length header is not a byte count",
        details={},
    )
    await response(scope, receive, send)
