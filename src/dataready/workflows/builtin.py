"""Registration of the built-in workflow types (each family module registers itself here)."""

from __future__ import annotations

from dataready.workflows.registry import register_workflow


def register_builtins() -> None:
    """Register every built-in workflow implementation, as a plugin would."""
    from dataready.workflows.approval import register_applier
    from dataready.workflows.classification import GeneratePIITags
    from dataready.workflows.dq_tagging import DQTagGeneration, GenerateDQTags
    from dataready.workflows.ingestion import ServiceIngestion
    from dataready.workflows.profiling import Profiling
    from dataready.workflows.review import register_reviewer
    from dataready.workflows.sensitivity import GenerateSensitivityTags
    from dataready.workflows.tag_review import MachineTagsReviewer
    from dataready.workflows.tagging import PROPOSAL_KIND, apply_machine_tags

    for workflow in (
        ServiceIngestion,
        Profiling,
        GeneratePIITags,
        GenerateSensitivityTags,
        GenerateDQTags,
        DQTagGeneration,
    ):
        register_workflow(workflow.workflow_type, workflow, replace=True)
    register_applier(PROPOSAL_KIND, apply_machine_tags, replace=True)
    register_reviewer(PROPOSAL_KIND, MachineTagsReviewer(), replace=True)
