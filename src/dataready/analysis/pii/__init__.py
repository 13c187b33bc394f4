"""PII classification: which columns hold personal data, how sure we are, and why.

Pure: takes a column's name, type, sample and profile (``ColumnEvidence``) and returns
findings with evidence (``ColumnClassification``); nothing here reads a database.
"""

from __future__ import annotations

from dataready.analysis.pii.classifier import (
    DEFAULT_CONFIDENCE_THRESHOLD,
    ColumnClassification,
    EntityFinding,
    classify_column,
)
from dataready.analysis.pii.entities import (
    NON_SENSITIVE_TAG,
    SENSITIVE_TAG,
    Entity,
)
from dataready.analysis.pii.evidence import TYPE_FAMILIES, ColumnEvidence
from dataready.analysis.tags import TagProposal

__all__ = [
    "DEFAULT_CONFIDENCE_THRESHOLD",
    "NON_SENSITIVE_TAG",
    "SENSITIVE_TAG",
    "TYPE_FAMILIES",
    "ColumnClassification",
    "ColumnEvidence",
    "Entity",
    "EntityFinding",
    "TagProposal",
    "classify_column",
]
