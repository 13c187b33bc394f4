"""``dataready runs review``, ``runs list --approval pending`` and a readable ``runs approve``,
through the real CLI entry point on a real local store."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from tests.cli.test_cli import env, invoke  # noqa: F401  (fixture)

TABLE = "s.people.main.people"
ODD = "e[b]mail"  # a column name rich would read as markup


def _source(path: Path) -> Path:
    con = sqlite3.connect(path)
    con.execute(f'CREATE TABLE people (id INTEGER PRIMARY KEY, "{ODD}" TEXT, first_name TEXT)')
    names = ["anna", "bruno", "chiara", "dario", "elena", "fabio", "gina", "hugo"]
    con.executemany(
        "INSERT INTO people VALUES (?, ?, ?)",
        [(i, f"{names[i % 8]}.{i}@example.org", names[i % 8].title()) for i in range(60)],
    )
    con.commit()
    con.close()
    return path


def review(*args: str) -> dict[str, Any]:
    code, out = invoke("runs", "review", *args, "--json")
    assert code == 0, out
    doc: dict[str, Any] = json.loads(out)
    return doc


def test_review_then_approve_from_the_cli(env: Path) -> None:  # noqa: F811
    src = _source(env / "people.db")
    assert invoke("services", "add", "s", f"sqlite:///{src}")[0] == 0
    assert invoke("run", "service-ingestion", "s", "--json")[0] == 0
    code, out = invoke("run", "generate-pii-tags", TABLE, "--json")
    assert code == 0, out
    run_id = json.loads(out)["id"]

    code, out = invoke("runs", "list", "--approval", "pending")
    assert code == 0 and run_id in out, out
    code, out = invoke("runs", "list", "--approval", "approved")
    assert code == 0 and run_id not in out

    doc = review(run_id)
    assert doc["approval"] == "pending"
    items = {(i["asset_fqn"], i["subject"]): i for i in doc["items"]}
    email = items[(f"{TABLE}.{ODD}", "PII.Email")]
    assert email["kind"] == "tag-add" and email["decision"] == "pending"
    assert doc["proposals_summary"]["by_kind"]["tag-add"] == len(items)

    code, out = invoke("runs", "review", run_id)
    assert code == 0, out
    assert ODD in out and "PII.Email" in out and "absent → PII.Email" in out
    assert email["id"][:8] in out and "approval pending" in out

    # decide by id prefix, in one go; a bad prefix changes nothing
    code, _ = invoke("runs", "review", run_id, "--reject", "zzzz")
    assert code == 1
    assert review(run_id)["proposals_summary"]["by_decision"]["rejected"] == 0
    doc = review(run_id, "--reject", email["id"][:8], "--accept-all")
    decisions = {i["id"]: i["decision"] for i in doc["items"]}
    assert decisions.pop(email["id"]) == "rejected"
    assert set(decisions.values()) == {"accepted"}

    code, out = invoke("runs", "approve", run_id)
    assert code == 0, out
    decided = json.loads(out)
    assert decided["status"] == "approved"
    assert decided["changes_applied"]["proposals_rejected"] == 1
    assert "tag_ids" not in decided["changes_applied"]  # counts and names, no id lists
    assert f"tag-add {TABLE}.first_name PII.FirstName" in decided["applied"]
    assert not any("PII.Email" in line for line in decided["applied"])
    assert decided["proposals_summary"]["by_status"]["discarded"] == 1

    code, out = invoke("assets", "show", f"{TABLE}.{ODD}")
    assert code == 0, out
    assert "PII.Email" not in {t["tag"] for t in json.loads(out)["tags"]}
    code, out = invoke("runs", "review", run_id, "--accept", email["id"])
    assert code == 1  # the run is decided
    assert review(run_id)["approval"] == "approved"
