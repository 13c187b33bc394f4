"""Concurrent writes of one tag, from real clients against a live server.

People's PUTs and DELETEs of the same tag never collide (no 500, one row), and a machine run
whose results are applied at the same moment never overturns what a person decided.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests.api.conftest import PII_DEFINITION, TENANT_A, TERMINAL, assert_envelope
from tests.api.fakes import PROPOSAL_KIND
from tests.api.live import (
    LiveServer,
    admin,
    live_fixture,  # noqa: F401  (fixture)
    new_configuration,
    race,
    summary,
)

from dataready.domain.tenant import Tenant
from dataready.store import tags as tags_q
from dataready.store.orm import Asset, Proposal, Service, Tag, WorkflowRun
from dataready.workflows import approval

TRIALS = 20
WRITERS = 6
SERVICE = "pg"
TENANT = Tenant(*TENANT_A)


def seed_table(server: LiveServer, table: str, columns: int = 3) -> list[str]:
    """Catalogue ``pg.sales.public.<table>`` and its columns ``c0…``; their FQNs."""
    fqn = f"{SERVICE}.sales.public.{table}"
    with server.engine.store.session() as s:
        service = s.scalars(select(Service).where(Service.name == SERVICE)).first()
        if service is None:
            service = Service(
                client_id=TENANT.client_id,
                project_id=TENANT.project_id,
                name=SERVICE,
                connection_type="postgres",
                config={"host": "127.0.0.1", "database": "sales"},
            )
            s.add(service)
            s.flush()
        names = [fqn] + [f"{fqn}.c{i}" for i in range(columns)]
        for name in names:
            column = name.rsplit(".", 1)[1] if name != fqn else None
            s.add(
                Asset(
                    client_id=TENANT.client_id,
                    project_id=TENANT.project_id,
                    service_id=service.id,
                    fqn=name,
                    parent_fqn=fqn if column else f"{SERVICE}.sales.public",
                    asset_type="column" if column else "table",
                    name=column or table,
                    database_name="sales",
                    schema_name="public",
                    table_name=table,
                    column_name=column,
                )
            )
    return names


def stored_tags(server: LiveServer, asset_fqn: str, tag: str) -> list[Tag]:
    with server.engine.store.session() as s:
        rows = s.scalars(select(Tag).where(Tag.asset_fqn == asset_fqn, Tag.tag == tag)).all()
        for row in rows:
            s.expunge(row)
        return list(rows)


def put(fqn: str, tag: str, note: str) -> Any:
    return lambda c: c.put(f"/assets/{fqn}/tags/{tag}", json={"note": note})


def delete(fqn: str, tag: str) -> Any:
    return lambda c: c.delete(f"/assets/{fqn}/tags/{tag}")


def test_concurrent_puts_of_one_tag_all_succeed(live: LiveServer) -> None:
    for trial in range(TRIALS):
        column = seed_table(live, f"put{trial}")[1]
        notes = [f"writer {i}" for i in range(WRITERS)]
        answers = race(live, [put(column, "PII.Email", n) for n in notes])
        assert [r.status_code for r in answers] == [200] * WRITERS, summary(answers)
        assert {r.json()["source"] for r in answers} == {"person"}
        rows = stored_tags(live, column, "PII.Email")
        assert len(rows) == 1
        assert (rows[0].source, rows[0].state) == ("person", "applied")
        assert rows[0].evidence["note"] in notes


def test_concurrent_deletes_of_one_tag(live: LiveServer) -> None:
    """One removal succeeds; the others find no tag, as they would one after the other."""
    with live.client(admin()) as c:
        for trial in range(TRIALS):
            column = seed_table(live, f"del{trial}")[1]
            assert c.put(f"/assets/{column}/tags/PII.Email").status_code == 200
            answers = race(live, [delete(column, "PII.Email")] * WRITERS)
            statuses = sorted(r.status_code for r in answers)
            assert statuses == [200] + [404] * (WRITERS - 1), summary(answers)
            for r in answers:
                if r.status_code == 404:
                    assert_envelope(r, 404, "RESOURCE_NOT_FOUND")
            rows = stored_tags(live, column, "PII.Email")
            assert [(t.source, t.state) for t in rows] == [("person", "removed")]


def test_puts_and_deletes_mixed_never_fail(live: LiveServer) -> None:
    for trial in range(TRIALS):
        column = seed_table(live, f"mix{trial}")[1]
        calls = [put(column, "PII.Phone", "p1"), delete(column, "PII.Phone")] * 2
        answers = race(live, calls)
        assert {r.status_code for r in answers} <= {200, 404}, summary(answers)
        assert all(r.status_code == 200 for r in answers[::2]), summary(answers)
        rows = stored_tags(live, column, "PII.Phone")
        assert len(rows) == 1 and rows[0].source == "person"


# -- a machine run applied while a person decides ------------------------------------------


def apply_as_machine_tags(
    session: Session, run: WorkflowRun, proposals: list[Proposal]
) -> dict[str, Any]:
    """Apply the fake run's proposals as real machine tags, the way the tagging workflows do.

    The run speaks for ``columns`` columns of its table (parameter, default 3): those without
    a proposal lose their machine tag.
    """
    columns = int(((run.input or {}).get("parameters") or {}).get("columns", 3))
    changes = tags_q.sync_machine_tags(
        session,
        TENANT,
        assets={f"{run.asset_fqn}.c{i}" for i in range(columns)},
        families=("PII.",),
        tags=[tags_q.MachineTag(p.asset_fqn or "", p.payload["tag"], 0.9) for p in proposals],
        run_id=run.id,
        workflow_type=run.workflow_type,
    )
    return {
        "tags_applied": len(changes.applied) + len(changes.updated),
        "tags_withdrawn": len(changes.withdrawn),
        "tags_kept_by_person": changes.kept_by_person,
    }


@pytest.fixture
def machine_tags(api_workflows: None) -> Iterator[None]:
    approval.register_applier(PROPOSAL_KIND, apply_as_machine_tags, replace=True)
    yield  # api_workflows unregisters the kind afterwards


def completed_run(c: httpx.Client, cid: str, table: str, n: int) -> str:
    body = {"asset_fqn": table, "parameters": {"n": n}}
    r = c.post(f"/workflows/{cid}/runs", json=body)
    assert r.status_code == 201, r.text
    rid: str = r.json()["id"]
    deadline = time.monotonic() + 30
    while (doc := c.get(f"/workflows/{cid}/runs/{rid}").json())["status"] not in TERMINAL:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert doc["status"] == "completed", doc
    return rid


def approve(run_id: str) -> Any:
    return lambda c: c.patch(f"/workflows/runs/{run_id}/approval", json={"action": "approve"})


def active_count(server: LiveServer, asset_fqn: str) -> int:
    with server.engine.store.session() as s:
        return int(
            s.scalar(
                select(func.count())
                .select_from(Tag)
                .where(Tag.asset_fqn == asset_fqn, Tag.state == "applied")
            )
            or 0
        )


def test_machine_tags_applied_while_a_person_sets_the_same_tag(
    live: LiveServer, machine_tags: None
) -> None:
    """Approving a run that adds ``PII.Email`` while a person PUTs it: the person's row."""
    with live.client(admin()) as c:
        cid = new_configuration(c, PII_DEFINITION)
        for trial in range(TRIALS):
            table, first = seed_table(live, f"mp{trial}")[:2]
            rid = completed_run(c, cid, table, n=3)
            answers = race(live, [approve(rid), put(first, "PII.Email", "by hand")])
            assert [r.status_code for r in answers] == [200, 200], summary(answers)
            rows = stored_tags(live, first, "PII.Email")
            assert len(rows) == 1
            assert (rows[0].source, rows[0].state) == ("person", "applied")
            assert rows[0].evidence["note"] == "by hand"
            changes = answers[0].json()["changes_applied"]
            assert changes["tags_applied"] + changes["tags_kept_by_person"] == 3


def test_machine_withdrawal_never_overturns_a_person(live: LiveServer, machine_tags: None) -> None:
    """A run that withdraws ``PII.Email`` from a column a person confirms at that moment."""
    with live.client(admin()) as c:
        cid = new_configuration(c, PII_DEFINITION)
        for trial in range(TRIALS):
            table, first, second = seed_table(live, f"mw{trial}")[:3]
            r = c.patch(
                f"/workflows/runs/{completed_run(c, cid, table, n=3)}/approval",
                json={"action": "approve"},
            )
            assert r.status_code == 200 and r.json()["changes_applied"]["tags_applied"] == 3
            later = completed_run(c, cid, table, n=1)  # only c0 keeps its tag
            calls = [approve(later), put(second, "PII.Email", "confirmed")]
            answers = race(live, calls)
            assert [r.status_code for r in answers] == [200, 200], summary(answers)
            rows = stored_tags(live, second, "PII.Email")
            assert [(t.source, t.state) for t in rows] == [("person", "applied")]
            assert rows[0].evidence["note"] == "confirmed"
            assert active_count(live, f"{table}.c2") == 0  # withdrawn: nobody kept it
            assert active_count(live, first) == 1
            changes = answers[0].json()["changes_applied"]
            assert changes["tags_withdrawn"] + changes["tags_kept_by_person"] >= 1


def test_machine_update_never_revives_a_person_removal(
    live: LiveServer, machine_tags: None
) -> None:
    """A run that re-confirms ``PII.Email`` on a column a person removes it from meanwhile.

    Guards the upsert's ``WHERE source = 'machine'``: without it the run's update revives
    the tag the person removed.
    """
    with live.client(admin()) as c:
        cid = new_configuration(c, PII_DEFINITION)
        for trial in range(TRIALS):
            table, first = seed_table(live, f"mr{trial}")[:2]
            earlier = completed_run(c, cid, table, n=3)
            r = c.patch(f"/workflows/runs/{earlier}/approval", json={"action": "approve"})
            assert r.status_code == 200 and r.json()["changes_applied"]["tags_applied"] == 3
            later = completed_run(c, cid, table, n=3)  # wants all three again
            answers = race(live, [approve(later), delete(first, "PII.Email")])
            assert [r.status_code for r in answers] == [200, 200], summary(answers)
            rows = stored_tags(live, first, "PII.Email")
            assert [(t.source, t.state) for t in rows] == [("person", "removed")]
            assert active_count(live, f"{table}.c1") == 1
