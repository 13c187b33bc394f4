"""Messages for the ways a source connection or statement fails.

Each engine module recognises its driver's errors and picks a kind here; this module turns
the kind into the dataready error with a message saying what to check. Driver text is
appended for the specifics, after :func:`scrub` removed any secret that might appear in it.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

from dataready.errors import (
    ConnectionFailed,
    ConnectorError,
    QueryFailed,
    QueryTimeout,
    ReadOnlyViolation,
    SourceAuthFailed,
    SourceDatabaseNotFound,
    SourcePermissionDenied,
    SourceTLSFailed,
)


class ConnectFailure(StrEnum):
    REFUSED = "refused"
    DNS = "dns"
    TIMEOUT = "timeout"
    AUTH = "auth"
    UNKNOWN_DATABASE = "unknown_database"
    TLS = "tls"
    OTHER = "other"


# Checked in order: the first match wins (an unknown database before a failed login).
_PATTERNS: list[tuple[ConnectFailure, re.Pattern[str]]] = [
    (ConnectFailure.REFUSED, re.compile(r"connection refused|errno 111|no route to host", re.I)),
    (
        ConnectFailure.DNS,
        re.compile(
            r"name or service not known|could not translate host name|failed to resolve|"
            r"nodename nor servname|temporary failure in name resolution|getaddrinfo|errno -[23]",
            re.I,
        ),
    ),
    (ConnectFailure.TIMEOUT, re.compile(r"timed? ?out|timeout expired", re.I)),
    (
        ConnectFailure.UNKNOWN_DATABASE,
        re.compile(r'database ".*" does not exist|unknown database', re.I),
    ),
    (
        ConnectFailure.AUTH,
        re.compile(
            r"password authentication failed|access denied|authentication failed|"
            r'role ".*" does not exist|no pg_hba\.conf entry|no password supplied',
            re.I,
        ),
    ),
    (ConnectFailure.TLS, re.compile(r"\bssl\b|\btls\b|certificate", re.I)),
]


def classify_connect_message(message: str) -> ConnectFailure:
    """Guess the failure kind from a driver's message."""
    for kind, pattern in _PATTERNS:
        if pattern.search(message):
            return kind
    return ConnectFailure.OTHER


def scrub(text: str, *secrets: str | None) -> str:
    """``text`` with every non-empty secret replaced by ``***``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def connect_error(
    kind: ConnectFailure,
    target: str,
    detail: str,
    *,
    timeout: float | None = None,
    **details: Any,
) -> ConnectorError:
    """The error for a failed connect to ``target`` (a password-free description)."""
    suffix = f" ({detail.strip()})" if detail.strip() else ""
    if kind is ConnectFailure.REFUSED:
        return ConnectionFailed(
            f"cannot reach {target}: the connection was refused. Check the host and port, and "
            f"that the server is running and accepts TCP connections{suffix}",
            reason=kind.value,
            **details,
        )
    if kind is ConnectFailure.DNS:
        return ConnectionFailed(
            f"cannot resolve the host name of {target}. Check the host for typos and that DNS "
            f"resolves it from this machine{suffix}",
            reason=kind.value,
            **details,
        )
    if kind is ConnectFailure.TIMEOUT:
        limit = f" after {timeout:g}s" if timeout else ""
        return ConnectionFailed(
            f"connecting to {target} timed out{limit}. Check the host and port, firewalls and "
            f"network routes, or raise sources.connect_timeout_seconds{suffix}",
            reason=kind.value,
            **details,
        )
    if kind is ConnectFailure.AUTH:
        return SourceAuthFailed(
            f"{target} refused the login. Check the user name and password (the password is "
            f"never shown){suffix}",
            reason=kind.value,
            **details,
        )
    if kind is ConnectFailure.UNKNOWN_DATABASE:
        return SourceDatabaseNotFound(
            f"{target}: the database does not exist on the server. Check the database name "
            f"(names may be case-sensitive){suffix}",
            reason=kind.value,
            **details,
        )
    if kind is ConnectFailure.TLS:
        return SourceTLSFailed(
            f"TLS with {target} failed: one side requires TLS the other does not offer, or the "
            f"certificate is not trusted. Check the ssl settings of the source{suffix}",
            reason=kind.value,
            **details,
        )
    return ConnectionFailed(f"cannot connect to {target}{suffix}", reason=kind.value, **details)


def timeout_error(seconds: float, detail: str = "", **details: Any) -> QueryTimeout:
    extra = f" ({detail.strip()})" if detail.strip() else ""
    return QueryTimeout(
        f"the statement ran past the {seconds:g}s statement timeout and was cancelled. Narrow "
        f"the query (fewer rows or columns, a sample) or raise "
        f"sources.statement_timeout_seconds{extra}",
        timeout_seconds=seconds,
        **details,
    )


def read_only_error(detail: str, **details: Any) -> ReadOnlyViolation:
    return ReadOnlyViolation(
        f"the source refused a write: dataready opens sources read-only and never changes "
        f"them ({detail.strip()})",
        **details,
    )


def permission_error(detail: str, **details: Any) -> SourcePermissionDenied:
    return SourcePermissionDenied(
        f"the source user lacks a privilege for this statement. Grant it read access (SELECT, "
        f"USAGE on the schema) or leave the object out ({detail.strip()})",
        **details,
    )


def query_error(detail: str, **details: Any) -> QueryFailed:
    return QueryFailed(f"the source rejected the statement: {detail.strip()}", **details)


def lost_connection_error(target: str, detail: str, **details: Any) -> ConnectionFailed:
    return ConnectionFailed(
        f"the connection to {target} was lost ({detail.strip()}). The server may have "
        "restarted or dropped idle connections; the next call reconnects",
        reason="lost",
        **details,
    )
