"""The tenant and the caller's identity."""

from __future__ import annotations

from dataclasses import dataclass, field

from dataready.domain.enums import Role


@dataclass(frozen=True, slots=True)
class Tenant:
    """``client_id`` + ``project_id``: every stored row belongs to exactly one."""

    client_id: str
    project_id: str


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling, for which tenant, with which roles."""

    tenant: Tenant
    roles: frozenset[Role] = field(default_factory=lambda: frozenset({Role.DEVELOPER}))
    subject: str | None = None

    @property
    def client_id(self) -> str:
        return self.tenant.client_id

    def has_role(self, needed: Role) -> bool:
        return any(r.rank >= needed.rank for r in self.roles)
