"""Services: named source connections. Credentials are write-only."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import Field, field_validator

from dataready.api.schemas.common import ReadModel, RequestModel, UTCTimestamp
from dataready.api.schemas.inputs import JsonObject
from dataready.domain.services import SERVICE_NAME_PATTERN, SERVICE_NAME_RULE, check_service_name
from dataready.errors import ValidationFailed


class ServiceVerify(RequestModel):
    """``POST /services/verify``: test a connection without saving it."""

    connection_type: str = Field(
        min_length=1,
        max_length=64,
        description="postgres, mysql, sqlite, duckdb, sqlalchemy (with config.url), or a "
        "SQLAlchemy dialect (trino, snowflake, bigquery, redshift, …). A URL whose scheme has "
        "a native connector (postgresql://, mysql://, sqlite://, duckdb://) always uses it. "
        "Generic SQLAlchemy sources need the admin role.",
    )
    config: JsonObject = Field(
        default_factory=dict,
        description="host, port, database, path, params, url, connect_args, … Secret keys "
        "(password, sslpassword, token, private_key, api_key, client_secret, …) at any depth "
        "and in a URL query are stored encrypted and shown as ***.",
    )
    credentials: JsonObject = Field(
        default_factory=dict, description="username and password (write-only)."
    )


class ServiceCreate(ServiceVerify):
    name: str = Field(
        min_length=1,
        max_length=64,
        pattern=SERVICE_NAME_PATTERN,
        description=f"The first part of every FQN of the service: {SERVICE_NAME_RULE}.",
    )
    description: str | None = Field(default=None, max_length=4000)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        try:
            return check_service_name(value)
        except ValidationFailed as exc:
            raise ValueError(exc.message) from None


class ServiceUpdate(RequestModel):
    connection_type: str | None = Field(default=None, min_length=1, max_length=64)
    config: JsonObject | None = None
    credentials: JsonObject | None = None
    description: str | None = Field(default=None, max_length=4000)


class VerifyRead(ReadModel):
    success: bool
    message: str
    latency_ms: float | None
    details: dict[str, Any]


class ServiceRead(ReadModel):
    """A service as the API shows it: never its credentials."""

    id: uuid.UUID
    name: str
    connection_type: str
    config: dict[str, Any]
    description: str | None
    has_credentials: bool
    created_at: UTCTimestamp
    updated_at: UTCTimestamp


class ServiceChangeRead(ServiceRead):
    """``PATCH /services/{id}``: the service, and what re-pointing it dropped."""

    credentials_cleared: bool = Field(
        description="The stored credentials were dropped: the service now points at another "
        "target (type, host, port, database, user or path) and none were given for it."
    )
    catalogue_dropped: bool = Field(
        description="The service's assets, with their profiles and tags, were deleted: they "
        "described the previous target."
    )
    assets_dropped: int
    notices: list[str] = Field(description="What changed besides the fields sent, in words.")
