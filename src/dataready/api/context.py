"""Request and trace ids: taken from the request when sane, generated otherwise.

:class:`~dataready.api.middleware.RequestContextMiddleware` assigns them into the ASGI scope;
the error envelope and the logs read them from there.
"""

from __future__ import annotations

import re
import uuid

from starlette.types import Scope

_REQUEST_ID_KEY = "dataready.request_id"
_TRACE_ID_KEY = "dataready.trace_id"
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:/+=@-]{1,128}$")
_TRACEPARENT = re.compile(r"^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}")


def request_id_of(scope: Scope) -> str:
    """The request id of a request (generated on the spot outside the middleware)."""
    rid = scope.get(_REQUEST_ID_KEY)
    if rid is None:
        rid = scope[_REQUEST_ID_KEY] = str(uuid.uuid4())
    return str(rid)


def trace_id_of(scope: Scope) -> str:
    tid = scope.get(_TRACE_ID_KEY)
    if tid is None:
        tid = scope[_TRACE_ID_KEY] = uuid.uuid4().hex
    return str(tid)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def assign_ids(scope: Scope) -> tuple[str, str]:
    """Take the ids from ``X-Request-ID`` / ``traceparent`` when sane, else generate them."""
    rid = _header(scope, b"x-request-id")
    if rid is None or not _SANE_REQUEST_ID.match(rid):
        rid = str(uuid.uuid4())
    tid: str | None = None
    parent = _header(scope, b"traceparent")
    if parent:
        match = _TRACEPARENT.match(parent.strip().lower())
        if match and match.group(1) != "0" * 32:
            tid = match.group(1)
    tid = tid or uuid.uuid4().hex
    scope[_REQUEST_ID_KEY] = rid
    scope[_TRACE_ID_KEY] = tid
    return rid, tid
