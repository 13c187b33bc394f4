"""Registration of the built-in workflow types (each family module registers itself here)."""

from __future__ import annotations

from dataready.workflows.registry import register_workflow


def register_builtins() -> None:
    """Register every built-in workflow implementation, as a plugin would."""
    from dataready.workflows.ingestion import ServiceIngestion

    register_workflow(ServiceIngestion.workflow_type, ServiceIngestion, replace=True)
