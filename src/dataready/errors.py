"""One error tree for dataready.

Every error has a stable ``code`` (the API error-envelope code), an HTTP ``status``, structured
``details`` and a message that says what happened and what to do next.  ``transient`` marks
errors worth retrying: executors retry only those.
"""

from __future__ import annotations

from typing import Any


class DatareadyError(Exception):
    """Root of every error dataready raises on purpose."""

    code = "INTERNAL_ERROR"
    status = 500
    transient = False

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = {k: v for k, v in details.items() if v is not None}

    def __str__(self) -> str:
        return self.message


class ConfigError(DatareadyError):
    """Settings or a workflow configuration are wrong."""

    code = "CONFIG_ERROR"
    status = 500


class InvalidRequest(DatareadyError):
    """The request cannot be read at all (malformed JSON, wrong content)."""

    code = "INVALID_REQUEST"
    status = 400


class ValidationFailed(DatareadyError):
    """The request was read but a field holds a value we cannot accept."""

    code = "VALIDATION_ERROR"
    status = 422

    def __init__(self, message: str, *, field: str | None = None, **details: Any) -> None:
        super().__init__(message, field=field, **details)
        self.field = field


class SourceNotAllowed(ValidationFailed):
    """A source points somewhere dataready may not read (outside the allowed file roots, the
    store itself, its data directory or key). The message never says whether a file exists."""

    code = "SOURCE_NOT_ALLOWED"


class InvalidFQN(ValidationFailed):
    """A fully qualified name does not parse."""


class TargetNotFound(ValidationFailed):
    """A run's target is not what its workflow type works on: an FQN that is not in the
    catalogue, or that names no registered service. ``details.closest`` lists the nearest
    catalogued names at the same level."""

    code = "TARGET_NOT_FOUND"


class InvalidConfig(ValidationFailed):
    """A workflow configuration or run parameters do not match the workflow type's schema.
    ``details.errors`` lists each bad field, ``details.known_keys`` the keys the type takes."""

    code = "INVALID_CONFIG"


class AuthError(DatareadyError):
    """The caller could not be authenticated."""

    code = "INVALID_TOKEN"
    status = 401


class PermissionDenied(DatareadyError):
    """The caller is authenticated but may not do this."""

    code = "INSUFFICIENT_PERMISSIONS"
    status = 403


class NotFound(DatareadyError):
    """The resource does not exist for this tenant (or at all: the two are indistinguishable)."""

    code = "RESOURCE_NOT_FOUND"
    status = 404


class Conflict(DatareadyError):
    """The request clashes with the current state of a resource."""

    code = "CONFLICT"
    status = 409


class AlreadyExists(Conflict):
    """A resource with the same identity exists."""

    code = "RESOURCE_ALREADY_EXISTS"


class InvalidTransition(Conflict):
    """A run, task or approval cannot move from its state to the requested one."""

    code = "INVALID_STATE_TRANSITION"


class UnknownName(DatareadyError):
    """A registry lookup failed; the message lists the known names."""

    code = "VALIDATION_ERROR"
    status = 422


class RunCancelled(DatareadyError):
    """Raised inside a task when its run was cancelled; the runner stops cooperatively."""

    code = "RUN_CANCELLED"
    status = 409


class TaskFailed(DatareadyError):
    """A task failed for a reason that retrying will not fix."""

    code = "TASK_FAILED"
    status = 500


class TransientTaskError(TaskFailed):
    """A task failed for a reason that may pass (a lost connection, a busy server)."""

    code = "TASK_TRANSIENT_ERROR"
    transient = True


class ConnectorError(DatareadyError):
    """Talking to a source database failed."""

    code = "CONNECTOR_ERROR"
    status = 502


class ConnectionFailed(ConnectorError):
    """A source cannot be reached or refuses the login."""

    code = "CONNECTION_FAILED"
    transient = True


class QueryTimeout(ConnectorError):
    """A statement ran past the server-side statement timeout."""

    code = "QUERY_TIMEOUT"
    status = 504


class QueryFailed(ConnectorError):
    """A statement sent to a source failed."""

    code = "QUERY_FAILED"


class ServiceUnavailable(DatareadyError):
    """A dependency of dataready itself (the store, a JWKS endpoint) is unavailable."""

    code = "SERVICE_UNAVAILABLE"
    status = 503
    transient = True
    retry_after_seconds = 5
    """What the API sends as ``Retry-After``."""


class StoreUnavailable(ServiceUnavailable):
    """The metadata store cannot be reached (refused or dropped connections, no free slot)."""


class MissingExtra(ConfigError):
    """An optional dependency is not installed."""

    code = "MISSING_DEPENDENCY"

    def __init__(self, package: str, extra: str) -> None:
        super().__init__(
            f"{package} is not installed: install it with `pip install 'dataready[{extra}]'`.",
            package=package,
            extra=extra,
        )


class ReadOnlyViolation(QueryFailed):
    """A statement sent to a source would write, or change the session's read-only state."""

    code = "READ_ONLY_VIOLATION"
    status = 403


class SourceAuthFailed(ConnectionFailed):
    """A source refused the login (wrong user or password); retrying will not help."""

    code = "SOURCE_AUTH_FAILED"
    transient = False


class SourceDatabaseNotFound(ConnectionFailed):
    """The database named in a source connection does not exist on the server."""

    code = "SOURCE_DATABASE_NOT_FOUND"
    transient = False


class SourceTLSFailed(ConnectionFailed):
    """TLS was required by one side and refused or failed on the other."""

    code = "SOURCE_TLS_FAILED"
    transient = False


class SourcePermissionDenied(QueryFailed):
    """The source user lacks a privilege needed to read an object."""

    code = "SOURCE_PERMISSION_DENIED"
    status = 403


class SourceObjectUnreadable(QueryFailed):
    """The source lists a table or view but cannot describe its columns (a view over a
    dropped table, a view whose definer lacks rights); ingestion catalogues it with the
    reason instead of leaving it out."""

    code = "SOURCE_OBJECT_UNREADABLE"
