"""Opening a connector for a service named in a run's FQN."""

from __future__ import annotations

import uuid

from dataready.connectors.base import Connector
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
    return connect(config, ctx.settings.sources), service_id
