"""A person's decisions on tags, one path for the API and the CLI.

Setting or removing a tag by hand goes through the store (``store.tags``), where the tags
derived from it follow in the same transaction (``store.tag_lineage``); a ``PII.Secret`` set
on a column also drops that column's values from its stored profiles.  The caller owns the
transaction.
"""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from dataready.domain.tenant import Tenant
from dataready.errors import ValidationFailed
from dataready.store import tags as tags_q
from dataready.store.orm import Tag
from dataready.workflows.profile_access import scrub_secret_values, secret_tag_tables

TAG_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.\-]{0,254}$")


def check_tag_name(tag: str) -> None:
    """Raises ``ValidationFailed`` unless ``tag`` is a tag name."""
    if not TAG_NAME.match(tag):
        raise ValidationFailed(
            f"tag {tag!r} is not a tag name: letters, digits, '.', '_' and '-', starting with "
            "a letter (e.g. PII.Email)",
            field="tag",
        )


def set_tag(
    session: Session, tenant: Tenant, asset_fqn: str, tag: str, *, by: str, note: str | None
) -> Tag:
    """A person applies ``tag`` (also undoing their earlier removal of it)."""
    check_tag_name(tag)
    row = tags_q.set_tag(session, tenant, asset_fqn, tag, by=by, note=note)
    scrub_secret_values(session, tenant, secret_tag_tables([(asset_fqn, tag)]))
    return row


def remove_tag(session: Session, tenant: Tenant, asset_fqn: str, tag: str, *, by: str) -> Tag:
    """A person removes ``tag``: later runs respect the removal until the tag is set again."""
    return tags_q.remove_tag(session, tenant, asset_fqn, tag, by=by)
