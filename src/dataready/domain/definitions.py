"""The fifteen built-in workflow definitions a fresh installation has.

Ids are stable (UUID5 of the workflow type) so that every installation and every test
sees the same built-in ids.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from dataready.domain.enums import Category, WorkflowType

BUILTIN_NAMESPACE = uuid.UUID("6f1f3c4e-2d7a-4c39-9a55-0d1c7a0b9e01")


@dataclass(frozen=True)
class BuiltinDefinition:
    workflow_type: WorkflowType
    name: str
    category: Category
    description: str
    data_asset_types: list[str] = field(default_factory=lambda: ["table"])
    default_config: dict[str, Any] = field(default_factory=dict)
    requires_approval: bool = False
    require_reference_pack: bool = False

    @property
    def id(self) -> uuid.UUID:
        return builtin_definition_id(self.workflow_type)


def builtin_definition_id(workflow_type: WorkflowType | str) -> uuid.UUID:
    return uuid.uuid5(BUILTIN_NAMESPACE, str(workflow_type))


_ALL_LEVELS = ["service", "database", "schema", "table"]

BUILTIN_DEFINITIONS: list[BuiltinDefinition] = [
    BuiltinDefinition(
        WorkflowType.SERVICE_INGESTION,
        "Service Ingestion",
        Category.INGESTION,
        "Catalogue a service: databases, schemas, tables, views, columns, types, keys, "
        "comments and row counts.",
        data_asset_types=["service", "database", "schema"],
        default_config={
            "include_databases": [],
            "exclude_databases": [],
            "include_schemas": [],
            "exclude_schemas": [],
            "include_tables": [],
            "exclude_tables": [],
            "include_views": True,
        },
    ),
    BuiltinDefinition(
        WorkflowType.PROFILING,
        "Data Profiling",
        Category.ASSESSMENT,
        "Column and table statistics in one scan per table, kept as history.",
        data_asset_types=["schema", "table"],
        default_config={"sample_rows": None, "sample_percent": None, "allow_estimates": True},
    ),
    BuiltinDefinition(
        WorkflowType.GENERATE_TABLE_DESCRIPTION,
        "Table Description Generation",
        Category.ENRICHMENT,
        "Business description of each table.",
        default_config={"llm": "auto"},
        requires_approval=True,
    ),
    BuiltinDefinition(
        WorkflowType.ENRICH_TABLE_COLUMNS,
        "Column Enrichment",
        Category.ENRICHMENT,
        "Description and semantic type of each column.",
        default_config={"llm": "auto"},
        requires_approval=True,
    ),
    BuiltinDefinition(
        WorkflowType.METADATA_ENRICHMENT,
        "Metadata Enrichment",
        Category.ENRICHMENT,
        "Table description, domain, sensitivity level, suggested data steward, relationship "
        "summary and column descriptions.",
        data_asset_types=["schema", "table"],
        default_config={"llm": "auto"},
        requires_approval=True,
    ),
    BuiltinDefinition(
        WorkflowType.GENERATE_PII_TAGS,
        "PII Detection",
        Category.ENRICHMENT,
        "Find columns holding personal data and tag them, with confidence and evidence.",
        data_asset_types=["schema", "table"],
        default_config={"confidence_threshold": 0.8, "sample_rows": 1000},
        requires_approval=True,
    ),
    BuiltinDefinition(
        WorkflowType.GENERATE_SENSITIVITY_TAGS,
        "Sensitivity Classification",
        Category.ENRICHMENT,
        "Sensitivity level of each column and table: Public, Internal, Confidential, Restricted.",
        data_asset_types=["schema", "table"],
        default_config={"level_overrides": {}},
        requires_approval=True,
    ),
    BuiltinDefinition(
        WorkflowType.GENERATE_DQ_TAGS,
        "Data Quality Tags",
        Category.DATA_QUALITY,
        "Tag columns with data-quality characteristics drawn from their profile.",
        data_asset_types=["schema", "table"],
        default_config={"null_rate_threshold": 0.5, "stale_after_days": 30},
        requires_approval=True,
    ),
    BuiltinDefinition(
        WorkflowType.DQ_TAG_GENERATION,
        "Data Quality Tag Generation",
        Category.DATA_QUALITY,
        "The same work as generate-dq-tags (both names are in use).",
        data_asset_types=["schema", "table"],
        default_config={"null_rate_threshold": 0.5, "stale_after_days": 30},
        requires_approval=True,
    ),
    BuiltinDefinition(
        WorkflowType.DQ_RULE_GENERATION,
        "Data Quality Rule Generation",
        Category.DATA_QUALITY,
        "Propose data-quality rules per column and table, validated against the source.",
        data_asset_types=["schema", "table"],
        default_config={"use_validation": True},
        requires_approval=True,
    ),
    BuiltinDefinition(
        WorkflowType.DQ_EXECUTION,
        "Data Quality Execution",
        Category.DATA_QUALITY,
        "Run the active rules against the source and record results and violations.",
        data_asset_types=["schema", "table"],
        default_config={"max_violation_samples": 10},
    ),
    BuiltinDefinition(
        WorkflowType.METADATA_ASSESSMENT,
        "Metadata Assessment",
        Category.ASSESSMENT,
        "Score metadata coverage (descriptions, owners, tags) into metric snapshots and "
        "violations.",
        data_asset_types=["schema", "table"],
    ),
    BuiltinDefinition(
        WorkflowType.DQ_ASSESSMENT,
        "Data Quality Assessment",
        Category.ASSESSMENT,
        "Score data quality per dimension into metric snapshots and violations.",
        data_asset_types=["schema", "table"],
    ),
    BuiltinDefinition(
        WorkflowType.INTELLIGENCE,
        "Data Intelligence",
        Category.INTELLIGENCE,
        "Discover relationships and join keys (declared and inferred) and summarise "
        "readiness insights.",
        data_asset_types=["database", "schema"],
    ),
    BuiltinDefinition(
        WorkflowType.RUN_ALL_ENRICHMENT,
        "Run All Enrichment",
        Category.ENRICHMENT,
        "Run the enrichment workflows as one run, in dependency order.",
        data_asset_types=["schema", "table"],
        requires_approval=True,
    ),
]

BUILTIN_BY_TYPE: dict[str, BuiltinDefinition] = {
    d.workflow_type.value: d for d in BUILTIN_DEFINITIONS
}
