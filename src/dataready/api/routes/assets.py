"""``/assets``: the catalogue, with each asset's tags and profiles.

FQNs travel in the path as they are written (``/assets/PostgreSQL.dvdrental.public.customer``);
URL-encode a part that holds a slash or a space.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from sqlalchemy.orm import Session
from starlette.responses import Response

from dataready.api.auth import Developer, Viewer
from dataready.api.deps import DbSession, Page
from dataready.api.schemas.assets import AssetDetail, AssetRead, ProfileRead, TagRead, TagSet
from dataready.api.schemas.common import AssetFQN, InputTimestamp, json_response
from dataready.api.schemas.common import Page as PageOf
from dataready.domain.fqn import FQN, FQNLevel
from dataready.domain.tenant import Tenant
from dataready.errors import NotFound, ValidationFailed
from dataready.store import assets as assets_q
from dataready.store import profiles as profiles_q
from dataready.store import tags as tags_q
from dataready.store.orm import Profile

router = APIRouter(prefix="/assets", tags=["assets"])

TAG_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.\-]{0,254}$")


def _fqn(text: str) -> FQN:
    return FQN.parse(text, field="fqn")


def _profile_doc(row: Profile, fqn: FQN) -> dict[str, Any]:
    """The table profile, or the column's part of it for a column FQN."""
    if fqn.level is not FQNLevel.COLUMN:
        return ProfileRead.model_validate(row).model_dump(mode="json")
    for col in row.profile.get("columns") or []:
        if col.get("name") == fqn.column:
            return {
                "table_fqn": row.table_fqn,
                "run_id": str(row.run_id) if row.run_id else None,
                "profiled_at": ProfileRead.model_validate(row).model_dump(mode="json")[
                    "profiled_at"
                ],
                "column": col,
            }
    raise NotFound(f"the latest profile of {row.table_fqn} has no column {fqn.column!r}")


def _table_fqn(fqn: FQN) -> str:
    if fqn.level not in (FQNLevel.TABLE, FQNLevel.COLUMN):
        raise ValidationFailed(
            f"fqn {fqn} is a {fqn.level.value}; profiles belong to tables and columns",
            field="fqn",
        )
    return str(FQN(fqn.service, fqn.database, fqn.schema, fqn.table))


def _latest(session: Session, tenant: Tenant, fqn: FQN, as_of: datetime | None = None) -> Profile:
    return profiles_q.latest_profile(session, tenant, _table_fqn(fqn), as_of=as_of)


@router.get("", response_model=PageOf[AssetRead])
def list_assets(
    principal: Viewer,
    session: DbSession,
    page: Page,
    fqn: Annotated[AssetFQN | None, Query(description="FQN prefix")] = None,
    type: Annotated[str | None, Query(description="database, schema, table, view, column")] = None,
    q: Annotated[str | None, Query(max_length=200, description="text in names/comments")] = None,
    tag: Annotated[str | None, Query(max_length=255)] = None,
    include_deleted: bool = False,
) -> Response:
    """The catalogue, filtered."""
    rows, total = assets_q.list_assets(
        session,
        principal.tenant,
        fqn_prefix=fqn,
        asset_type=type,
        q=q,
        tag=tag,
        include_deleted=include_deleted,
        limit=page.limit,
        offset=page.offset,
    )
    return json_response(
        PageOf[AssetRead](
            items=[AssetRead.model_validate(r) for r in rows],
            total=total,
            limit=page.limit,
            offset=page.offset,
        )
    )


@router.get("/{fqn:path}/profile")
def get_profile(
    fqn: str,
    principal: Viewer,
    session: DbSession,
    as_of: Annotated[InputTimestamp | None, Query()] = None,
) -> Response:
    """The latest profile (or the latest at or before ``as_of``) of a table or column."""
    key = _fqn(fqn)
    doc = _profile_doc(_latest(session, principal.tenant, key, as_of), key)
    return Response(content=_dumps(doc), media_type="application/json")


@router.get("/{fqn:path}/profiles")
def list_profiles(fqn: str, principal: Viewer, session: DbSession, page: Page) -> Response:
    """Profile history of a table or column, newest first (for trend charts)."""
    key = _fqn(fqn)
    rows, total = profiles_q.profile_history(
        session, principal.tenant, _table_fqn(key), limit=page.limit, offset=page.offset
    )
    items = [_profile_doc(r, key) for r in rows]
    body = {"items": items, "total": total, "limit": page.limit, "offset": page.offset}
    return Response(content=_dumps(body), media_type="application/json")


@router.get("/{fqn:path}/tags", response_model=list[TagRead])
def list_asset_tags(
    fqn: str, principal: Viewer, session: DbSession, include_removed: bool = False
) -> Response:
    """The asset's tags with their source (machine or person) and evidence."""
    key = str(_fqn(fqn))
    assets_q.get_asset(session, principal.tenant, key)
    rows = tags_q.list_tags(
        session, principal.tenant, asset_fqn=key, include_inactive=include_removed
    )
    return Response(
        content=_dumps([TagRead.model_validate(t).model_dump(mode="json") for t in rows]),
        media_type="application/json",
    )


@router.put("/{fqn:path}/tags/{tag}", response_model=TagRead)
def set_asset_tag(
    fqn: str,
    tag: Annotated[str, ...],
    principal: Developer,
    session: DbSession,
    body: Annotated[TagSet | None, Body()] = None,
) -> Response:
    """A person applies a tag; no later run removes it."""
    _check_tag(tag)
    key = str(_fqn(fqn))
    assets_q.get_asset(session, principal.tenant, key)
    row = tags_q.set_tag(
        session,
        principal.tenant,
        key,
        tag,
        by=principal.client_id,
        note=body.note if body else None,
    )
    doc = TagRead.model_validate(row)
    session.commit()
    return json_response(doc)


@router.delete("/{fqn:path}/tags/{tag}", response_model=TagRead)
def remove_asset_tag(fqn: str, tag: str, principal: Developer, session: DbSession) -> Response:
    """A person removes a tag; no later run re-applies it."""
    key = str(_fqn(fqn))
    row = tags_q.remove_tag(session, principal.tenant, key, tag, by=principal.client_id)
    doc = TagRead.model_validate(row)
    session.commit()
    return json_response(doc)


@router.get("/{fqn:path}", response_model=AssetDetail)
def get_asset(fqn: str, principal: Viewer, session: DbSession) -> Response:
    """One asset with its children, tags and latest profile."""
    key = _fqn(fqn)
    row = assets_q.get_asset(session, principal.tenant, str(key))
    children = assets_q.list_children(session, principal.tenant, row.fqn)
    profile: dict[str, Any] | None = None
    if key.level in (FQNLevel.TABLE, FQNLevel.COLUMN):
        try:
            profile = _profile_doc(_latest(session, principal.tenant, key), key)
        except NotFound:
            profile = None
    tags = tags_q.list_tags(session, principal.tenant, asset_fqn=row.fqn)
    doc = AssetDetail.model_validate(row).model_copy(
        update={
            "children": [AssetRead.model_validate(c) for c in children],
            "tags": [TagRead.model_validate(t) for t in tags],
            "profile": profile,
        }
    )
    return json_response(doc)


def _check_tag(tag: str) -> None:
    if not TAG_NAME.match(tag):
        raise ValidationFailed(
            f"tag {tag!r} is not a tag name: letters, digits, '.', '_' and '-', starting with "
            "a letter (e.g. PII.Email)",
            field="tag",
        )


def _dumps(doc: Any) -> bytes:
    return json.dumps(doc, default=str).encode()
