"""Services: named source connections. Credentials are write-only."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import Field, field_validator

from dataready.api.schemas.common import ReadModel, RequestModel, UTCTimestamp
from dataready.api.schemas.inputs import JsonObject


class ServiceVerify(RequestModel):
    """``POST /services/verify``: test a connection without saving it."""

    connection_type: str = Field(
        min_length=1,
        max_length=64,
        description="postgres, mysql, sqlite, duckdb, or a SQLAlchemy dialect (trino, …)",
    )
    config: JsonObject = Field(default_factory=dict)
    credentials: JsonObject = Field(default_factory=dict)


class ServiceCreate(ServiceVerify):
    name: str = Field(min_length=1, max_length=255)
    description: str | None = Field(default=None, max_length=4000)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if value != value.strip() or any(c in value for c in '"\n\r\t'):
            raise ValueError("a service name has no surrounding spaces, quotes or line breaks")
        return value


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
