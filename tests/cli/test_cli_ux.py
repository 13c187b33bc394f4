"""A CLI that respects its user (issue 9): escaping, formats, pipes, help, exit codes, errors.

Commands run in-process through typer's runner against a real local store, and as a
subprocess of the real entry point where the process itself is the subject (what it
imports, what a bad environment prints).
"""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from dataready.cli.main import app
from dataready.cli.output import format_value
from dataready.settings import get_settings

SECRET = "cli-ux-test-secret-0123456789-0123456789"
SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("DATAREADY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DATAREADY_DB__URL", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.setenv("DATAREADY_SOURCES__FILE_ROOTS", str(tmp_path))
    monkeypatch.setenv("DATAREADY_AUTH__SECRET", SECRET)
    monkeypatch.setenv("COLUMNS", "80")  # narrow: nothing may be cut anyway
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def cli(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(app, list(args), input=input)


def ok(*args: str) -> str:
    result = cli(*args)
    assert result.exit_code == 0, (args, result.output, result.exception)
    return result.stdout


def entry_point(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The real ``dataready`` entry point in a fresh process."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DATAREADY_")}
    environ |= {"PYTHONPATH": str(SRC), "COLUMNS": "80", **env}
    code = "import sys; from dataready.cli.main import main; sys.argv[0] = 'dataready'; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
    )


def _source(path: Path, statements: list[str]) -> Path:
    con = sqlite3.connect(path)
    for sql in statements:
        con.execute(sql)
    con.commit()
    con.close()
    return path


# -- 12: markup in names and messages is printed as written --------------------------------

ODD_TABLE = "cust[/]omer"
ODD_COLUMNS = ["price[eur]", "[note]", "[bold]loud[/bold]"]


def test_names_with_markup_print_as_written_in_every_list_and_show(env: Path) -> None:
    src = _source(
        env / "odd.db",
        [
            f'CREATE TABLE "{ODD_TABLE}" (id INTEGER PRIMARY KEY, "price[eur]" REAL, '
            '"[note]" TEXT, "[bold]loud[/bold]" TEXT)',
            f"INSERT INTO \"{ODD_TABLE}\" VALUES (1, 9.5, '[red]x[/red]', '[/]'), "
            "(2, 7.25, '[red]x[/red]', '[/]'), (3, 1, '[i]y', 'z')",
        ],
    )
    ok("services", "add", "odd", f"sqlite:///{src}", "--description", "[red]described[/red]")
    fqn = f"odd.odd.main.{ODD_TABLE}"
    assert json.loads(ok("run", "service-ingestion", "odd", "--json"))["status"] == "completed"
    assert json.loads(ok("run", "profiling", fqn, "--json"))["status"] == "completed"
    ok("configs", "create", "profiling", "--name", "[b]mine[/b]")

    listed = ok("assets", "list", "odd")
    for name in [ODD_TABLE, *ODD_COLUMNS]:
        assert name in listed, name
    shown = json.loads(ok("assets", "show", fqn))
    assert shown["fqn"] == fqn
    assert {c["name"] for c in shown["profile"]["profile"]["columns"]} >= set(ODD_COLUMNS)
    profiled = ok("profile", fqn)
    for text in [ODD_TABLE, *ODD_COLUMNS, "[red]x[/red] (2)", "[/] (2)"]:
        assert text in profiled, text
    assert "[red]described[/red]" in ok("services", "list")
    assert "[b]mine[/b]" in ok("configs", "list")
    assert ODD_TABLE in ok("runs", "list")
    assert "profiling" in ok("definitions", "list")

    missing = cli("assets", "show", "odd.odd.main.x[/]y")  # was a MarkupError
    assert missing.exit_code == 1 and isinstance(missing.exception, SystemExit)
    assert "x[/]y" in missing.stderr
    missing_profile = cli("profile", "odd.odd.main.[bold]t")
    assert missing_profile.exit_code == 1 and "[bold]t" in missing_profile.stderr


def test_an_extra_in_a_message_is_not_eaten(env: Path) -> None:
    result = cli("services", "verify", "trino://u@h/hive")
    assert result.exit_code == 1
    assert "dataready[trino]" in result.stderr


# -- 20: values formatted by type ------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "family", "text"),
    [
        (99999.99, "float", "99999.99"),
        (10000.5, None, "10000.5"),
        (2006, "integer", "2006"),
        (1, "boolean", "true"),
        (0, "boolean", "false"),
        (True, None, "true"),
        ("2006-02-15T09:34:33", "timestamp", "2006-02-15 09:34:33"),
        ("2006-02-15 09:34:33", "timestamp", "2006-02-15 09:34:33"),
        ("2006-02-15 09:34:33+00:00", "timestamp", "2006-02-15 09:34:33Z"),
        ("2006-02-15 00:00:00", "date", "2006-02-15"),
        (0.1 + 0.2, "float", "0.3"),
        (1e20, "float", "1e+20"),
        (None, "float", ""),
    ],
)
def test_format_value_by_type(value: object, family: str | None, text: str) -> None:
    assert format_value(value, family) == text


def test_profile_prints_numbers_years_and_booleans_as_they_are(env: Path) -> None:
    src = _source(
        env / "n.db",
        [
            "CREATE TABLE t (id INTEGER PRIMARY KEY, price REAL, year INTEGER, ok BOOLEAN, "
            "seen TIMESTAMP)",
            "INSERT INTO t VALUES (1, 99999.99, 2006, 1, '2006-02-15 09:34:33'), "
            "(2, 1, 2007, 1, '2006-02-16 10:00:00')",
        ],
    )
    ok("services", "add", "n", f"sqlite:///{src}")
    ok("run", "service-ingestion", "n", "--json")
    ok("run", "profiling", "n.n.main.t", "--json")
    rows = {
        r["column"]: r
        for r in csv.DictReader(io.StringIO(ok("profile", "n.n.main.t", "-o", "csv")))
    }
    assert rows["price"]["max"] == "99999.99"
    assert rows["price"]["mean"] == "50000.495"
    assert rows["year"]["min"] == "2006" and rows["year"]["max"] == "2007"
    assert rows["ok"]["top_value"].startswith("true")
    assert rows["seen"]["min"] == "2006-02-15 09:34:33"
    table = ok("profile", "n.n.main.t")
    assert "99999.99" in table and "1e+05" not in table and "2,006" not in table


@pytest.mark.postgres
def test_timestamps_and_booleans_read_the_same_on_postgres_and_sqlite(
    env: Path, pg_source_database: str
) -> None:
    import psycopg

    rows = (
        "(1, 99999.99, 2006, true, '2006-02-15 09:34:33'), "
        "(2, 1, 2007, true, '2006-02-16 10:00:00')"
    )
    ddl = (
        "CREATE TABLE t (id INTEGER PRIMARY KEY, price {}, year INTEGER, ok BOOLEAN, "
        "seen TIMESTAMP)"
    )
    with psycopg.connect(pg_source_database.replace("+psycopg", ""), autocommit=True) as con:
        con.execute(ddl.format("NUMERIC(10, 2)"))
        con.execute(f"INSERT INTO t VALUES {rows}")
    lite = _source(
        env / "t.db", [ddl.format("REAL"), f"INSERT INTO t VALUES {rows.replace('true', '1')}"]
    )
    database = pg_source_database.rsplit("/", 1)[1]
    ok("services", "add", "pg", pg_source_database.replace("postgresql+psycopg", "postgres"))
    ok("services", "add", "lite", f"sqlite:///{lite}")
    seen = {}
    for service, fqn in (("pg", f"pg.{database}.public.t"), ("lite", "lite.t.main.t")):
        only = json.dumps([fqn.split(".")[1]])  # other tests' databases come and go
        ok("run", "service-ingestion", service, "--config", f"include_databases={only}", "--json")
        ok("run", "profiling", fqn, "--json")
        out = ok("profile", fqn, "-o", "csv")
        seen[service] = {r["column"]: r for r in csv.DictReader(io.StringIO(out))}
    for column, field in (("seen", "min"), ("seen", "max"), ("price", "max"), ("year", "min")):
        assert seen["pg"][column][field] == seen["lite"][column][field], (column, field)
    assert seen["pg"]["seen"]["min"] == "2006-02-15 09:34:33"
    assert seen["pg"]["price"]["max"] == "99999.99"
    assert seen["pg"]["ok"]["top_value"].split()[0] == seen["lite"]["ok"]["top_value"].split()[0]


# -- 16: lists in a pipe, --json, --output, id prefixes ----------------------------------------


def test_lists_keep_whole_ids_and_fqns_and_speak_json_and_csv(env: Path) -> None:
    long_name = "a_table_whose_name_is_much_longer_than_any_terminal_column_would_allow"
    src = _source(env / "p.db", [f"CREATE TABLE {long_name} (id INTEGER PRIMARY KEY)"])
    ok("services", "add", "p", f"sqlite:///{src}")
    run = json.loads(ok("run", "service-ingestion", "p", "--json"))

    listed = ok("runs", "list")
    assert run["id"] in listed and "…" not in listed
    assert f"p.p.main.{long_name}" in ok("assets", "list")

    runs = json.loads(ok("runs", "list", "--json"))
    assert [r["id"] for r in runs] == [run["id"]]
    assert runs[0]["status"] == "completed" and isinstance(runs[0]["duration_seconds"], float)
    assets = json.loads(ok("assets", "list", "p", "--json"))
    assert f"p.p.main.{long_name}" in {a["fqn"] for a in assets}
    assert all(isinstance(a["version"], int) for a in assets)
    rows = list(csv.DictReader(io.StringIO(ok("assets", "list", "p", "--output", "csv"))))
    assert {r["fqn"] for r in rows} == {a["fqn"] for a in assets}
    (csv_run,) = csv.DictReader(io.StringIO(ok("runs", "list", "-o", "csv")))
    assert csv_run["id"] == run["id"]
    assert float(csv_run["duration_seconds"]) == pytest.approx(runs[0]["duration_seconds"])
    for command in (["services", "list"], ["configs", "list"], ["definitions", "list"]):
        assert isinstance(json.loads(ok(*command, "--json")), list), command
    assert json.loads(ok("services", "list", "-o", "json"))[0]["name"] == "p"

    shown = json.loads(ok("runs", "show", run["id"][:8]))
    assert shown["id"] == run["id"]
    assert json.loads(ok("runs", "show", run["id"][:8], "--json"))["id"] == run["id"]
    unknown = cli("runs", "show", "ffffffff-ffff" if run["id"][0] != "f" else "0000")
    assert unknown.exit_code == 1 and "no run id starts with" in unknown.stderr
    bad = cli("runs", "show", "xyz")
    assert bad.exit_code == 1 and "not a run id" in bad.stderr


def test_an_ambiguous_run_id_prefix_lists_the_matches(
    env: Path, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # on SQLite the ids are hex text, on PostgreSQL native uuids: one range query serves both
    monkeypatch.setenv("DATAREADY_DB__URL", store_url)
    get_settings.cache_clear()
    from dataready.cli.configs import configuration_for_type
    from dataready.cli.context import local_principal
    from dataready.store.db import Store
    from dataready.workflows.engine import prepare_store
    from dataready.workflows.service import start_run

    src = _source(env / "a.db", ["CREATE TABLE t (id INTEGER PRIMARY KEY)"])
    ok("services", "add", "a", f"sqlite:///{src}")
    store = Store(get_settings())
    try:
        prepare_store(store)
        principal = local_principal(get_settings())
        with store.session() as s:
            cid = configuration_for_type(s, principal, "service-ingestion")
            # 17 runs: two of them share a first hex digit (pigeonhole), none is executed
            ids = [
                str(start_run(s, principal, cid, asset_fqn="a", parameters={}, save_all=False).id)
                for _ in range(17)
            ]
    finally:
        store.dispose()
    digit = next(d for d in "0123456789abcdef" if sum(i.startswith(d) for i in ids) > 1)
    matches = [i for i in ids if i.startswith(digit)]
    result = cli("runs", "show", digit)
    assert result.exit_code == 1
    assert "ambiguous" in result.stderr
    assert all(m in result.stderr for m in matches[:10])
    assert json.loads(ok("runs", "show", matches[0]))["id"] == matches[0]
    assert json.loads(ok("runs", "show", matches[0][:13]))["id"] == matches[0]  # with a dash


# -- 13: a run with a failed task exits 1 and says which ---------------------------------------


def test_a_run_with_a_failed_task_exits_1_and_names_it(env: Path) -> None:
    src = _source(
        env / "f.db",
        [f"CREATE TABLE {t} (id INTEGER PRIMARY KEY, v TEXT)" for t in ("a", "b", "gone")],
    )
    ok("services", "add", "f", f"sqlite:///{src}")
    ok("run", "service-ingestion", "f", "--json")
    _source(src, ["DROP TABLE gone"])  # catalogued, then gone: its profiling task fails

    result = cli("run", "profiling", "f.f.main", "--json")
    doc = json.loads(result.stdout)
    assert doc["status"] == "completed"  # 2 of 3 tables profiled
    assert [t["status"] for t in doc["tasks"]].count("failed") == 1
    assert result.exit_code == 1

    human = cli("run", "profiling", "f.f.main")
    assert human.exit_code == 1
    assert "1 of 3 task(s) did not complete" in human.stderr
    assert "f.f.main.gone" in human.stderr


# -- 17: help, version, what starting costs ---------------------------------------------------

# pydantic is not here: typer itself builds its parameter adapters with it.
HEAVY = {
    "sqlalchemy",
    "alembic",
    "fastapi",
    "starlette",
    "uvicorn",
    "pydantic_settings",
    "psycopg",
    "pymysql",
    "duckdb",
    "numpy",
    "sqlglot",
    "faker",
    "jwt",
    "cryptography",
}


def test_help_loads_no_framework_store_or_driver() -> None:
    probe = (
        "import sys\n"
        "from dataready.cli.main import app\n"
        "try:\n"
        "    app(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "for group in ('runs', 'assets', 'services', 'db', 'configs', 'definitions'):\n"
        "    try:\n"
        "        app([group, '--help'])\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print('MODULES', ' '.join(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(SRC)},
        timeout=120,
        check=True,
    ).stdout
    loaded = set(out.rsplit("MODULES", 1)[1].split())
    assert loaded & HEAVY == set()


def test_help_shows_no_bool_placeholders_and_lists_workflow_types(env: Path) -> None:
    from dataready.workflows.registry import registered_types

    text = ok("run", "--help")
    assert "<bool>" not in text
    for workflow_type in ("service-ingestion", "profiling", "generate-pii-tags"):
        assert workflow_type in registered_types() and workflow_type in text
    assert "sample_rows" in text  # a config key of profiling
    for command in (["--help"], ["runs", "list", "--help"], ["assets", "show", "--help"]):
        assert "<bool>" not in ok(*command), command
    assert ok("--version").strip().startswith("dataready 0.")


def test_every_option_and_argument_has_help() -> None:
    import typer

    def missing(command: object, path: list[str]) -> list[str]:
        subcommands = getattr(command, "commands", None)
        if subcommands is not None:
            return [m for n, sub in subcommands.items() for m in missing(sub, [*path, n])]
        params = getattr(command, "params", [])
        return [" ".join([*path, p.name or ""]) for p in params if not getattr(p, "help", None)]

    assert missing(typer.main.get_command(app), []) == []


def test_the_fqn_examples_in_the_help_work_on_the_demo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import re

    monkeypatch.setenv("DATAREADY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DATAREADY_AUTH__SECRET", SECRET)
    monkeypatch.setenv("COLUMNS", "300")
    get_settings.cache_clear()
    try:
        ok("demo", "--scale", "0.02")
        examples = set()
        for command in (["run"], ["assets", "list"], ["assets", "show"], ["profile"]):
            examples |= set(re.findall(r"\bsample(?:\.\w+)+", ok(*command, "--help")))
        assert "sample.sample.main.customer" in examples
        for fqn in sorted(examples):
            assert json.loads(ok("assets", "show", fqn))["fqn"] == fqn, fqn
    finally:
        get_settings.cache_clear()


# -- 18: the store's migrations -----------------------------------------------------------------


def test_db_upgrade_says_what_it_did_and_downgrade_asks(env: Path) -> None:
    assert "created the store at revision" in ok("db", "upgrade")
    assert "up to date" in ok("db", "upgrade")
    assert cli("db", "downgrade").exit_code == 2  # a revision is required
    refused = cli("db", "downgrade", "base", input="n\n")
    assert refused.exit_code == 1
    assert "up to date" in ok("db", "upgrade")  # nothing was dropped
    assert cli("db", "downgrade", "nonsense", "--yes").exit_code == 1
    assert "to base" in ok("db", "downgrade", "base", "--yes")
    assert "created the store at revision" in ok("db", "upgrade")
    confirmed = cli("db", "downgrade", "0003", input="y\n")
    assert confirmed.exit_code == 0, confirmed.output
    assert "upgraded the store from revision" in ok("db", "upgrade")


# -- 19 and 11: one line for a bad environment or URL -----------------------------------------


def test_a_bad_environment_value_is_one_line_naming_the_variable(tmp_path: Path) -> None:
    base = {"DATAREADY_DATA_DIR": str(tmp_path / "d")}
    bad_mode = entry_point("runs", "list", **base, DATAREADY_MODE="prod")
    assert bad_mode.returncode == 1
    assert bad_mode.stderr.count("\n") == 1 and "Traceback" not in bad_mode.stderr
    assert "DATAREADY_MODE='prod'" in bad_mode.stderr and "production" in bad_mode.stderr

    bad_number = entry_point("runs", "list", **base, DATAREADY_EXECUTOR__MAX_WORKERS="many")
    assert bad_number.returncode == 1 and "DATAREADY_EXECUTOR__MAX_WORKERS" in bad_number.stderr
    secret = entry_point(
        "runs", "list", **base, DATAREADY_AUTH__SECRET="x", DATAREADY_AUTH__DEFAULT_ROLE="root"
    )
    assert secret.returncode == 1 and "DATAREADY_AUTH__DEFAULT_ROLE" in secret.stderr

    no_secret = entry_point("serve", **base, DATAREADY_MODE="production")
    assert no_secret.returncode == 2 and "Traceback" not in no_secret.stderr
    assert no_secret.stderr.count("\n") == 1 and "DATAREADY_AUTH__SECRET" in no_secret.stderr
    no_key = entry_point(
        "serve", **base, DATAREADY_MODE="production", DATAREADY_AUTH__SECRET=SECRET
    )
    assert no_key.returncode == 2 and "DATAREADY_SECRET_KEY" in no_key.stderr

    bad_store = entry_point("runs", "list", **base, DATAREADY_DB__URL="postgres://u@h:xx/d")
    assert bad_store.returncode == 1 and "Traceback" not in bad_store.stderr
    assert "DATAREADY_DB__URL" in bad_store.stderr and bad_store.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("postgres://u@h:5432/db", "postgres"),
        ("postgresql://u@h/db", "postgres"),
        ("postgresql+psycopg://u@h/db", "postgres"),
        ("postgresql+psycopg2://u@h/db", "postgres"),
        ("mysql://u@h:3306/db", "mysql"),
        ("mysql+pymysql://u@h/db", "mysql"),
        ("mysql+mysqldb://u@h/db", "mysql"),
        ("mariadb://u@h/db", "mysql"),
        ("mariadb+pymysql://u@h/db", "mysql"),
    ],
)
def test_common_url_spellings_are_accepted(url: str, kind: str) -> None:
    from dataready.connectors.config import parse_source_url

    assert parse_source_url(url).type == kind


@pytest.mark.postgres
def test_services_verify_accepts_postgres_scheme(env: Path) -> None:
    from tests.services import require_postgres

    require_postgres()
    result = cli("services", "verify", "postgres://postgres@127.0.0.1:5432/postgres")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("ok postgres")
    ok("services", "add", "pg", "postgres://postgres@127.0.0.1:5432/postgres")
    assert json.loads(ok("services", "list", "--json"))[0]["type"] == "postgres"


@pytest.mark.parametrize(
    "url",
    [
        "postgres://u@h:notaport/db",
        "postgresql://[::1",
        "://x",
        "mysql://u@h/db?bogus=1",
        "sqlite://",
        "postgres://u:pw@h:99999/db",
    ],
)
def test_a_bad_url_is_one_error_line(env: Path, url: str) -> None:
    for command in (["services", "verify", url], ["services", "add", "x", url]):
        result = cli(*command)
        assert result.exit_code == 1, (command, result.output)
        assert isinstance(result.exception, SystemExit), result.exception
        assert result.stderr.startswith("error:") and result.stderr.count("\n") == 1
        assert "pw@" not in result.stderr
