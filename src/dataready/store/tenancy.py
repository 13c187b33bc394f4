"""Tenant scoping shared by every query module."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, and_, or_

from dataready.domain.tenant import Tenant
from dataready.store.orm import TenantMixin, WorkflowDefinition

S = TypeVar("S", bound=Select[Any])


def scoped(stmt: S, model: type[TenantMixin], tenant: Tenant) -> S:
    """Restrict a SELECT to the rows of ``tenant``."""
    return stmt.where(
        and_(model.client_id == tenant.client_id, model.project_id == tenant.project_id)
    )


def definitions_visible(stmt: S, tenant: Tenant) -> S:
    """Definitions a tenant sees: the shared built-ins and its own."""
    return stmt.where(
        or_(
            WorkflowDefinition.is_builtin.is_(True),
            and_(
                WorkflowDefinition.client_id == tenant.client_id,
                WorkflowDefinition.project_id == tenant.project_id,
            ),
        )
    )
