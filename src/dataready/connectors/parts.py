"""A connection config from the API's ``connection_type`` / ``config`` / ``credentials``.

``connection_type`` is a native type (``postgres``, ``mysql``, ``sqlite``, ``duckdb`` and
their aliases), ``sqlalchemy`` with ``config.url``, or a SQLAlchemy dialect (``trino``,
``snowflake``, ...). Whatever the type says, a URL whose scheme has a native connector gets
the native one. An unknown type is a ``ValidationFailed`` naming ``connection_type``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from dataready.connectors.config import (
    NATIVE_BACKENDS,
    ConnectionConfig,
    make_source_url,
    parse_connection_config,
)
from dataready.connectors.sqlalchemy_gateway import DIALECT_EXTRAS, dialect_available
from dataready.errors import ValidationFailed

NATIVE_TYPES = ("postgres", "mysql", "sqlite", "duckdb")
_TYPE_ALIASES = {"postgresql": "postgres", "mariadb": "mysql"}
_CREDENTIAL_KEYS = {"password": "password", "username": "user", "user": "user"}
_GENERIC_KEYS = ("url", "host", "port", "database", "user", "query", "connect_args")
_DIALECT_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}(\+[a-z0-9_]{1,32})?$")


def known_connection_types() -> list[str]:
    """The ``connection_type`` values the API takes without an installed plugin."""
    return sorted({*NATIVE_TYPES, *_TYPE_ALIASES, "sqlalchemy", *DIALECT_EXTRAS})


def _native_kind(connection_type: str) -> str | None:
    kind = _TYPE_ALIASES.get(connection_type, connection_type)
    if kind in NATIVE_TYPES:
        return kind
    backend = connection_type.split("+", 1)[0]
    return NATIVE_BACKENDS.get(backend) if "+" in connection_type else None


def same_kind(connection_type: str, stored_type: str, stored: Mapping[str, Any]) -> bool:
    """Whether an API ``connection_type`` names the kind of a stored config (so a PATCH
    merges into it) rather than a new kind (so the PATCH starts from an empty config)."""
    native = _native_kind(connection_type)
    if native is not None or stored_type != "sqlalchemy":
        return native == stored_type
    if connection_type == "sqlalchemy":
        return True
    try:
        backend = make_url(str(stored.get("url", ""))).get_backend_name()
    except (ArgumentError, ValueError):
        return False
    return backend == connection_type.split("+", 1)[0]


def _check_dialect(connection_type: str) -> None:
    known = _DIALECT_NAME.match(connection_type) and (
        connection_type.split("+", 1)[0] in DIALECT_EXTRAS or dialect_available(connection_type)
    )
    if not known:
        shown = connection_type if len(connection_type) <= 64 else connection_type[:61] + "..."
        raise ValidationFailed(
            f"connection_type {shown!r} is not a known source type; use one of "
            f"{', '.join(known_connection_types())}, or a SQLAlchemy dialect whose package "
            "is installed",
            field="connection_type",
        )


def config_from_parts(
    connection_type: str, config: Mapping[str, Any], credentials: Mapping[str, Any] | None
) -> ConnectionConfig:
    """Build a connection config from the API's ``connection_type`` / ``config`` /
    ``credentials`` triple.

    Native types take the config fields directly. ``sqlalchemy`` takes ``config.url``; any
    other type (``trino``, ``snowflake``, ``bigquery``, ``redshift``, …) is a SQLAlchemy
    dialect whose URL is ``config.url`` or is built from ``host``/``port``/``database``/
    ``user``/``query`` (which also override the parts of a given URL). A URL whose scheme
    has a native connector gets the native connector.

    Raises:
        ValidationFailed: an unknown type or credential key, or an invalid field (the error
            names it); messages never contain secrets.
    """
    creds: dict[str, Any] = {}
    for key, value in (credentials or {}).items():
        if key not in _CREDENTIAL_KEYS:
            raise ValidationFailed(
                f"credentials.{key} is not a known credential; use "
                f"{', '.join(sorted(_CREDENTIAL_KEYS))} (other secrets go in config, where "
                "they are recognised and stored encrypted)",
                field=f"credentials.{key}",
            )
        creds[_CREDENTIAL_KEYS[key]] = value
    native = _native_kind(connection_type)
    if native is not None:
        return parse_connection_config({**dict(config), **creds, "type": native})
    if connection_type == "sqlalchemy" and "url" not in config:
        raise ValidationFailed(
            "a sqlalchemy source needs config.url (dialect[+driver]://user@host/database), "
            "or use the dialect as connection_type (trino, snowflake, ...)",
            field="config.url",
        )
    if connection_type != "sqlalchemy":
        _check_dialect(connection_type)
    unknown = sorted(set(config) - set(_GENERIC_KEYS) - {"type"})
    if unknown:
        raise ValidationFailed(
            f"config.{unknown[0]} is not a setting of a {connection_type} source; use "
            f"{', '.join(_GENERIC_KEYS)}",
            field=f"config.{unknown[0]}",
        )
    url = _generic_url(connection_type, config, creds)
    backend = url.get_backend_name()
    if connection_type != "sqlalchemy" and backend != connection_type.split("+", 1)[0]:
        raise ValidationFailed(
            f"config.url is a {backend} URL but connection_type is {connection_type!r}; "
            "make them agree (or use connection_type sqlalchemy)",
            field="config.url",
        )
    if backend not in NATIVE_BACKENDS:
        _check_dialect(url.drivername)
    data: dict[str, Any] = {"type": "sqlalchemy", "url": url.render_as_string(False)}
    if creds.get("password") is not None:
        data["password"] = creds["password"]
    if "connect_args" in config:
        data["connect_args"] = config["connect_args"]
    return parse_connection_config(data)


def _generic_url(kind: str, config: Mapping[str, Any], creds: Mapping[str, Any]) -> URL:
    parts: dict[str, Any] = {
        "username": creds.get("user") or config.get("user"),
        "host": config.get("host"),
        "port": config.get("port"),
        "database": config.get("database"),
    }
    query = config.get("query")
    if query is not None and not (
        isinstance(query, Mapping) and all(isinstance(v, str) for v in query.values())
    ):
        raise ValidationFailed("config.query maps parameter names to strings", field="config.query")
    try:
        if "url" in config:
            if not isinstance(config["url"], str):
                raise ValidationFailed("config.url must be a string", field="config.url")
            url = make_source_url(config["url"])
            changes = {k: v for k, v in parts.items() if v is not None}
            url = url.set(**changes) if changes else url
            return url.update_query_dict(dict(query)) if query else url
        return URL.create(kind, **parts, query=dict(query or {}))
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(f"invalid {kind} config: {exc}", field="config") from None
