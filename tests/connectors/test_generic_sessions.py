"""The generic SQLAlchemy connector enforces what each engine allows, and says so truthfully.

Issue 8, item 4. Warehouse drivers are not installed, so per warehouse dialect the test pins
exactly what would be sent on connect (the plan from ``dialect_sessions.toml``) and parses
every statement with sqlglot in that dialect; SQLAlchemy's bundled dialects (mssql, oracle)
are also built without their drivers. On the engines that run here (PostgreSQL, MariaDB,
SQLite) the generic connector is opened for real: the engine itself must refuse a write
sent past the SQL guard, and ``verify`` answers ``read_only`` from what the engine reports.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlglot
from sqlalchemy.engine import make_url
from tests.connectors.sources import SourceCase, make_source

from dataready.connectors.config import SQLAlchemyConfig, to_url
from dataready.connectors.sqlalchemy_gateway import (
    dialect_available,
    dialect_sessions,
    load_dialect,
    session_plan,
)
from dataready.connectors.sqlalchemy_generic import SQLAlchemyConnector
from dataready.errors import ConnectorError
from dataready.settings import SourceSettings

# dialect -> (timeout statements, timeout attribute, read-only session, per transaction)
EXPECTED_AT_60S = {
    "snowflake": (["ALTER SESSION SET STATEMENT_TIMEOUT_IN_SECONDS = 60"], None, [], []),
    "trino": (["SET SESSION query_max_execution_time = '60s'"], None, [], []),
    "databricks": (["SET STATEMENT_TIMEOUT = 60"], None, [], []),
    "redshift": (["SET statement_timeout TO 60000"], None, [], []),
    "clickhouse": (["SET max_execution_time = 60"], None, ["SET readonly = 1"], []),
    "oracle": ([], ("call_timeout", 60000), [], ["SET TRANSACTION READ ONLY"]),
    "mssql": ([], ("timeout", 60), [], []),
    "bigquery": ([], None, [], []),
    "postgresql": (
        ["SET statement_timeout = 60000"],
        None,
        ["SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY"],
        [],
    ),
    "mysql": (
        ["SET SESSION max_execution_time = 60000"],
        None,
        ["SET SESSION TRANSACTION READ ONLY"],
        [],
    ),
    "mariadb": (
        ["SET SESSION max_statement_time = 60"],
        None,
        ["SET SESSION TRANSACTION READ ONLY"],
        [],
    ),
    "sqlite": ([], None, ["PRAGMA query_only = ON"], []),
}
SQLGLOT_DIALECT = {"postgresql": "postgres", "mssql": "tsql", "mariadb": "mysql"}
READ_ONLY_ENGINES = {"postgresql", "mysql", "mariadb", "sqlite", "clickhouse", "oracle"}


def test_every_table_entry_is_pinned() -> None:
    assert set(dialect_sessions()) == set(EXPECTED_AT_60S)


@pytest.mark.parametrize("dialect", sorted(EXPECTED_AT_60S))
def test_what_each_dialect_is_sent_on_connect(dialect: str) -> None:
    timeout, attribute, read_only, per_transaction = EXPECTED_AT_60S[dialect]
    plan = session_plan(dialect, 60)
    assert list(plan.timeout_session) == timeout
    assert plan.timeout_attribute == attribute
    assert list(plan.read_only_session) == read_only
    assert list(plan.read_only_transaction) == per_transaction
    assert plan.can_enforce_read_only is (dialect in READ_ONLY_ENGINES)
    assert plan.can_enforce_timeout is (dialect not in ("sqlite", "bigquery"))
    read = SQLGLOT_DIALECT.get(dialect, dialect)
    for sql in (*plan.timeout_session, *plan.read_only_session, *plan.read_only_transaction):
        sqlglot.parse_one(sql, read=read)  # a statement the engine's grammar accepts
    if plan.read_only_check:
        assert sqlglot.parse_one(plan.read_only_check, read=read) is not None
    if not plan.can_enforce_read_only:
        assert plan.note, f"{dialect}: say what an operator must do instead"


def test_timeouts_round_up_to_what_the_engine_takes() -> None:
    assert session_plan("trino", 0.25).timeout_session == (
        "SET SESSION query_max_execution_time = '1s'",
    )
    assert session_plan("postgresql", 0.25).timeout_session == ("SET statement_timeout = 250",)
    assert session_plan("mssql", 90.5).timeout_attribute == ("timeout", 91)


@pytest.mark.parametrize("url", ["mssql+pyodbc://u@dsn", "oracle+oracledb://u@h:1521/db"])
def test_bundled_dialects_build_without_drivers(url: str) -> None:
    assert dialect_available(make_url(url).drivername)
    assert load_dialect(make_url(url))().name == make_url(url).get_backend_name()
    connector = SQLAlchemyConnector(SQLAlchemyConfig(url=url), SourceSettings())
    assert connector.plan == session_plan(make_url(url).get_backend_name(), 60)
    assert connector.enforces_read_only is False  # nothing is claimed before connecting


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mysql", marks=pytest.mark.mysql),
    ]
)
def real(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SourceCase]:
    yield from make_source(request.param, tmp_path)


def _generic(case: SourceCase, **settings: float) -> SQLAlchemyConnector:
    url = to_url(case.config, hide_password=False)
    if case.engine == "mysql":
        url = url.replace("mysql+pymysql://", "mariadb+pymysql://")  # the server here
    source = SourceSettings(connect_timeout_seconds=5, **settings)  # type: ignore[arg-type]
    return SQLAlchemyConnector(SQLAlchemyConfig(url=url), source)


def _table(case: SourceCase) -> str:
    return "main.y" if case.engine == "sqlite" else f"{case.q(case.schema)}.y"


def test_the_engine_refuses_writes_sent_past_the_guard(real: SourceCase) -> None:
    before = real.counts()
    with _generic(real) as connector:
        result = connector.verify()
        assert result.read_only is True and connector.enforces_read_only
        assert result.details["statement_timeout"] is (real.engine != "sqlite")
        for sql in (f"DELETE FROM {_table(real)}", f"INSERT INTO {_table(real)} (id) VALUES (99)"):
            with pytest.raises(ConnectorError):
                connector._fetch(sql, None, max_rows=1)  # trusted path: no SQL guard
        # still usable, and the session stays read-only after the failed statements
        assert connector.execute(f"SELECT count(*) FROM {_table(real)}").rows[0][0] == 2
        with pytest.raises(ConnectorError):
            connector._fetch(f"DELETE FROM {_table(real)}", None, max_rows=1)
    assert real.counts() == before


@pytest.mark.postgres
def test_the_statement_timeout_is_set_on_the_server(tmp_path: Path) -> None:
    for case in make_source("postgres", tmp_path):
        with _generic(case, statement_timeout_seconds=1.5) as connector:
            assert connector.execute("SELECT current_setting('statement_timeout')").rows == [
                ("1500ms",)
            ]
            assert connector.execute("SELECT current_setting('transaction_read_only')").rows == [
                ("on",)
            ]


def test_an_engine_without_an_entry_is_not_called_read_only(tmp_path: Path) -> None:
    (case,) = list(make_source("sqlite", tmp_path))
    connector = _generic(case)
    connector.plan = session_plan("nosuch", 60)  # a dialect the table does not know
    with connector:
        result = connector.verify()
    assert result.read_only is False
    assert result.details["statement_timeout"] is False
