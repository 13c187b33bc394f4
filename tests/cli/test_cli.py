"""The CLI's stable forms, run in-process against a real local store."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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

    # an unknown service is refused before any run exists: one line, no traceback
    result = CliRunner().invoke(app, ["run", "service-ingestion", "missng", "--json"])
    assert result.exit_code == 1 and result.stdout == ""
    assert "no service named 'missng'" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) <= 2


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
    code, out = invoke("services", "add", "pg", url, "--no-verify")
    assert code == 0, out
    code, listed = invoke("services", "list")
    assert code == 0 and "pg" in listed
    assert secret not in out + listed
    code, out = invoke(
        "services", "add", "pg", "postgresql://v@127.0.0.1:1/db", "--replace", "--no-verify"
    )
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


# -- targets, config values, services and configurations (issue 9, items 14, 15, 21, 23) --


def _one_line_error(result: Any) -> str:
    """The error of a refused command: exit 1, nothing on stdout, one ``error:`` message and
    no traceback (rich wraps a long line at the terminal's width: the text is rejoined)."""
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    err: str = result.stderr
    assert "Traceback" not in err and err.count("error:") == 1, err
    return " ".join(err.split())


def _ingested(env: Path) -> None:
    con = sqlite3.connect(env / "shop.db")
    con.execute("CREATE TABLE customer (id INTEGER PRIMARY KEY, name TEXT)")
    con.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER)")
    con.commit()
    con.close()
    assert invoke("services", "add", "shop", f"sqlite:///{env / 'shop.db'}")[0] == 0
    assert invoke("run", "service-ingestion", "shop", "--json")[0] == 0


def test_a_mistyped_fqn_is_refused_naming_the_closest(env: Path) -> None:
    _ingested(env)
    result = CliRunner().invoke(app, ["run", "profiling", "shop.shop.main.custmer", "--json"])
    err = _one_line_error(result)
    assert "not in the catalogue" in err and "did you mean shop.shop.main.customer" in err
    code, out = invoke("runs", "list")
    assert code == 0 and "profiling" not in out  # no run was created
    result = CliRunner().invoke(app, ["run", "service-ingestion", "shp"])
    assert "did you mean shop" in _one_line_error(result)


def test_config_values_are_typed_and_checked(env: Path) -> None:
    _ingested(env)
    for value, expected in (("sample_rows=abc", "sample_rows"), ("nosuchkey=1", "nosuchkey")):
        result = CliRunner().invoke(
            app, ["run", "profiling", "shop.shop.main.customer", "--config", value]
        )
        err = _one_line_error(result)
        assert f"parameters.{expected}" in err and "known keys:" in err and "top_n" in err
        result = CliRunner().invoke(app, ["configs", "create", "profiling", "--config", value])
        assert f"config.{expected}" in _one_line_error(result)
    code, out = invoke(
        "configs",
        "create",
        "profiling",
        "--config",
        "sample_rows=5000",
        "--config",
        "allow_estimates=false",
        "--json",
    )
    assert code == 0, out
    assert json.loads(out)["config"] == {"sample_rows": 5000, "allow_estimates": False}
    code, out = invoke(
        "run", "profiling", "shop.shop.main.customer", "--config", "sample_rows=10", "--json"
    )
    assert code == 0, out
    assert json.loads(out)["input"]["parameters"] == {"sample_rows": 10}


def test_configs_show_run_and_delete(env: Path) -> None:
    _ingested(env)
    code, out = invoke("configs", "create", "profiling", "--name", "[b]nightly[/b]", "--json")
    assert code == 0, out
    cid = json.loads(out)["configuration_id"]
    code, out = invoke("configs", "show", cid, "--json")
    assert code == 0 and json.loads(out)["name"] == "[b]nightly[/b]"
    code, out = invoke("configs", "show", cid)
    assert code == 0 and "[b]nightly[/b]" in out  # names are printed, never read as markup
    code, out = invoke("configs", "run", cid, "shop.shop.main.orders", "--json")
    assert code == 0, out
    doc = json.loads(out)
    assert doc["configuration_id"] == cid and doc["status"] == "completed"
    assert doc["asset_fqn"] == "shop.shop.main.orders"
    result = CliRunner().invoke(app, ["configs", "run", cid, "shop.shop.main.ordrs"])
    assert "did you mean shop.shop.main.orders" in _one_line_error(result)
    result = CliRunner().invoke(app, ["configs", "delete", cid], input="n\n")
    assert result.exit_code == 1
    assert invoke("configs", "show", cid)[0] == 0  # still there
    code, out = invoke("configs", "delete", cid, "--yes")
    assert code == 0, out
    result = CliRunner().invoke(app, ["configs", "show", cid])
    assert "not found" in _one_line_error(result)
    result = CliRunner().invoke(app, ["configs", "show", "nope"])
    assert "not a configuration id" in _one_line_error(result)


def test_services_names_verify_show_and_delete(env: Path) -> None:
    src = _sqlite_file(env / "a.db")
    for bad in ("my.db", "my db", "a[1]", "x" * 65, "123e4567-e89b-12d3-a456-426614174000"):
        result = CliRunner().invoke(app, ["services", "add", bad, f"sqlite:///{src}"])
        assert "is not allowed" in _one_line_error(result)
    # the connection is tested before saving, unless --no-verify
    result = CliRunner().invoke(app, ["services", "add", "pg", "postgresql://u@127.0.0.1:1/db"])
    assert "connection failed" in _one_line_error(result)
    assert "pg" not in invoke("services", "list")[1].split()
    code, out = invoke("services", "add", "pg", "postgresql://u@127.0.0.1:1/db", "--no-verify")
    assert code == 0, out
    assert invoke("services", "add", "s-1", f"sqlite:///{src}")[0] == 0
    assert invoke("run", "service-ingestion", "s-1", "--json")[0] == 0
    code, out = invoke("services", "show", "s-1", "--json")
    assert code == 0, out
    shown = json.loads(out)
    assert shown["name"] == "s-1" and shown["connection_type"] == "sqlite"
    assert shown["assets"] == 5  # database a, schema main, table t and its two columns
    code, out = invoke("services", "show", shown["id"], "--json")  # an id works too
    assert code == 0 and json.loads(out)["name"] == "s-1"
    result = CliRunner().invoke(app, ["services", "delete", "s-1"], input="n\n")
    assert result.exit_code == 1
    assert invoke("services", "show", "s-1")[0] == 0
    result = CliRunner().invoke(app, ["services", "delete", "s-1"], input="y\n")
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(app, ["services", "show", "s-1"])
    assert "no service" in _one_line_error(result)
    code, out = invoke("services", "delete", "pg", "--yes")
    assert code == 0 and "deleted service pg" in out
