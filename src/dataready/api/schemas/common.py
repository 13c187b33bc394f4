"""Shared schema pieces: UTC timestamps with a ``Z``, request bases, pages."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, PlainSerializer
from pydantic_core import PydanticCustomError
from starlette.responses import Response

from dataready.domain.enums import WORKFLOW_TYPE_ALIASES
from dataready.domain.fqn import FQN
from dataready.domain.schedule import validate_cron, validate_timezone
from dataready.errors import ValidationFailed

T = TypeVar("T")


def iso_utc(value: datetime) -> str:
    """``2024-01-15T10:30:00Z``; fractional seconds only when they are not zero."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"


def _as_utc(value: datetime) -> datetime:
    """Datetimes given by a client, in UTC; naive ones are read as UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


UTCTimestamp = Annotated[
    datetime,
    PlainSerializer(iso_utc, return_type=str, when_used="json"),
]
"""A timestamp serialised as ISO 8601 UTC with a ``Z`` suffix."""


def _check_fqn(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return str(FQN.parse(value))
        except ValidationFailed as exc:
            raise PydanticCustomError("invalid_fqn", "{reason}", {"reason": exc.message}) from None
    return value


def _check_cron(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return validate_cron(value)
        except ValidationFailed as exc:
            raise PydanticCustomError("invalid_cron", "{reason}", {"reason": exc.message}) from None
    return value


def _check_timezone(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return validate_timezone(value)
        except ValidationFailed as exc:
            raise PydanticCustomError(
                "invalid_timezone", "{reason}", {"reason": exc.message}
            ) from None
    return value


def _canonical_workflow_type(value: Any) -> Any:
    if isinstance(value, str) and value in WORKFLOW_TYPE_ALIASES:
        return WORKFLOW_TYPE_ALIASES[value].value
    return value


AssetFQN = Annotated[str, BeforeValidator(_check_fqn)]
"""An asset FQN, parsed (422 naming the field when it does not parse) and normalised."""
CronExpression = Annotated[str, BeforeValidator(_check_cron)]
TimeZoneName = Annotated[str, BeforeValidator(_check_timezone)]
WorkflowTypeAlias = BeforeValidator(_canonical_workflow_type)
"""Maps ``generate-dq-rules`` to ``dq-rule-generation`` before enum validation."""
InputTimestamp = Annotated[
    datetime,
    AfterValidator(_as_utc),
    PlainSerializer(iso_utc, return_type=str, when_used="json"),
]
"""A timestamp a client sends: read as UTC when it carries no offset."""


class RequestModel(BaseModel):
    """A request body whose fields the contract fixes: unknown fields answer 422."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class ReadModel(BaseModel):
    """A response document, built from ORM rows."""

    model_config = ConfigDict(from_attributes=True)


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    items: list[T]
    total: int
    limit: int
    offset: int


def json_response(model: BaseModel, status_code: int = 200) -> Response:
    """Serialise ``model`` straight to JSON bytes (skips FastAPI's re-validation)."""
    return Response(
        content=model.model_dump_json(), status_code=status_code, media_type="application/json"
    )


def reject_nulls(value: Any, field: str) -> Any:
    """For PATCH bodies: a field that may be left out but not set to ``null``."""
    if value is None:
        raise PydanticCustomError(
            "null_not_allowed", "{field} cannot be null; leave it out to keep it", {"field": field}
        )
    return value
