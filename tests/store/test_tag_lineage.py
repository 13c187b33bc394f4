"""Derived tags follow the tags they were derived from, through a person's changes too."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import update
from tests.store.catalog import add_catalogue

from dataready.analysis.pii.entities import Entity
from dataready.analysis.tag_derivation import (
    derive_column,
    derive_table,
)
from dataready.domain.tenant import Tenant
from dataready.errors import NotFound
from dataready.settings import Settings
from dataready.store import tags as tags_q
from dataready.store.db import Store
from dataready.store.orm import Asset, Tag
from dataready.workflows.engine import prepare_store

T = Tenant("c", "p")
TABLE = "s.d.x.customer"
LAST = f"{TABLE}.last_name"
EMAIL = f"{TABLE}.email"
NOTE = f"{TABLE}.note"
COLUMNS = (LAST, EMAIL, NOTE)


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    st = Store(settings)
    prepare_store(st)
    with st.session() as s:
        add_catalogue(s, T, "s", [TABLE, *COLUMNS])
        s.execute(update(Asset).where(Asset.fqn.in_(COLUMNS)).values(parent_fqn=TABLE))
        s.commit()
    yield st
    st.dispose()


def _runs(store: Store, found: dict[str, dict[Entity, float]]) -> None:
    """A PII run then a sensitivity run, deriving as the workflows do."""
    derivations = [derive_column(fqn, found.get(fqn, {}), column=fqn) for fqn in COLUMNS]
    table = derive_table(TABLE, [d.state for d in derivations])
    derived = [t for d in derivations for t in d.tags] + table
    entity_tags = [
        tags_q.MachineTag(fqn, e.tag, conf)
        for fqn, ents in found.items()
        for e, conf in ents.items()
    ]
    for families in (("PII.",), ("Sensitivity.", "PrivacyCategory.")):
        with store.session() as s:
            tags_q.sync_machine_tags(
                s,
                T,
                assets={TABLE, *COLUMNS},
                families=families,
                tags=[
                    t
                    for t in entity_tags + [tags_q.MachineTag.derived(d) for d in derived]
                    if t.tag.startswith(families)
                ],
                run_id=None,
                workflow_type="test",
            )
            s.commit()


def _tags(store: Store, fqn: str) -> dict[str, Tag]:
    with store.session() as s:
        rows = tags_q.list_tags(s, T, asset_fqn=fqn)
        s.expunge_all()
    return {t.tag: t for t in rows}


def _sources(row: Tag) -> set[tuple[str, str]]:
    return {(r["asset_fqn"], r["tag"]) for r in row.derived_from or []}


def test_derived_tags_record_what_they_were_derived_from(store: Store) -> None:
    _runs(store, {LAST: {Entity.LAST_NAME: 0.9}, EMAIL: {Entity.EMAIL: 0.95}})
    last = _tags(store, LAST)
    assert set(last) == {
        "PII.LastName",
        "PII.Sensitive",
        "Sensitivity.Confidential",
        "PrivacyCategory.QuasiIdentifier",
    }
    assert last["PII.LastName"].derived_from is None  # an entity tag is not derived
    for tag in ("PII.Sensitive", "Sensitivity.Confidential", "PrivacyCategory.QuasiIdentifier"):
        assert _sources(last[tag]) == {(LAST, "PII.LastName")}, tag
    table = _tags(store, TABLE)
    assert _sources(table["PII.Sensitive"]) == {(LAST, "PII.Sensitive"), (EMAIL, "PII.Sensitive")}
    assert _sources(table["Sensitivity.Confidential"]) == {
        (LAST, "Sensitivity.Confidential"),
        (EMAIL, "Sensitivity.Confidential"),
    }
    assert _tags(store, NOTE).keys() == {"Sensitivity.Internal", "PrivacyCategory.None"}
    assert _tags(store, NOTE)["Sensitivity.Internal"].derived_from is None  # the default


def test_removing_an_entity_tag_by_hand_removes_what_only_it_supported(store: Store) -> None:
    _runs(store, {LAST: {Entity.LAST_NAME: 0.9}})
    with store.session() as s:
        removed = tags_q.remove_tag(s, T, LAST, "PII.LastName", by="steward")
        assert (removed.source, removed.state) == ("person", "removed")
        s.commit()
    last = _tags(store, LAST)
    # the column is now what it would be with no finding: the default level, no category
    assert set(last) == {"Sensitivity.Internal", "PrivacyCategory.None"}
    table = _tags(store, TABLE)
    assert "PII.Sensitive" not in table  # its only sensitive column is not any more
    assert set(table) == {"Sensitivity.Internal", "PrivacyCategory.None"}
    with store.session() as s:
        gone = {t.tag: t for t in tags_q.list_tags(s, T, asset_fqn=LAST, include_inactive=True)}
    assert gone["Sensitivity.Confidential"].state == "withdrawn"
    assert gone["PII.Sensitive"].state == "withdrawn"


def test_a_derived_tag_another_tag_supports_stays(store: Store) -> None:
    _runs(store, {EMAIL: {Entity.EMAIL: 0.95}})
    with store.session() as s:
        tags_q.set_tag(s, T, EMAIL, "PII.LastName", by="steward")
        s.commit()
    email = _tags(store, EMAIL)
    assert _sources(email["Sensitivity.Confidential"]) == {
        (EMAIL, "PII.Email"),
        (EMAIL, "PII.LastName"),
    }
    assert _sources(email["PrivacyCategory.Identifier"]) == {(EMAIL, "PII.Email")}
    with store.session() as s:
        tags_q.remove_tag(s, T, EMAIL, "PII.LastName", by="steward")
        s.commit()
    email = _tags(store, EMAIL)
    assert _sources(email["Sensitivity.Confidential"]) == {(EMAIL, "PII.Email")}
    assert _sources(email["PII.Sensitive"]) == {(EMAIL, "PII.Email")}
    assert email["Sensitivity.Confidential"].source == "machine"


def test_an_entity_tag_set_by_hand_brings_its_derived_tags(store: Store) -> None:
    with store.session() as s:
        tags_q.set_tag(s, T, NOTE, "PII.Email", by="steward")
        s.commit()
    note = _tags(store, NOTE)
    assert note["PII.Email"].source == "person"
    for tag in ("PII.Sensitive", "Sensitivity.Confidential", "PrivacyCategory.Identifier"):
        assert note[tag].source == "machine" and _sources(note[tag]) == {(NOTE, "PII.Email")}
    table = _tags(store, TABLE)
    assert _sources(table["PII.Sensitive"]) == {(NOTE, "PII.Sensitive")}
    # no sensitivity run covered the table: its level is not the maximum of one column
    assert not any(t.startswith("Sensitivity.") for t in table)


def test_a_person_level_replaces_the_derived_one_and_the_table_takes_it(store: Store) -> None:
    _runs(store, {EMAIL: {Entity.EMAIL: 0.95}})
    with store.session() as s:
        tags_q.set_tag(s, T, EMAIL, "Sensitivity.Restricted", by="dpo")
        s.commit()
    email = _tags(store, EMAIL)
    assert {t for t in email if t.startswith("Sensitivity.")} == {"Sensitivity.Restricted"}
    assert email["Sensitivity.Restricted"].source == "person"
    assert email["Sensitivity.Restricted"].derived_from is None
    table = _tags(store, TABLE)
    assert _sources(table["Sensitivity.Restricted"]) == {(EMAIL, "Sensitivity.Restricted")}
    assert "Sensitivity.Confidential" not in table


def test_removal_is_undone_by_setting_the_tag_again(store: Store) -> None:
    _runs(store, {LAST: {Entity.LAST_NAME: 0.9}})
    with store.session() as s:
        tags_q.remove_tag(s, T, LAST, "PII.LastName", by="steward")
        s.commit()
    _runs(store, {LAST: {Entity.LAST_NAME: 0.9}})  # the same evidence again
    assert "PII.LastName" not in _tags(store, LAST)
    with store.session() as s:
        tags_q.set_tag(s, T, LAST, "PII.LastName", by="steward")
        s.commit()
    last = _tags(store, LAST)
    assert last["PII.LastName"].source == "person"
    assert _sources(last["PII.Sensitive"]) == {(LAST, "PII.LastName")}
    with store.session() as s, pytest.raises(NotFound):
        tags_q.remove_tag(s, T, LAST, "PII.Email", by="steward")
