"""The catalogue: assets, their tags and profiles."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, Field, computed_field, field_validator

from dataready.analysis.tag_derivation import COLUMN_FAMILIES as DERIVED_FAMILIES
from dataready.api.schemas.common import ReadModel, RequestModel, UTCTimestamp


class AssetRead(ReadModel):
    id: uuid.UUID
    fqn: str
    parent_fqn: str | None
    asset_type: str
    name: str
    database_name: str | None
    schema_name: str | None
    table_name: str | None
    column_name: str | None
    data_type: str | None
    type_family: str | None
    ordinal_position: int | None
    nullable: bool | None
    comment: str | None
    row_count_estimate: int | None
    size_bytes: int | None
    details: dict[str, Any]
    version: int
    status: str
    deleted_at: UTCTimestamp | None
    created_at: UTCTimestamp
    updated_at: UTCTimestamp


class TagRef(BaseModel):
    """A tag on an asset that a derived tag follows."""

    asset_fqn: str
    tag: str


LabelType = Literal["Manual", "Derived", "Automated"]


class TagRead(ReadModel):
    """A tag on an asset.

    ``source`` says who decided (``machine`` or ``person``); ours, additive: ``label_type``
    (as OpenMetadata names it) says how — ``Manual`` (a person's decision, applied or
    removed), ``Derived`` (follows ``derived_from``, e.g. ``Sensitivity.Confidential`` from
    ``PII.LastName``; empty for a default level) or ``Automated`` (found in the data by a
    run).
    """

    tag: str
    asset_fqn: str
    source: str
    state: str
    confidence: float | None
    evidence: dict[str, Any]
    run_id: uuid.UUID | None
    workflow_type: str | None
    updated_at: UTCTimestamp
    created_by: str | None = None
    derived_from: list[TagRef] = Field(default_factory=list)

    @field_validator("derived_from", mode="before")
    @classmethod
    def _none_is_empty(cls, value: object) -> object:
        return [] if value is None else value

    @computed_field  # type: ignore[prop-decorator]
    @property
    def label_type(self) -> LabelType:
        if self.source == "person":
            return "Manual"
        return "Derived" if self.tag.startswith(DERIVED_FAMILIES) else "Automated"


class ProfileRead(ReadModel):
    """A stored table profile as the caller may see it.

    Every column of ``profile`` carries ``masked``: ``null`` (as stored), ``"personal"``
    (tagged as personal data and the caller is below ``auth.unmasked_role``: raw values shown
    masked, value-derived figures withheld) or ``"secret"`` (no values for anyone).
    """

    id: uuid.UUID
    table_fqn: str
    run_id: uuid.UUID | None
    profiled_at: UTCTimestamp
    row_count: int | None
    row_count_exact: bool
    sampled: bool
    sample_method: str | None
    rows_seen: int | None
    column_count: int
    profile: dict[str, Any]


class AssetDetail(AssetRead):
    """``GET /assets/{fqn}``: the asset with its children, tags and latest profile."""

    children: list[AssetRead] = Field(default_factory=list)
    tags: list[TagRead] = Field(default_factory=list)
    profile: dict[str, Any] | None = None


class TagSet(RequestModel):
    note: str | None = Field(default=None, max_length=2000)
