"""Profile history: every table profile is kept with its run id and time.

Profiles belong to their asset: they are stored against the catalogued table's id and read
through it, so they go with the asset and a later asset of the same FQN (a new service with
an old name) starts with none.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from dataready.domain.tenant import Tenant
from dataready.errors import NotFound
from dataready.store.assets import get_asset
from dataready.store.orm import Asset, Profile
from dataready.store.tenancy import scoped
from dataready.store.types import utcnow


def add_profile(
    session: Session,
    tenant: Tenant,
    *,
    table_fqn: str,
    run_id: uuid.UUID | None,
    profile: dict[str, Any],
    profiled_at: datetime | None = None,
) -> Profile:
    """Store one table profile (the ``TableProfile.to_dict()`` document).

    Raises:
        NotFound: the table is not in the catalogue (any more).
    """
    asset = get_asset(session, tenant, table_fqn)
    row = Profile(
        client_id=tenant.client_id,
        project_id=tenant.project_id,
        asset_id=asset.id,
        table_fqn=table_fqn,
        run_id=run_id,
        profiled_at=profiled_at or utcnow(),
        row_count=profile.get("row_count"),
        row_count_exact=bool(profile.get("row_count_exact", True)),
        sampled=bool(profile.get("sampled", False)),
        sample_method=profile.get("sample_method"),
        rows_seen=profile.get("rows_profiled"),
        column_count=int(profile.get("column_count") or len(profile.get("columns") or [])),
        profile=profile,
    )
    session.add(row)
    session.flush()
    return row


def _of_table(tenant: Tenant, table_fqn: str) -> Select[Profile]:
    # Through the asset: a profile whose asset is gone is never found by its old FQN.
    stmt = select(Profile).join(Asset, Asset.id == Profile.asset_id)
    stmt = stmt.where(
        Asset.client_id == tenant.client_id,
        Asset.project_id == tenant.project_id,
        Asset.fqn == table_fqn,
    )
    return scoped(stmt, Profile, tenant)


def latest_profile(
    session: Session, tenant: Tenant, table_fqn: str, *, as_of: datetime | None = None
) -> Profile:
    stmt = _of_table(tenant, table_fqn)
    if as_of is not None:
        stmt = stmt.where(Profile.profiled_at <= as_of)
    found = session.scalars(stmt.order_by(Profile.profiled_at.desc()).limit(1)).first()
    if found is None:
        when = f" at or before {as_of.isoformat()}" if as_of else ""
        raise NotFound(
            f"no profile of {table_fqn}{when}; run the profiling workflow on it first",
            resource="profile",
            fqn=table_fqn,
        )
    return found


def profile_history(
    session: Session, tenant: Tenant, table_fqn: str, *, limit: int = 50, offset: int = 0
) -> tuple[list[Profile], int]:
    stmt = _of_table(tenant, table_fqn)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(Profile.profiled_at.desc()).limit(limit).offset(offset)
    ).all()
    return list(rows), int(total)
