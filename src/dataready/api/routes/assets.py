"""``/assets``: the catalogue, with each asset's tags and profiles.

FQNs travel in the path as they are written (``/assets/PostgreSQL.dvdrental.public.customer``);
URL-encode a part that holds a slash or a space.  A slash written as ``%2F`` belongs to the
name, a literal slash separates a sub-resource: ``/assets/s.d.sc.a%2Fprofile`` is the table
``a/profile``, ``/assets/s.d.sc.a/profile`` the profile of the table ``a``.  ASGI servers
decode ``%2F`` in the routed path, so the routes below tell the two apart by ``raw_path``.

Profiles are read through :mod:`dataready.workflows.profile_access`: values of columns
tagged as personal data are masked for roles below ``auth.unmasked_role``, and columns that
are secrets show no values to anyone.
"""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import unquote

from fastapi import APIRouter, Body, Depends, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from dataready.api.auth import Developer, Viewer
from dataready.api.deps import DbSession, Page, app_settings
from dataready.api.schemas.assets import AssetDetail, AssetRead, ProfileRead, TagRead, TagSet
from dataready.api.schemas.common import AssetFQN, InputTimestamp, json_response
from dataready.api.schemas.common import Page as PageOf
from dataready.domain.fqn import FQN, FQNLevel
from dataready.domain.tenant import Principal, Tenant
from dataready.errors import NotFound, ValidationFailed
from dataready.settings import Settings
from dataready.store import assets as assets_q
from dataready.store import profiles as profiles_q
from dataready.store import tags as tags_q
from dataready.store.orm import Asset, Profile
from dataready.workflows import tag_decisions
from dataready.workflows.profile_access import (
    may_unmask,
    readable_profiles,
)

router = APIRouter(prefix="/assets", tags=["assets"])

AppSettings = Annotated[Settings, Depends(app_settings)]

TAG_NAME = tag_decisions.TAG_NAME


def _fqn(text: str) -> FQN:
    return FQN.parse(text, field="fqn")


def _profile_doc(row: Profile, doc: dict[str, Any], fqn: FQN) -> dict[str, Any]:
    """The table profile ``doc`` (as this reader may see it), or a column's part of it."""
    read = ProfileRead.model_validate(row).model_dump(mode="json")
    if fqn.level is not FQNLevel.COLUMN:
        return {**read, "profile": doc}
    for col in doc.get("columns") or []:
        if col.get("name") == fqn.column:
            return {
                "table_fqn": row.table_fqn,
                "run_id": read["run_id"],
                "profiled_at": read["profiled_at"],
                "column": col,
            }
    raise NotFound(f"the latest profile of {row.table_fqn} has no column {fqn.column!r}")


def _readable(
    session: Session, principal: Principal, settings: Settings, table_fqn: str, rows: list[Profile]
) -> list[dict[str, Any]]:
    """The stored documents of ``rows`` masked for ``principal`` by the tags as they are now."""
    return readable_profiles(
        session,
        principal.tenant,
        table_fqn,
        [r.profile for r in rows],
        unmasked=may_unmask(principal, settings),
    )


def _sub_resource(request: Request, *names: str) -> bool:
    """Whether the path ends with ``/<names[0]>/…`` written with literal slashes.

    ``%2F`` is decoded in the routed ``path`` but kept in ``raw_path``: a route for
    ``{fqn}/profile`` is also reached by ``/assets/s.d.sc.a%2Fprofile``, which names the
    table ``a/profile`` instead.  Without a ``raw_path`` (not every ASGI server sends one)
    the routed reading stands.
    """
    raw = request.scope.get("raw_path")
    if not raw:
        return True
    segments = raw.decode("latin-1").split("/")
    return [unquote(p) for p in segments[-len(names) :]] == list(names)


def _known_asset(session: Session, tenant: Tenant, key: FQN, suffix: str) -> Asset:
    """The catalogued asset of ``key`` (404 naming it otherwise, for every sub-resource)."""
    try:
        return assets_q.get_asset(session, tenant, str(key))
    except NotFound as exc:
        whole = f"{key}/{suffix}"
        try:
            assets_q.get_asset(session, tenant, whole)
        except NotFound:
            raise exc from None
        raise NotFound(
            f"asset {str(key)!r} is not in the catalogue; for the asset {whole!r} write its "
            "slash as %2F",
            resource="asset",
            fqn=str(key),
        ) from None


def _table_fqn(fqn: FQN) -> str:
    if fqn.level not in (FQNLevel.TABLE, FQNLevel.COLUMN):
        raise ValidationFailed(
            f"fqn {fqn} is a {fqn.level.value}; profiles belong to tables and columns",
            field="fqn",
        )
    return str(FQN(fqn.service, fqn.database, fqn.schema, fqn.table))


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
    request: Request,
    principal: Viewer,
    session: DbSession,
    settings: AppSettings,
    as_of: Annotated[InputTimestamp | None, Query()] = None,
) -> Response:
    """The latest profile (or the latest at or before ``as_of``) of a table or column.

    Values of personal columns are masked below ``auth.unmasked_role``; secret columns
    show none.
    """
    if not _sub_resource(request, "profile"):
        return _asset_detail(f"{fqn}/profile", principal, session, settings)
    key = _fqn(fqn)
    table = _table_fqn(key)
    _known_asset(session, principal.tenant, key, "profile")
    row = profiles_q.latest_profile(session, principal.tenant, table, as_of=as_of)
    doc = _profile_doc(row, _readable(session, principal, settings, table, [row])[0], key)
    return Response(content=_dumps(doc), media_type="application/json")


@router.get("/{fqn:path}/profiles")
def list_profiles(
    fqn: str,
    request: Request,
    principal: Viewer,
    session: DbSession,
    settings: AppSettings,
    page: Page,
) -> Response:
    """Profile history of a table or column, newest first (for trend charts), masked as
    ``GET …/profile`` is."""
    if not _sub_resource(request, "profiles"):
        return _asset_detail(f"{fqn}/profiles", principal, session, settings)
    key = _fqn(fqn)
    table = _table_fqn(key)
    _known_asset(session, principal.tenant, key, "profiles")
    rows, total = profiles_q.profile_history(
        session, principal.tenant, table, limit=page.limit, offset=page.offset
    )
    docs = _readable(session, principal, settings, table, rows)
    items = [_profile_doc(r, d, key) for r, d in zip(rows, docs, strict=True)]
    body = {"items": items, "total": total, "limit": page.limit, "offset": page.offset}
    return Response(content=_dumps(body), media_type="application/json")


@router.get("/{fqn:path}/tags", response_model=list[TagRead])
def list_asset_tags(
    fqn: str,
    request: Request,
    principal: Viewer,
    session: DbSession,
    settings: AppSettings,
    include_removed: bool = False,
) -> Response:
    """The asset's tags with their source (machine or person) and evidence."""
    if not _sub_resource(request, "tags"):
        return _asset_detail(f"{fqn}/tags", principal, session, settings)
    key = _fqn(fqn)
    _known_asset(session, principal.tenant, key, "tags")
    rows = tags_q.list_tags(
        session, principal.tenant, asset_fqn=str(key), include_inactive=include_removed
    )
    return Response(
        content=_dumps([TagRead.model_validate(t).model_dump(mode="json") for t in rows]),
        media_type="application/json",
    )


@router.put("/{fqn:path}/tags/{tag}", response_model=TagRead)
def set_asset_tag(
    fqn: str,
    tag: Annotated[str, ...],
    request: Request,
    principal: Developer,
    session: DbSession,
    body: Annotated[TagSet | None, Body()] = None,
) -> Response:
    """A person applies a tag; no later run removes it.

    The tags derived from it (``PII.Sensitive``, ``Sensitivity.*``, ``PrivacyCategory.*``)
    follow in the same transaction. ``PII.Secret`` on a column also drops that column's
    values from its stored profiles.
    """
    _check_tag(tag)
    _check_sub_resource(request, tag)
    key = _fqn(fqn)
    _known_asset(session, principal.tenant, key, f"tags/{tag}")
    row = tag_decisions.set_tag(
        session,
        principal.tenant,
        str(key),
        tag,
        by=principal.client_id,
        note=body.note if body else None,
    )
    doc = TagRead.model_validate(row)
    session.commit()
    return json_response(doc)


@router.delete("/{fqn:path}/tags/{tag}", response_model=TagRead)
def remove_asset_tag(
    fqn: str, tag: str, request: Request, principal: Developer, session: DbSession
) -> Response:
    """A person removes a tag; no later run re-applies it, and the tags derived only from it
    go in the same transaction. Setting the tag again undoes the removal."""
    _check_sub_resource(request, tag)
    key = str(_fqn(fqn))
    row = tag_decisions.remove_tag(session, principal.tenant, key, tag, by=principal.client_id)
    doc = TagRead.model_validate(row)
    session.commit()
    return json_response(doc)


@router.get("/{fqn:path}", response_model=AssetDetail)
def get_asset(fqn: str, principal: Viewer, session: DbSession, settings: AppSettings) -> Response:
    """One asset with its children, tags and latest profile (masked as ``…/profile`` is)."""
    return _asset_detail(fqn, principal, session, settings)


def _asset_detail(fqn: str, principal: Principal, session: Session, settings: Settings) -> Response:
    key = _fqn(fqn)
    row = assets_q.get_asset(session, principal.tenant, str(key))
    children = assets_q.list_children(session, principal.tenant, row.fqn)
    profile: dict[str, Any] | None = None
    if key.level in (FQNLevel.TABLE, FQNLevel.COLUMN):
        table = _table_fqn(key)
        try:
            latest = profiles_q.latest_profile(session, principal.tenant, table)
            doc = _readable(session, principal, settings, table, [latest])[0]
            profile = _profile_doc(latest, doc, key)
        except NotFound:
            profile = None
    tags = tags_q.list_tags(session, principal.tenant, asset_fqn=row.fqn)
    detail = AssetDetail.model_validate(row).model_copy(
        update={
            "children": [AssetRead.model_validate(c) for c in children],
            "tags": [TagRead.model_validate(t) for t in tags],
            "profile": profile,
        }
    )
    return json_response(detail)


def _check_sub_resource(request: Request, tag: str) -> None:
    """``…/tags/{tag}`` must be written with literal slashes (``%2F`` belongs to a name)."""
    if not _sub_resource(request, "tags", tag):
        raise NotFound(
            "no such resource: a tag is set at /assets/{fqn}/tags/{tag}, with literal slashes "
            "before 'tags' and the tag (a slash inside the FQN is written %2F)",
            resource="tag",
        )


def _check_tag(tag: str) -> None:
    tag_decisions.check_tag_name(tag)


def _dumps(doc: Any) -> bytes:
    return json.dumps(doc, default=str).encode()
