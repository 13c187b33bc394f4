"""The CLI masks personal values as the API does for viewers, unless ``--unmasked``; secret
columns show no values either way; the demo's output masks them too."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.cli.test_cli import env, invoke  # noqa: F401  (fixture)

from dataready.connectors.policy import default_file_roots
from dataready.sample import generate_sample
from dataready.settings import get_settings


def _column(path: Path, table: str, column: str) -> set[str]:
    con = sqlite3.connect(path)
    try:
        rows = con.execute(f'SELECT "{column}" FROM "{table}"').fetchall()
    finally:
        con.close()
    return {r[0] for r in rows if isinstance(r[0], str)}


def _found(text: str, values: set[str]) -> set[str]:
    return {v for v in values if v in text}


def test_profile_and_assets_show_mask_unless_asked(env: Path) -> None:  # noqa: F811
    src = env / "sample.db"
    generate_sample(f"sqlite:///{src}", scale=0.05)
    emails, hashes = _column(src, "staff", "email"), _column(src, "staff", "password")
    staff = "s.sample.main.staff"
    assert invoke("services", "add", "s", f"sqlite:///{src}")[0] == 0
    assert invoke("run", "service-ingestion", "s", "--json")[0] == 0
    assert invoke("run", "profiling", staff, "--json")[0] == 0
    code, out = invoke("profile", staff, "--json")
    assert code == 0 and _found(out, emails) == emails  # nothing tagged yet
    assert _found(out, hashes) == set()  # a column named password: never stored
    code, out = invoke("run", "generate-pii-tags", staff, "--save-all", "--json")
    assert code == 0, out

    reads = {
        "profile": invoke("profile", staff, "--json"),
        "profile view": invoke("profile", staff),
        "show table": invoke("assets", "show", staff),
        "show column": invoke("assets", "show", f"{staff}.email"),
    }
    for name, (code, out) in reads.items():
        assert code == 0, (name, out)
        assert _found(out, emails) == set(), name
        assert _found(out, hashes) == set(), name
    column = json.loads(reads["show column"][1])["profile"]["profile"]
    assert column["masked"] == "personal" and "***@" in column["top_values"][0]["value"]

    for args in (("profile", staff, "--json"), ("assets", "show", staff)):
        code, out = invoke(*args, "--unmasked")
        assert code == 0 and _found(out, emails) == emails, args
        assert _found(out, hashes) == set(), args


def test_demo_output_masks_personal_values(env: Path) -> None:  # noqa: F811
    code, out = invoke("demo", "--scale", "0.05")
    assert code == 0, out
    settings = get_settings()
    roots = settings.sources.file_roots or default_file_roots(settings)
    sample = roots[0] / "sample.db"  # where the demo writes it: the first allowed file root
    emails = _column(sample, "customer", "email")
    assert "personal data found" in out and "***@" in out
    # the profile table truncates long values: look for any e-mail's first 12 characters
    assert {e for e in emails if e[:12] in out} == set()
