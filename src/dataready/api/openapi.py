"""The OpenAPI document: what every operation answers, errors included, and what it accepts.

FastAPI documents the success response and a 422 in its own validation-error shape.  The API
answers every error in one envelope instead (:mod:`dataready.api.errors`), so the document is
completed here, once, after FastAPI has built it:

- a named ``ErrorEnvelope`` schema, referenced by every error status an operation can answer:
  400 (unreadable body), 401/403 (every authenticated operation), 404 (operations naming a
  resource by id or FQN), 409 (writes), 413 (bodies over the limit), 422 (parameters and
  bodies), 503 (store or key server unavailable);
- the constraints the server enforces that FastAPI cannot see: the configured maximum page
  size, and the grammar of FQNs and tag names.

Clients and fuzzers can then trust the document: ``tests/api/test_schemathesis.py`` checks
every response against it.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from dataready.api.routes.assets import TAG_NAME
from dataready.api.routes.health import HealthRead
from dataready.api.schemas.common import FQN_SCHEMA, ErrorEnvelope, fqn_schema
from dataready.settings import ApiSettings

ENVELOPE_REF = "#/components/schemas/ErrorEnvelope"

_DESCRIPTIONS = {
    400: "The request cannot be read: malformed JSON, or a body that is not a JSON object.",
    401: "Missing, malformed, expired or otherwise invalid bearer token.",
    403: "The token lacks the role this needs, or X-Project-ID disagrees with the token.",
    404: "No such resource for this tenant.",
    409: "The request clashes with the current state (already exists, wrong state, in use).",
    413: "The request body is larger than the server accepts.",
    422: "A parameter or a field of the body holds a value that is not accepted.",
    503: "The metadata store (or the token key server) is unavailable; retry after a while.",
}


_EXTRA_STATUSES: dict[tuple[str, str], frozenset[int]] = {
    # a body field names a resource by id
    ("post", "/workflows"): frozenset({404}),
}
_NO_CONFLICT = frozenset({("post", "/services/verify")})


def _error_statuses(method: str, path: str, operation: dict[str, Any]) -> set[int]:
    """The error statuses ``operation`` can answer (besides 500, which it must not)."""
    parameters = operation.get("parameters", [])
    has_body = "requestBody" in operation
    statuses: set[int] = set()
    if operation.get("security"):
        statuses |= {401, 403, 503}
    if parameters or has_body:
        statuses.add(422)
    if any(p.get("in") == "path" for p in parameters):
        statuses.add(404)
    if has_body:
        statuses |= {400, 413}
    if method in ("post", "put", "patch", "delete") and (method, path) not in _NO_CONFLICT:
        statuses.add(409)
    return statuses | _EXTRA_STATUSES.get((method, path), frozenset())


_TABLE_OR_COLUMN = fqn_schema(4, 5)


def _constrain_parameters(path: str, operation: dict[str, Any], api: ApiSettings) -> None:
    for parameter in operation.get("parameters", []):
        name, schema = parameter.get("name"), parameter.get("schema", {})
        if name == "limit" and parameter.get("in") == "query":
            _constrain_nullable(schema, {"maximum": api.max_page_size})
            parameter["description"] = (
                f"Page size (default {api.default_page_size}, at most {api.max_page_size})."
            )
        elif name == "fqn" and parameter.get("in") == "path":
            profiles = path.endswith(("/profile", "/profiles"))  # of tables and columns only
            schema.update(_TABLE_OR_COLUMN if profiles else FQN_SCHEMA)
        elif name == "tag" and parameter.get("in") == "path":
            schema.update({"pattern": TAG_NAME.pattern, "maxLength": 255})


def _constrain_nullable(schema: dict[str, Any], constraints: dict[str, Any]) -> None:
    """Add ``constraints`` to the string/integer branch of ``schema`` (``anyOf`` with null)."""
    branches = schema.get("anyOf")
    if branches:
        for branch in branches:
            if branch.get("type") not in (None, "null"):
                branch.update(constraints)
    else:
        schema.update(constraints)


def _error_response(status: int) -> dict[str, Any]:
    return {
        "description": _DESCRIPTIONS[status],
        "content": {"application/json": {"schema": {"$ref": ENVELOPE_REF}}},
    }


def _add_components(document: dict[str, Any]) -> None:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    for model in (ErrorEnvelope, HealthRead):
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema


def build_openapi(app: FastAPI, api: ApiSettings, base_path: str) -> dict[str, Any]:
    """The completed OpenAPI document of ``app`` (see the module docstring)."""
    document = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
    )
    _add_components(document)
    prefix = re.compile(rf"^{re.escape(base_path)}")
    for path, item in document.get("paths", {}).items():
        relative = prefix.sub("", path)
        for method, operation in item.items():
            responses: dict[str, Any] = operation.setdefault("responses", {})
            responses.pop("422", None)  # FastAPI's own validation-error shape
            _constrain_parameters(relative, operation, api)
            for status in sorted(_error_statuses(method, relative, operation)):
                responses.setdefault(str(status), _error_response(status))
            if relative == "/health":
                responses["503"] = {
                    "description": "The store does not answer: status degraded.",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/HealthRead"}}
                    },
                }
    return document


def install_openapi(app: FastAPI, api: ApiSettings, base_path: str) -> None:
    """Serve :func:`build_openapi` as the app's document (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(app, api, base_path)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
