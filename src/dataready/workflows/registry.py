"""The workflow registry: every workflow type registers its implementation here.

Built-ins register through :func:`register_workflow`, the same function a plugin calls;
the entry-point group ``dataready.workflows`` is only the fallback.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from importlib.metadata import entry_points

from pydantic import BaseModel

from dataready.domain.enums import WORKFLOW_TYPE_ALIASES
from dataready.errors import UnknownName
from dataready.workflows.base import Workflow
from dataready.workflows.config_schemas import BUILTIN_CONFIG_MODELS

WorkflowFactory = Callable[[], Workflow]

_REGISTRY: dict[str, WorkflowFactory] = {}
_builtins_loaded = False


def register_workflow(
    workflow_type: str, factory: WorkflowFactory, *, replace: bool = False
) -> None:
    """Register the implementation of ``workflow_type``."""
    if workflow_type in _REGISTRY and not replace:
        raise ValueError(f"workflow type {workflow_type!r} is already registered")
    _REGISTRY[workflow_type] = factory


def unregister_workflow(workflow_type: str) -> None:
    _REGISTRY.pop(workflow_type, None)


_load_lock = threading.RLock()


def _load_builtins() -> None:
    global _builtins_loaded
    if _builtins_loaded:
        return
    with _load_lock:  # threads asking at once must all wait for the registrations
        if _builtins_loaded:
            return
        from dataready.workflows import builtin

        builtin.register_builtins()
        _builtins_loaded = True


def canonical_type(workflow_type: str) -> str:
    alias = WORKFLOW_TYPE_ALIASES.get(workflow_type)
    return alias.value if alias else workflow_type


def get_workflow(workflow_type: str) -> Workflow:
    """The implementation of ``workflow_type``.

    Raises:
        UnknownName: listing the registered types when none is found.
    """
    _load_builtins()
    name = canonical_type(workflow_type)
    factory = _REGISTRY.get(name)
    if factory is None:
        for ep in entry_points(group="dataready.workflows"):
            if ep.name == name:
                factory = ep.load()
                _REGISTRY[name] = factory
                break
    if factory is None:
        known = ", ".join(sorted(_REGISTRY)) or "none"
        raise UnknownName(
            f"workflow type {workflow_type!r} has no implementation installed in this "
            f"dataready; implemented types: {known}",
            field="workflow_type",
            workflow_type=workflow_type,
        )
    return factory()


def is_implemented(workflow_type: str) -> bool:
    """Whether this process can run ``workflow_type`` (built in, registered or a plugin)."""
    try:
        get_workflow(workflow_type)
    except UnknownName:
        return False
    return True


def registered_types() -> list[str]:
    _load_builtins()
    return sorted(_REGISTRY)


def config_model_for(workflow_type: str) -> type[BaseModel] | None:
    """The config and parameter model of ``workflow_type``: its implementation's
    ``config_model`` when one is installed (``None``: it declares none, any keys pass),
    else the built-in model of the type (a built-in type without its implementation yet)."""
    try:
        workflow = get_workflow(workflow_type)
    except UnknownName:
        return BUILTIN_CONFIG_MODELS.get(canonical_type(workflow_type))
    return workflow.config_model
