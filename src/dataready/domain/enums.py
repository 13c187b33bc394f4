"""Enumerations whose values are part of the API contract."""

from __future__ import annotations

from enum import StrEnum


class RunStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class TaskStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"


class ApprovalStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class ApprovalAction(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    PENDING = "pending"


class ProposalDecision(StrEnum):
    """A person's decision on one proposed change before the run is approved."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Category(StrEnum):
    INGESTION = "ingestion"
    ENRICHMENT = "enrichment"
    DATA_QUALITY = "data_quality"
    ASSESSMENT = "assessment"
    INTELLIGENCE = "intelligence"


class ConfigurationStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"


class Role(StrEnum):
    """Roles in increasing power; each includes the ones before it."""

    VIEWER = "viewer"
    OPERATOR = "operator"
    DEVELOPER = "developer"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _ROLE_RANK[self]


_ROLE_RANK = {Role.VIEWER: 0, Role.OPERATOR: 1, Role.DEVELOPER: 2, Role.ADMIN: 3}


class WorkflowType(StrEnum):
    SERVICE_INGESTION = "service-ingestion"
    PROFILING = "profiling"
    GENERATE_TABLE_DESCRIPTION = "generate-table-description"
    ENRICH_TABLE_COLUMNS = "enrich-table-columns"
    METADATA_ENRICHMENT = "metadata-enrichment"
    GENERATE_PII_TAGS = "generate-pii-tags"
    GENERATE_SENSITIVITY_TAGS = "generate-sensitivity-tags"
    GENERATE_DQ_TAGS = "generate-dq-tags"
    DQ_TAG_GENERATION = "dq-tag-generation"
    DQ_RULE_GENERATION = "dq-rule-generation"
    DQ_EXECUTION = "dq-execution"
    METADATA_ASSESSMENT = "metadata-assessment"
    DQ_ASSESSMENT = "dq-assessment"
    INTELLIGENCE = "intelligence"
    RUN_ALL_ENRICHMENT = "run-all-enrichment"


WORKFLOW_TYPE_ALIASES: dict[str, WorkflowType] = {
    "generate-dq-rules": WorkflowType.DQ_RULE_GENERATION,
}
