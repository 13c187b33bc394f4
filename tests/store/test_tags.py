"""Machine tags are re-evaluated; a person's decision is never overturned by a run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.store.catalog import add_catalogue

from dataready.domain.tenant import Tenant
from dataready.settings import Settings
from dataready.store import tags as tags_q
from dataready.store.db import Store
from dataready.workflows.engine import prepare_store

T = Tenant("c", "p")
OTHER = Tenant("c", "other")
EMAIL = "s.d.x.customer.email"
PHONE = "s.d.x.customer.phone"


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    st = Store(settings)
    prepare_store(st)
    with st.session() as s:
        add_catalogue(s, T, "s", [EMAIL, PHONE])
    yield st
    st.dispose()


def _run(store: Store, tags: list[tags_q.MachineTag]) -> tags_q.TagChanges:
    with store.session() as s:
        return tags_q.sync_machine_tags(
            s,
            T,
            assets={EMAIL, PHONE},
            families=("PII.",),
            tags=tags,
            run_id=None,
            workflow_type="generate-pii-tags",
        )


def _active(store: Store, tenant: Tenant = T) -> dict[tuple[str, str], str]:
    with store.session() as s:
        return {(t.asset_fqn, t.tag): t.source for t in tags_q.list_tags(s, tenant)}


def test_machine_tags_are_applied_updated_and_withdrawn(store: Store) -> None:
    first = _run(
        store,
        [
            tags_q.MachineTag(EMAIL, "PII.Email", 0.97, {"share": 0.99}),
            tags_q.MachineTag(PHONE, "PII.Phone", 0.9),
        ],
    )
    assert len(first.applied) == 2
    second = _run(store, [tags_q.MachineTag(EMAIL, "PII.Email", 0.98)])
    assert len(second.updated) == 1 and len(second.withdrawn) == 1
    assert _active(store) == {(EMAIL, "PII.Email"): "machine"}
    assert _active(store, OTHER) == {}


def test_person_decisions_outlive_runs(store: Store) -> None:
    _run(store, [tags_q.MachineTag(EMAIL, "PII.Email", 0.97)])
    with store.session() as s:
        tags_q.remove_tag(s, T, EMAIL, "PII.Email", by="alice")
        tags_q.set_tag(s, T, PHONE, "PII.Phone", by="bob")
    changes = _run(store, [tags_q.MachineTag(EMAIL, "PII.Email", 0.99)])
    assert changes.kept_by_person == 1 and changes.applied == []
    active = _active(store)
    assert active[(PHONE, "PII.Phone")] == "person"  # not withdrawn by the run
    assert (EMAIL, "PII.Email") not in active
    with store.session() as s, pytest.raises(Exception, match="has no tag"):
        tags_q.remove_tag(s, T, EMAIL, "PII.Email", by="alice")
