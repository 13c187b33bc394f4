"""Profiles as they may be stored and read: the store side of profile masking.

The rules are pure (:mod:`dataready.analysis.profile_masking`); this module feeds them the
columns' tags from the store:

- :func:`storable_profile` (write time): a new profile loses the values of every column
  that is a secret *now* — tagged ``PII.Secret``, or named or valued like one by the
  classifier's rules — before it is stored.  Profiling often runs before classification,
  which is why the name rules matter here.
- :func:`scrub_secret_values` (tag time): when a column becomes a secret, the stored history
  of its table loses that column's values, in the transaction that applies the tag.
- :func:`readable_profile` / :func:`readable_profiles` (read time, every API and CLI read):
  personal columns masked for readers below the unmasked role and secret columns stripped
  for everyone, from the tags as they are *now*, so a later tag masks earlier profiles.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from dataready.analysis.profile_masking import (
    SECRET_TAG,
    ColumnTags,
    mask_profile,
    profile_policies,
    secret_columns,
)
from dataready.domain.enums import Role
from dataready.domain.fqn import FQN
from dataready.domain.tenant import Principal, Tenant
from dataready.settings import Settings
from dataready.store import profiles as profiles_q
from dataready.store import tags as tags_q

SCRUB_PAGE = 100
"""Stored profiles read at a time while scrubbing a table's history."""


def may_unmask(principal: Principal, settings: Settings) -> bool:
    """Whether ``principal`` reads personal values in clear (``auth.unmasked_role``)."""
    return principal.has_role(Role(settings.auth.unmasked_role))


def column_tags(session: Session, tenant: Tenant, table_fqn: str) -> dict[str, ColumnTags]:
    """The tags of a table's columns, by column name (applied, and removed by a person)."""
    table = FQN.parse(table_fqn)
    active: dict[str, set[str]] = {}
    removed: dict[str, set[str]] = {}
    for row in tags_q.list_tags(session, tenant, under=table_fqn, include_inactive=True):
        key = FQN.parse(row.asset_fqn)
        if key.column is None or FQN(*key.parts[:-1]) != table:
            continue
        if row.state == tags_q.APPLIED:
            active.setdefault(key.column, set()).add(row.tag)
        elif row.state == tags_q.REMOVED and row.source == tags_q.PERSON:
            removed.setdefault(key.column, set()).add(row.tag)
    return {
        name: ColumnTags(frozenset(active.get(name, ())), frozenset(removed.get(name, ())))
        for name in active.keys() | removed.keys()
    }


def readable_profiles(
    session: Session,
    tenant: Tenant,
    table_fqn: str,
    docs: Iterable[Mapping[str, Any]],
    *,
    unmasked: bool,
) -> list[dict[str, Any]]:
    """Stored profiles of one table as a reader may see them (the tags are read once)."""
    tags = column_tags(session, tenant, table_fqn)
    return [mask_profile(doc, profile_policies(doc, tags), unmasked=unmasked) for doc in docs]


def readable_profile(
    session: Session, tenant: Tenant, table_fqn: str, doc: Mapping[str, Any], *, unmasked: bool
) -> dict[str, Any]:
    """One stored profile as a reader may see it."""
    return readable_profiles(session, tenant, table_fqn, [doc], unmasked=unmasked)[0]


def storable_profile(
    session: Session, tenant: Tenant, table_fqn: str, doc: Mapping[str, Any]
) -> dict[str, Any]:
    """A new profile without the values of the table's secret columns."""
    tags = column_tags(session, tenant, table_fqn)
    return mask_profile(doc, profile_policies(doc, tags), unmasked=True)


def scrub_secret_values(session: Session, tenant: Tenant, table_fqns: Iterable[str]) -> int:
    """Drop the values of secret columns from the stored profiles of ``table_fqns``.

    Runs in the caller's transaction (the one that applies the secret tag).  Only profiles
    that still hold such values are rewritten; returns how many were.
    """
    rewritten = 0
    for table_fqn in sorted(set(table_fqns)):
        tags = column_tags(session, tenant, table_fqn)
        offset = 0
        while True:
            rows, total = profiles_q.profile_history(
                session, tenant, table_fqn, limit=SCRUB_PAGE, offset=offset
            )
            for row in rows:
                policies = profile_policies(row.profile, tags)
                if not secret_columns(policies):
                    continue
                clean = mask_profile(row.profile, policies, unmasked=True)
                if clean != row.profile:
                    row.profile = clean
                    rewritten += 1
            offset += SCRUB_PAGE
            if offset >= total:
                break
    session.flush()
    return rewritten


def secret_tag_tables(assets: Iterable[tuple[str, str]]) -> set[str]:
    """The tables of the columns in ``(asset_fqn, tag)`` pairs that tag a secret."""
    out = set()
    for fqn, tag in assets:
        if tag != SECRET_TAG:
            continue
        key = FQN.parse(fqn)
        if key.column is not None:
            out.add(str(FQN(*key.parts[:-1])))
    return out
