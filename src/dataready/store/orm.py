"""ORM classes of the metadata store.

Every row carries its tenant (``client_id``, ``project_id``) and ``created_at`` /
``updated_at``.  Built-in workflow definitions are shared by all tenants and carry
``is_builtin`` with empty tenant columns.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from dataready.store.types import JSONType, UTCDateTime, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSONType, datetime: UTCDateTime()}


class TenantMixin:
    client_id: Mapped[str] = mapped_column(String(255), index=True)
    project_id: Mapped[str] = mapped_column(String(255), index=True)


class AuditMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class WorkflowDefinition(TenantMixin, AuditMixin, Base):
    __tablename__ = "workflow_definitions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(255))
    workflow_type: Mapped[str] = mapped_column(String(64), index=True)
    category: Mapped[str] = mapped_column(String(32))
    data_asset_types: Mapped[list[str]] = mapped_column(JSONType, default=list)
    description: Mapped[str | None] = mapped_column(Text)
    default_config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    requires_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    require_reference_pack: Mapped[bool] = mapped_column(Boolean, default=False)
    is_builtin: Mapped[bool] = mapped_column(Boolean, default=False)


class WorkflowConfiguration(TenantMixin, AuditMixin, Base):
    __tablename__ = "workflow_configurations"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    definition_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workflow_definitions.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    schedule: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    triggers: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    status: Mapped[str] = mapped_column(String(16), default="active")
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str | None] = mapped_column(String(255))

    definition: Mapped[WorkflowDefinition] = relationship(lazy="joined")


class WorkflowRun(TenantMixin, AuditMixin, Base):
    __tablename__ = "workflow_runs"
    __table_args__ = (Index("ix_workflow_runs_tenant_status", "client_id", "project_id", "status"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    configuration_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workflow_configurations.id", ondelete="CASCADE"), index=True
    )
    workflow_type: Mapped[str] = mapped_column(String(64))
    workflow_name: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    asset_fqn: Mapped[str | None] = mapped_column(Text)
    service_name: Mapped[str | None] = mapped_column(String(255))
    database_name: Mapped[str | None] = mapped_column(String(255))
    schema_name: Mapped[str | None] = mapped_column(String(255))
    table_name: Mapped[str | None] = mapped_column(String(255))
    save_all: Mapped[bool] = mapped_column(Boolean, default=False)
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    input: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    output: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    error_message: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None] = mapped_column()
    completed_at: Mapped[datetime | None] = mapped_column()
    cancelled_at: Mapped[datetime | None] = mapped_column()
    duration_seconds: Mapped[float | None] = mapped_column(Float)
    created_by: Mapped[str | None] = mapped_column(String(255))
    worker_id: Mapped[str | None] = mapped_column(String(255))
    heartbeat_at: Mapped[datetime | None] = mapped_column()
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, default=0)

    tasks: Mapped[list[WorkflowTask]] = relationship(
        back_populates="run", order_by="WorkflowTask.position", cascade="all, delete-orphan"
    )
    configuration: Mapped[WorkflowConfiguration] = relationship()


class WorkflowTask(TenantMixin, AuditMixin, Base):
    __tablename__ = "workflow_tasks"
    __table_args__ = (UniqueConstraint("run_id", "name"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    run_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workflow_runs.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(512))
    task_type: Mapped[str] = mapped_column(String(64))
    asset_fqn: Mapped[str | None] = mapped_column(Text)
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    depends_on: Mapped[list[str]] = mapped_column(JSONType, default=list)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempt: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime | None] = mapped_column()
    completed_at: Mapped[datetime | None] = mapped_column()
    duration_seconds: Mapped[float | None] = mapped_column(Float)
    error_message: Mapped[str | None] = mapped_column(Text)
    error_code: Mapped[str | None] = mapped_column(String(64))
    output: Mapped[dict[str, Any] | None] = mapped_column(JSONType)

    run: Mapped[WorkflowRun] = relationship(back_populates="tasks")


class Approval(TenantMixin, AuditMixin, Base):
    __tablename__ = "approvals"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    workflow_run_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workflow_runs.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[str] = mapped_column(String(16), default="pending")
    approved_by_client_id: Mapped[str | None] = mapped_column(String(255))
    approved_at: Mapped[datetime | None] = mapped_column()
    notes: Mapped[str | None] = mapped_column(Text)
    auto_saved: Mapped[bool] = mapped_column(Boolean, default=False)
    changes_applied: Mapped[dict[str, Any] | None] = mapped_column(JSONType)


class Proposal(TenantMixin, AuditMixin, Base):
    """A result a run proposes (a tag, a description, a rule) until it is applied."""

    __tablename__ = "proposals"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    run_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workflow_runs.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(64))
    asset_fqn: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="proposed")


class ProposalChange(TenantMixin, AuditMixin, Base):
    """One change a proposal makes (a tag added, a tag withdrawn…), as a person reviews it.

    A stored proposal may bundle many changes (a tagging run proposes a table's full tag
    set); each is listed, and accepted or rejected, on its own.  The row is written when the
    run completes, with what the catalogue held then (``before``) and what the change makes
    of it (``after``); its id is derived from the proposal and the change's subject, so it is
    stable.  What happened to it follows its proposal (``proposals.status``), except that a
    rejected change is never applied.
    """

    __tablename__ = "proposal_changes"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    proposal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    run_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workflow_runs.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(64))
    asset_fqn: Mapped[str | None] = mapped_column(Text)
    subject: Mapped[str | None] = mapped_column(Text)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    confidence: Mapped[float | None] = mapped_column(Float)
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)
    decision: Mapped[str] = mapped_column(String(16), default="pending")
    decided_by: Mapped[str | None] = mapped_column(String(255))
    decided_at: Mapped[datetime | None] = mapped_column()


class Service(TenantMixin, AuditMixin, Base):
    """A named connection to a source; its name is the first part of every FQN."""

    __tablename__ = "services"
    __table_args__ = (UniqueConstraint("client_id", "project_id", "name"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(255))
    connection_type: Mapped[str] = mapped_column(String(32))
    description: Mapped[str | None] = mapped_column(Text)
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    credentials_encrypted: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(255))


class Asset(TenantMixin, AuditMixin, Base):
    """A catalogued asset: database, schema, table, view or column, named by its FQN."""

    __tablename__ = "assets"
    __table_args__ = (
        UniqueConstraint("client_id", "project_id", "fqn"),
        Index("ix_assets_tenant_parent", "client_id", "project_id", "parent_fqn"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    service_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), index=True
    )
    fqn: Mapped[str] = mapped_column(Text)
    parent_fqn: Mapped[str | None] = mapped_column(Text)
    asset_type: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(Text)
    database_name: Mapped[str | None] = mapped_column(Text)
    schema_name: Mapped[str | None] = mapped_column(Text)
    table_name: Mapped[str | None] = mapped_column(Text)
    column_name: Mapped[str | None] = mapped_column(Text)
    data_type: Mapped[str | None] = mapped_column(Text)
    type_family: Mapped[str | None] = mapped_column(String(32))
    ordinal_position: Mapped[int | None] = mapped_column(Integer)
    nullable: Mapped[bool | None] = mapped_column(Boolean)
    comment: Mapped[str | None] = mapped_column(Text)
    row_count_estimate: Mapped[int | None] = mapped_column(BigInteger)
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    structure_hash: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16), default="active")
    deleted_at: Mapped[datetime | None] = mapped_column()
    last_run_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class Profile(TenantMixin, AuditMixin, Base):
    """One table's profile from one run; every profile is kept (history for trends).

    A profile belongs to its asset (``asset_id``): it goes when the asset goes (a deleted or
    re-pointed service), and a later asset with the same FQN never inherits it.
    ``table_fqn`` is kept for display.
    """

    __tablename__ = "profiles"
    __table_args__ = (Index("ix_profiles_asset_time", "asset_id", "profiled_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    asset_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"))
    table_fqn: Mapped[str] = mapped_column(Text)
    run_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    profiled_at: Mapped[datetime] = mapped_column()
    row_count: Mapped[int | None] = mapped_column(BigInteger)
    row_count_exact: Mapped[bool] = mapped_column(Boolean, default=True)
    sampled: Mapped[bool] = mapped_column(Boolean, default=False)
    sample_method: Mapped[str | None] = mapped_column(String(64))
    rows_seen: Mapped[int | None] = mapped_column(BigInteger)
    column_count: Mapped[int] = mapped_column(Integer, default=0)
    profile: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Tag(TenantMixin, AuditMixin, Base):
    """A tag on an asset: applied by a machine run or by a person, with its evidence.

    A person's decision (``source='person'``) is never overturned by a later run: a tag a
    person removed stays as ``state='removed'`` so that runs do not re-apply it.

    A tag belongs to its asset (``asset_id``) and goes with it; ``asset_fqn`` is kept for
    display and for the tenant-wide uniqueness of (FQN, tag).

    A derived tag (``PII.Sensitive``, ``Sensitivity.*``, ``PrivacyCategory.*``) records in
    ``derived_from`` the tags it follows, and goes when they go (``analysis.tag_derivation``).
    """

    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("client_id", "project_id", "asset_fqn", "tag"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    asset_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("assets.id", ondelete="CASCADE"), index=True
    )
    asset_fqn: Mapped[str] = mapped_column(Text)
    tag: Mapped[str] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(String(16), default="machine")
    state: Mapped[str] = mapped_column(String(16), default="applied")
    confidence: Mapped[float | None] = mapped_column(Float)
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)
    run_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    workflow_type: Mapped[str | None] = mapped_column(String(64))
    created_by: Mapped[str | None] = mapped_column(String(255))
    # the tags a derived tag follows (``[{"asset_fqn": …, "tag": …}]``); null for entity tags
    # and a person's tags
    derived_from: Mapped[list[dict[str, str]] | None] = mapped_column(JSONType)
