"""Opening a connector for a service named in a run's FQN, stopped by the run's cancel."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from dataready.connectors.base import Connector
from dataready.connectors.policy import SourcePolicy
from dataready.connectors.registry import connect
from dataready.store import services as services_q
from dataready.store.crypto import CredentialCipher
from dataready.workflows.base import RunContext


def open_service(ctx: RunContext, service_name: str) -> tuple[Connector, uuid.UUID]:
    """An open, read-only connector to the tenant's service ``service_name`` and its id."""
    with ctx.store.session() as s:
        service = services_q.get_service_by_name(s, ctx.tenant, service_name)
        config = services_q.connection_config(service, CredentialCipher(ctx.settings))
        service_id = service.id
    # The policy again, at open: the settings may have changed since the service was saved.
    policy = SourcePolicy.from_settings(ctx.settings)
    return connect(config, ctx.settings.sources, policy=policy), service_id


@contextmanager
def source_connection(ctx: RunContext, service_name: str) -> Iterator[tuple[Connector, uuid.UUID]]:
    """An open connector to ``service_name`` (and the service's id) whose statements the
    run's cancel stops: the connector's ``cancel()`` is the run's cancel callback while open.

    Raises:
        RunCancelled: the run was cancelled (before, or while a statement ran).
    """
    connector, service_id = open_service(ctx, service_name)
    with connector, ctx.cancel_scope(connector.cancel):
        yield connector, service_id


_SLOTS: dict[tuple[str, str, str], threading.BoundedSemaphore] = {}
_SLOTS_LOCK = threading.Lock()


@contextmanager
def service_slot(ctx: RunContext, service_name: str) -> Iterator[None]:
    """Hold one of the service's query slots (``sources.max_concurrent_per_service``).

    Bounds the heavy queries this process sends to one source across all its runs, so that
    a profiling run fanned out over many tables never floods a database.
    """
    key = (ctx.tenant.client_id, ctx.tenant.project_id, service_name)
    with _SLOTS_LOCK:
        slot = _SLOTS.get(key)
        if slot is None:
            slot = threading.BoundedSemaphore(ctx.settings.sources.max_concurrent_per_service)
            _SLOTS[key] = slot
    while not slot.acquire(timeout=0.25):
        ctx.check_cancelled()
    try:
        yield
    finally:
        slot.release()
