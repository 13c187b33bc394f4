"""The CLI's stable forms, run in-process against a real local store."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
from typer.testing import CliRunner

from dataready.cli.main import app
from dataready.settings import get_settings

SECRET = "cli-test-secret-0123456789-0123456789"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("DATAREADY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DATAREADY_DB__URL", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.setenv("DATAREADY_SOURCES__FILE_ROOTS", str(tmp_path))  # sources live there
    monkeypatch.setenv("DATAREADY_AUTH__SECRET", SECRET)
    monkeypatch.setenv("COLUMNS", "250")
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout


def test_token_prints_only_a_signed_token(env: Path) -> None:
    code, out = invoke(
        "token",
        "--client-id",
        "acme",
        "--project-id",
        "p1",
        "--role",
        "viewer",
        "--role",
        "operator",
    )
    assert code == 0
    token = out.strip()
    assert "\n" not in token
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert claims["client_id"] == "acme" and claims["project_id"] == "p1"
    assert claims["roles"] == ["viewer", "operator"]
    assert claims["exp"] > claims["iat"]


def test_db_upgrade_and_definitions(env: Path) -> None:
    assert invoke("db", "upgrade")[0] == 0
    code, out = invoke("definitions", "list")
    assert code == 0
    for wt in ("service-ingestion", "generate-pii-tags", "run-all-enrichment"):
        assert wt in out


def test_run_json_prints_the_run_document_and_exit_codes(env: Path) -> None:
    src = env / "src.db"
    con = sqlite3.connect(src)
    con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
    con.commit()
    con.close()
    assert invoke("services", "add", "src", f"sqlite:///{src}")[0] == 0
    code, out = invoke("run", "service-ingestion", "src", "--json")
    assert code == 0, out
    doc = json.loads(out)
    assert list(doc) == [
        "id",
        "configuration_id",
        "status",
        "workflow_name",
        "workflow_type",
        "asset_fqn",
        "started_at",
        "completed_at",
        "service_name",
        "database_name",
        "schema_name",
        "table_name",
        "duration_seconds",
        "error_message",
        "input",
        "output",
        "tasks",
    ]
    assert doc["status"] == "completed" and doc["output"]["tables"] == 1
    code, out = invoke("runs", "show", doc["id"])
    assert code == 0 and json.loads(out)["id"] == doc["id"]
    code, out = invoke("assets", "show", "src.src.main.t")
    assert code == 0 and json.loads(out)["details"]["primary_key"] == ["id"]

    code, out = invoke("run", "service-ingestion", "missing", "--json")
    assert code == 1
    assert json.loads(out)["status"] == "failed"


def test_bad_input_gets_a_clear_message(env: Path) -> None:
    result = CliRunner().invoke(app, ["run", "service-ingestion", "a..b"])
    assert result.exit_code == 1
    assert "empty part" in result.stderr
    result = CliRunner().invoke(app, ["runs", "cancel", "not-a-uuid"])
    assert result.exit_code == 1 and "not a run id" in result.stderr
    result = CliRunner().invoke(app, ["services", "add", "x", "nonsense"])
    assert result.exit_code == 1


def test_services_verify_reports_failure_without_password(env: Path) -> None:
    result = CliRunner().invoke(
        app, ["services", "verify", "postgresql://u:s3cr3t-pw@127.0.0.1:1/db"]
    )
    assert result.exit_code == 1
    assert "connection failed" in result.stderr
    assert "s3cr3t-pw" not in result.stderr + result.stdout


def test_approve_and_reject_from_the_cli(env: Path) -> None:
    from dataready.sample import generate_sample

    src = env / "sample.db"
    generate_sample(f"sqlite:///{src}", scale=0.05)
    assert invoke("services", "add", "s", f"sqlite:///{src}")[0] == 0
    assert invoke("run", "service-ingestion", "s", "--json")[0] == 0
    code, out = invoke("run", "generate-pii-tags", "s.sample.main.customer", "--json")
    assert code == 0, out
    run = json.loads(out)
    assert "tags_applied" not in run["output"]  # waits for a person
    code, out = invoke("assets", "show", "s.sample.main.customer.email")
    assert json.loads(out)["tags"] == []
    code, out = invoke("runs", "approve", run["id"], "--notes", "checked")
    assert code == 0, out
    decided = json.loads(out)
    assert decided["status"] == "approved" and decided["changes_applied"]["tags_applied"] > 0
    code, out = invoke("assets", "show", "s.sample.main.customer.email")
    assert "PII.Email" in {t["tag"] for t in json.loads(out)["tags"]}
    assert invoke("runs", "reject", run["id"])[0] == 1  # already decided


def _sqlite_file(path: Path) -> Path:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, name TEXT)")
    con.commit()
    con.close()
    return path


def test_services_add_goes_through_the_source_policy(env: Path) -> None:
    assert invoke("db", "upgrade")[0] == 0
    data = env / "data"
    data.mkdir(exist_ok=True)
    _sqlite_file(data / "copy.db")
    refused = ["/etc/passwd", "/nonexistent/x.db", str(env / "store.db"), str(data / "copy.db")]
    messages = set()
    for path in refused:
        for verb in (["add", "x"], ["verify"]):
            result = CliRunner().invoke(app, ["services", *verb, f"sqlite:///{path}"])
            assert result.exit_code == 1, result.output
            assert "not in a directory this server allows" in result.stderr
            messages.add(result.stderr)
    assert len(messages) == 1, messages
    code, out = invoke("services", "list")
    assert code == 0 and "x" not in out.split()


def test_services_add_replace_says_what_repointing_dropped(env: Path) -> None:
    a, b = _sqlite_file(env / "a.db"), _sqlite_file(env / "b.db")
    assert invoke("services", "add", "s", f"sqlite:///{a}")[0] == 0
    assert invoke("run", "service-ingestion", "s", "--json")[0] == 0
    code, out = invoke("services", "add", "s", f"sqlite:///{b}", "--replace")
    assert code == 0, out
    assert "note:" in out and "catalogue" in out
    secret = "cli-s3cret-Zq"
    url = f"postgresql://u:{secret}@127.0.0.1:1/db?sslpassword={secret}2&sslmode=require"
    code, out = invoke("services", "add", "pg", url)
    assert code == 0, out
    code, listed = invoke("services", "list")
    assert code == 0 and "pg" in listed
    assert secret not in out + listed
    code, out = invoke("services", "add", "pg", "postgresql://v@127.0.0.1:1/db", "--replace")
    assert code == 0 and "credentials were cleared" in out, out


def test_the_demo_sample_lives_where_sources_are_allowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the operator's defaults: no file roots set, local mode (data_dir/sources)
    monkeypatch.setenv("DATAREADY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DATAREADY_AUTH__SECRET", SECRET)
    monkeypatch.setenv("COLUMNS", "250")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["demo", "--scale", "0.02"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert (tmp_path / "data" / "sources" / "sample.db").is_file()
    assert "personal data found" in result.stdout
