"""The error envelope: every error the API answers, in one shape.

``{"error": {"code", "message", "status", "details", "request_id", "trace_id"}}``.
The :class:`~dataready.errors.DatareadyError` tree maps onto it through one handler; FastAPI's
request validation errors and Starlette's HTTP errors (unknown route, wrong method) are
converted to it too, and so is an integrity error the store raises at commit (two requests
racing to create the same thing: 409).  Routes never raise ``HTTPException``.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from sqlalchemy import exc as sa_exc
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from dataready.api.context import request_id_of, trace_id_of
from dataready.errors import DatareadyError, ServiceUnavailable
from dataready.store.outage import is_store_unavailable, store_unavailable_error

log = logging.getLogger("dataready.api")

_LOCATIONS = frozenset({"body", "query", "path", "header", "cookie"})
_HTTP_CODES = {
    400: "INVALID_REQUEST",
    401: "INVALID_TOKEN",
    403: "INSUFFICIENT_PERMISSIONS",
    404: "RESOURCE_NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "VALIDATION_ERROR",
    429: "RATE_LIMIT_EXCEEDED",
    503: "SERVICE_UNAVAILABLE",
}


def envelope(
    scope: Scope, *, code: str, status: int, message: str, details: dict[str, Any]
) -> dict[str, Any]:
    return {
        "error": {
            "code": code,
            "message": message,
            "status": status,
            "details": details,
            "request_id": request_id_of(scope),
            "trace_id": trace_id_of(scope),
        }
    }


def envelope_response(
    scope: Scope,
    *,
    code: str,
    status: int,
    message: str,
    details: dict[str, Any],
    headers: dict[str, str] | None = None,
) -> Response:
    body = envelope(scope, code=code, status=status, message=message, details=details)
    return Response(
        content=json.dumps(body, default=str, separators=(",", ":")).encode(),
        status_code=status,
        media_type="application/json",
        headers=headers,
    )


def field_path(loc: Sequence[Any]) -> tuple[str, str]:
    """``("body", "schedule", "cron_expression")`` → ``("body", "schedule.cron_expression")``."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in _LOCATIONS:
        return parts[0], ".".join(parts[1:]) or parts[0]
    return "", ".".join(parts)


def validation_details(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """Pydantic errors without their ``input`` (which may be large or secret)."""
    out = []
    for err in errors:
        location, field = field_path(err.get("loc", ()))
        out.append(
            {
                "field": field,
                "location": location,
                "message": str(err.get("msg", "")),
                "type": str(err.get("type", "")),
            }
        )
    return out


async def dataready_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DatareadyError)
    if exc.status >= 500:
        log.error("%s [request %s]: %s", exc.code, request_id_of(request.scope), exc.message)
    return envelope_response(
        request.scope, code=exc.code, status=exc.status, message=exc.message, details=exc.details
    )


async def request_validation_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    json_errors = [e for e in errors if e.get("type") == "json_invalid"]
    if json_errors:
        err = json_errors[0]
        reason = (err.get("ctx") or {}).get("error", "it does not parse")
        loc = err.get("loc", ())
        where = f" at position {loc[1]}" if len(loc) > 1 else ""
        return envelope_response(
            request.scope,
            code="INVALID_REQUEST",
            status=400,
            message=f"malformed JSON body: {reason}{where}",
            details={},
        )
    if any(
        tuple(e.get("loc", ())) == ("body",) and isinstance(e.get("input"), bytes) for e in errors
    ):
        return envelope_response(
            request.scope,
            code="INVALID_REQUEST",
            status=400,
            message="the request body must be a JSON object sent with "
            "Content-Type: application/json",
            details={},
        )
    details = validation_details(errors)
    first = details[0] if details else {"location": "", "field": "", "message": "invalid request"}
    location, field = first["location"], first["field"]
    label = f"{location}.{field}" if location and field != location else (field or "request")
    more = f" (and {len(details) - 1} more error(s))" if len(details) > 1 else ""
    return envelope_response(
        request.scope,
        code="VALIDATION_ERROR",
        status=422,
        message=f"{label}: {first['message']}{more}",
        details={"field": first["field"], "errors": details},
    )


def _unparsable_body(cause: BaseException) -> str:
    """Why FastAPI could not parse a body (it raises a bare 400 from the parser's error)."""
    if isinstance(cause, RecursionError):
        reason = "it is nested too deeply"
    elif isinstance(cause, UnicodeDecodeError):
        reason = "it is not UTF-8 text"
    elif isinstance(cause, ValueError) and "digits" in str(cause):
        reason = "a number in it has more than 4300 digits"
    else:
        reason = "it does not parse"
    return f"malformed JSON body: {reason}; send a JSON object"


async def http_exception_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    if status == 404:
        message = f"no such endpoint: {request.method} {request.url.path}"
    elif status == 405:
        message = f"method {request.method} is not allowed on {request.url.path}"
    elif status == 400 and exc.__cause__ is not None:
        message = _unparsable_body(exc.__cause__)
    else:
        message = str(exc.detail)
    code = _HTTP_CODES.get(status, "INTERNAL_ERROR" if status >= 500 else "INVALID_REQUEST")
    return envelope_response(
        request.scope,
        code=code,
        status=status,
        message=message,
        details={},
        headers=dict(exc.headers) if exc.headers else None,
    )


_TENANT_COLUMNS = frozenset({"client_id", "project_id"})
_PG_KEY = re.compile(r"Key \(([^)]*)\)=")
_SQLITE_CONSTRAINT = re.compile(r"constraint failed: (.*)$")
_WRITTEN_TABLE = re.compile(r'^\s*(?:INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)', re.IGNORECASE)


def _integrity_facts(exc: IntegrityError) -> tuple[str, str | None, list[str]]:
    """``(kind, table, columns)`` of a constraint violation, on PostgreSQL or SQLite.

    ``kind`` is ``unique``, ``foreign_key`` or ``other``.  Only names are taken, never the
    values the driver's message quotes.
    """
    orig = exc.orig
    text = str(orig)
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate == "23505" or "UNIQUE constraint failed" in text:
        kind = "unique"
    elif sqlstate == "23503" or "FOREIGN KEY constraint failed" in text:
        kind = "foreign_key"
    else:
        kind = "other"
    diag = getattr(orig, "diag", None)
    if diag is not None:  # psycopg
        table = getattr(diag, "table_name", None)
        match = _PG_KEY.search(getattr(diag, "message_detail", None) or "")
        columns = [c.strip() for c in match.group(1).split(",")] if match else []
    else:  # sqlite3: "UNIQUE constraint failed: services.client_id, services.name"
        match = _SQLITE_CONSTRAINT.search(text)
        qualified = [c.strip() for c in match.group(1).split(",")] if match else []
        table = qualified[0].partition(".")[0] if qualified and "." in qualified[0] else None
        columns = [c.rpartition(".")[2] for c in qualified]
    if table is None:  # SQLite names no table for a foreign key: the statement does
        written = _WRITTEN_TABLE.match(exc.statement or "")
        table = written.group(1) if written else None
    return kind, table, [c for c in columns if c not in _TENANT_COLUMNS]


async def integrity_error_handler(request: Request, exc: Exception) -> Response:
    """A constraint the store enforces refused the write: 409, never 500.

    The API checks for duplicates before writing; this answers the race in which a concurrent
    request wrote the same thing between that check and the commit.
    """
    assert isinstance(exc, IntegrityError)
    kind, table, columns = _integrity_facts(exc)
    resource = (table or "resource").removesuffix("s").replace("_", " ")
    log.warning(
        "integrity error (%s on %s) [request %s]", kind, table, request_id_of(request.scope)
    )
    details: dict[str, Any] = {"resource": resource}
    if kind == "unique":
        same = " and ".join(columns) or "identity"
        details["fields"] = columns
        return envelope_response(
            request.scope,
            code="RESOURCE_ALREADY_EXISTS",
            status=409,
            message=f"a {resource} with the same {same} already exists (a concurrent request "
            "may have just created it); fetch it, or choose another",
            details=details,
        )
    message = (
        f"the {resource} refers to something that a concurrent request has just removed, or "
        "is still referred to; reload and retry"
        if kind == "foreign_key"
        else f"the {resource} conflicts with the stored data; reload and retry"
    )
    return envelope_response(
        request.scope, code="CONFLICT", status=409, message=message, details=details
    )


def unavailable_response(scope: Scope, exc: ServiceUnavailable) -> Response:
    """503 in the envelope, with ``Retry-After`` (also used by the fast lane)."""
    return envelope_response(
        scope,
        code=exc.code,
        status=exc.status,
        message=exc.message,
        details=exc.details,
        headers={"Retry-After": str(exc.retry_after_seconds)},
    )


# The store's connection-level errors; which of them are an outage is decided in one place,
# dataready.store.outage.is_store_unavailable.
STORE_ERRORS: tuple[type[Exception], ...] = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.DisconnectionError,
    sa_exc.TimeoutError,
)


async def store_unavailable_handler(request: Request, exc: Exception) -> Response:
    """A store that cannot be reached answers 503 with ``Retry-After``, never 500."""
    rid = request_id_of(request.scope)
    if isinstance(exc, ServiceUnavailable):
        log.warning("%s [request %s]: %s", exc.code, rid, exc.message)
        return unavailable_response(request.scope, exc)
    if not is_store_unavailable(exc):  # a deadlock, a cancelled statement: a real 500
        log.error("store error [request %s]", rid, exc_info=exc)
        return envelope_response(
            request.scope,
            code="INTERNAL_ERROR",
            status=500,
            message=f"internal error; quote request id {rid} when reporting it",
            details={},
        )
    log.warning("store unreachable [request %s]: %s", rid, exc)
    return unavailable_response(request.scope, store_unavailable_error(exc))


def install_store_unavailable_handlers(app: FastAPI) -> None:
    for store_error in (*STORE_ERRORS, ServiceUnavailable):
        app.add_exception_handler(store_error, store_unavailable_handler)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DatareadyError, dataready_error_handler)
    app.add_exception_handler(IntegrityError, integrity_error_handler)
    install_store_unavailable_handlers(app)
    app.add_exception_handler(RequestValidationError, request_validation_handler)
    app.add_exception_handler(StarletteHTTPException, http_exception_handler)
