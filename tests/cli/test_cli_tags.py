"""``dataready tags list/set/remove`` through the real CLI entry point and a real store."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.cli.test_cli import env, invoke

__all__ = ["env"]

COLUMN = "src.src.main.customer.last_name"


def _catalogue(env: Path) -> None:
    src = env / "src.db"
    con = sqlite3.connect(src)
    con.execute('CREATE TABLE customer (id INTEGER PRIMARY KEY, last_name TEXT, "n[bold]x" TEXT)')
    con.commit()
    con.close()
    assert invoke("services", "add", "src", f"sqlite:///{src}")[0] == 0
    code, out = invoke("run", "service-ingestion", "src", "--json")
    assert code == 0, out


def _tags(*extra: str) -> dict[str, dict[str, object]]:
    code, out = invoke("tags", "list", COLUMN, "--json", *extra)
    assert code == 0, out
    return {d["tag"]: d for d in json.loads(out)}


def test_set_list_remove_with_derived_tags_following(env: Path) -> None:
    _catalogue(env)
    code, out = invoke("tags", "set", COLUMN, "PII.LastName", "--note", "checked by hand")
    assert code == 0, out
    assert out.strip() == f"set PII.LastName on {COLUMN}"

    docs = _tags()
    assert set(docs) == {
        "PII.LastName",
        "PII.Sensitive",
        "Sensitivity.Confidential",
        "PrivacyCategory.QuasiIdentifier",
    }
    assert docs["PII.LastName"]["label_type"] == "Manual"
    assert docs["PII.LastName"]["source"] == "person"
    for tag in ("PII.Sensitive", "Sensitivity.Confidential", "PrivacyCategory.QuasiIdentifier"):
        assert docs[tag]["label_type"] == "Derived"
        assert docs[tag]["derived_from"] == [{"asset_fqn": COLUMN, "tag": "PII.LastName"}]

    code, out = invoke("tags", "list", "src.src.main.customer", "--json")
    assert code == 0
    table = {d["tag"]: d for d in json.loads(out)}
    assert table["PII.Sensitive"]["derived_from"] == [{"asset_fqn": COLUMN, "tag": "PII.Sensitive"}]

    code, out = invoke("tags", "list", COLUMN)
    assert code == 0
    rows = {line.split("│")[1].strip(): line for line in out.splitlines() if "│" in line}
    assert "Manual" in rows["PII.LastName"] and "cli" in rows["PII.LastName"]
    assert "Derived" in rows["PII.Sensitive"] and "PII.LastName" in rows["PII.Sensitive"]

    code, out = invoke("tags", "remove", COLUMN, "PII.LastName")
    assert code == 0, out
    assert out.strip() == f"removed PII.LastName from {COLUMN}"
    # what only PII.LastName supported went with it (no run has levelled the column)
    assert _tags() == {}
    every = _tags("--all")
    assert (every["PII.LastName"]["state"], every["PII.LastName"]["label_type"]) == (
        "removed",
        "Manual",
    )
    for tag in ("PII.Sensitive", "Sensitivity.Confidential", "PrivacyCategory.QuasiIdentifier"):
        assert every[tag]["state"] == "withdrawn"
        assert every[tag]["derived_from"] == [{"asset_fqn": COLUMN, "tag": "PII.LastName"}]

    code, out = invoke("tags", "remove", COLUMN, "PII.LastName")
    assert code == 1 and out == ""
    code, _ = invoke("tags", "set", COLUMN, "PII.LastName")  # undoes the removal
    assert code == 0 and _tags()["PII.LastName"]["state"] == "applied"


def test_errors_are_stated_and_names_are_printed_as_they_are(env: Path) -> None:
    _catalogue(env)
    assert invoke("tags", "set", COLUMN, "not a tag")[0] == 1
    assert invoke("tags", "list", "src.src.main.nosuch")[0] == 1
    assert invoke("tags", "set", "src.src.main.nosuch.c", "PII.Email")[0] == 1
    odd = "src.src.main.customer.n[bold]x"
    code, out = invoke("tags", "set", odd, "PII.Email")
    assert code == 0, out
    assert out.strip() == f"set PII.Email on {odd}"  # not read as rich markup
    code, out = invoke("tags", "list", odd)
    assert code == 0 and "n[bold]x" in out
