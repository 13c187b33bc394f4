"""Shared schema pieces: UTC timestamps with a ``Z``, request bases, pages, the error envelope."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)
from pydantic_core import PydanticCustomError
from starlette.responses import Response

from dataready.api.schemas.inputs import check_value
from dataready.domain.enums import WORKFLOW_TYPE_ALIASES
from dataready.domain.fqn import FQN, MAX_FQN_LENGTH, MAX_PARTS, FQNLevel
from dataready.domain.schedule import validate_cron, validate_timezone
from dataready.errors import ValidationFailed

T = TypeVar("T")


def iso_utc(value: datetime) -> str:
    """``2024-01-15T10:30:00Z``; fractional seconds only when they are not zero."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"


def _as_utc(value: datetime) -> datetime:
    """Datetimes given by a client, in UTC; naive ones are read as UTC.

    ``0001-01-01T00:00:00+01:00`` and ``9999-12-31T23:59:59-01:00`` fall outside the years
    a datetime holds once converted: they answer 422, not an overflow.
    """
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise PydanticCustomError(
            "datetime_out_of_range",
            "the timestamp falls outside 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59Z once "
            "converted to UTC",
        ) from None


UTCTimestamp = Annotated[
    datetime,
    PlainSerializer(iso_utc, return_type=str, when_used="json"),
]
"""A timestamp serialised as ISO 8601 UTC with a ``Z`` suffix."""


MAX_FQN_PART = 255
"""Characters of one FQN part: runs keep service, database, schema and table names in columns
of this width (engines allow 63 to 128)."""


def _check_fqn(value: Any) -> Any:
    if isinstance(value, str):
        try:
            fqn = FQN.parse(value)
        except ValidationFailed as exc:
            raise PydanticCustomError("invalid_fqn", "{reason}", {"reason": exc.message}) from None
        for level, part in zip(FQNLevel, fqn.parts, strict=False):
            if len(part) > MAX_FQN_PART:
                raise PydanticCustomError(
                    "invalid_fqn",
                    "the {level} name is {n} characters long; at most {limit}",
                    {"level": level.value, "n": len(part), "limit": MAX_FQN_PART},
                )
        return str(fqn)
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


_UNQUOTED = rf'[^."\s\x00](?:[^."\x00]{{0,{MAX_FQN_PART - 2}}}[^."\s\x00])?'
_QUOTED = rf'"(?:[^"\x00]|""){{1,{MAX_FQN_PART}}}"'
_PART = f"(?:{_UNQUOTED}|{_QUOTED})"


def fqn_schema(min_parts: int = 1, max_parts: int = MAX_PARTS) -> dict[str, Any]:
    """The JSON schema of an FQN of ``min_parts`` to ``max_parts`` parts.

    Its pattern is the FQN as the API writes it: a part with a dot, a quote or surrounding
    spaces is quoted (the parser also reads a few spellings it normalises, such as needless
    quotes).
    """
    return {
        "type": "string",
        "minLength": 1,
        "maxLength": MAX_FQN_LENGTH,
        "pattern": rf"^{_PART}(?:\.{_PART}){{{min_parts - 1},{max_parts - 1}}}$",
        "description": "service.database.schema.table[.column]; quote a part holding a dot or "
        'a double quote, doubling inner quotes: PostgreSQL.sales."eu.west".orders',
    }


FQN_SCHEMA = fqn_schema()

AssetFQN = Annotated[str, BeforeValidator(_check_fqn), WithJsonSchema(FQN_SCHEMA)]
"""An asset FQN, parsed (422 naming the field when it does not parse) and normalised."""
CronExpression = Annotated[
    str,
    Field(
        min_length=1,
        max_length=255,
        # documented, and enforced by croniter (whose message is the more helpful one)
        json_schema_extra={"pattern": r"^\s*(@\w+|\S+(\s+\S+){4,6})\s*$"},
        description="Five (or six, with seconds) cron fields, e.g. '0 2 * * *', or @daily.",
    ),
    AfterValidator(_check_cron),
]
"""A cron expression; bounded and shaped before croniter reads it (422 when it does not parse)."""
TimeZoneName = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        json_schema_extra={"pattern": r"^[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*$"},
        description="An IANA time zone, e.g. UTC or Europe/Berlin.",
    ),
    AfterValidator(_check_timezone),
]
"""An IANA zone name; bounded before the zone database is asked (a long name is an OSError)."""
WorkflowTypeAlias = BeforeValidator(_canonical_workflow_type)
"""Maps ``generate-dq-rules`` to ``dq-rule-generation`` before enum validation."""
InputTimestamp = Annotated[
    datetime,
    AfterValidator(_as_utc),
    PlainSerializer(iso_utc, return_type=str, when_used="json"),
]
"""A timestamp a client sends: read as UTC when it carries no offset."""


class RequestModel(BaseModel):
    """A request body whose fields the contract fixes: unknown fields answer 422.

    Every field, at any depth, is checked for what no store can keep (NUL characters,
    unpaired surrogates, NaN and Infinity, nesting beyond a bound): see
    :mod:`dataready.api.schemas.inputs`.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _storable(cls, value: Any, info: ValidationInfo) -> Any:
        return check_value(value, str(info.field_name))


class ReadModel(BaseModel):
    """A response document, built from ORM rows."""

    model_config = ConfigDict(from_attributes=True)


class ErrorBody(BaseModel):
    """What went wrong, in the shape every error of the API has."""

    code: str = Field(
        pattern=r"^[A-Z][A-Z0-9_]*$",
        description="Stable machine-readable code, e.g. VALIDATION_ERROR, RESOURCE_NOT_FOUND.",
    )
    message: str = Field(description="What happened and what to do next.")
    status: int = Field(ge=400, le=599, description="The HTTP status, repeated.")
    details: dict[str, Any] = Field(
        description="Structured facts: the field at fault, the resource and id, the limit…"
    )
    request_id: str = Field(description="Equal to the X-Request-ID response header.")
    trace_id: str


class ErrorEnvelope(BaseModel):
    """The body of every error response."""

    error: ErrorBody


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
