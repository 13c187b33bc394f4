"""Objects the source lists but cannot describe are catalogued with the reason, not left out.

MariaDB keeps a view over a dropped table in ``information_schema.TABLES`` while
``COLUMNS`` silently skips it; SQLite fails to describe such a view.  PostgreSQL refuses to
drop a table a view depends on, but allows tables and views without any column.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.services import mysql_params, pg_params, require_mysql, require_postgres
from tests.workflows.conftest import TENANT, add_service, run_builtin

from dataready.domain.enums import RunStatus
from dataready.store import assets as assets_q
from dataready.store.orm import Asset
from dataready.workflows.engine import Engine


def _assets(engine: Engine, prefix: str) -> dict[str, Asset]:
    with engine.store.session() as s:
        rows, _ = assets_q.list_assets(s, TENANT, fqn_prefix=prefix, limit=1000)
        return {a.fqn: a for a in rows}


def _check_broken_view(engine: Engine, schema_fqn: str, reason_part: str) -> None:
    run = run_builtin(engine, "service-ingestion", schema_fqn.split(".", 1)[0])
    assert run.status == RunStatus.COMPLETED, run.error_message
    assert (run.output or {})["unreadable"] == 1
    assets = _assets(engine, schema_fqn)
    broken = assets[f"{schema_fqn}.broken"]
    assert broken.asset_type == "view" and broken.status == "active"
    assert reason_part in broken.details["unreadable"]
    assert broken.details["column_count"] == 0
    assert not [f for f in assets if f.startswith(f"{schema_fqn}.broken.")]
    # the readable ones next to it are catalogued as always
    assert "unreadable" not in assets[f"{schema_fqn}.fine"].details
    assert f"{schema_fqn}.fine.id" in assets and f"{schema_fqn}.keep.id" in assets

    # unchanged on the next run (no version churn); repaired, it gets its columns back
    again = run_builtin(engine, "service-ingestion", schema_fqn.split(".", 1)[0]).output or {}
    assert (again["added"], again["changed"], again["removed"]) == (0, 0, 0)


def test_sqlite_view_over_a_dropped_table(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "v.db"
    con = sqlite3.connect(path)
    con.executescript(
        """
        CREATE TABLE keep (id INTEGER PRIMARY KEY);
        CREATE TABLE gone (id INTEGER, name TEXT);
        CREATE VIEW broken AS SELECT id, name FROM gone;
        CREATE VIEW fine AS SELECT id FROM keep;
        DROP TABLE gone;
        """
    )
    con.close()
    add_service(engine, "v", f"sqlite:///{path}")
    _check_broken_view(engine, "v.v.main", "no such table")

    con = sqlite3.connect(path)
    con.execute("CREATE TABLE gone (id INTEGER, name TEXT)")
    con.commit()
    con.close()
    run_builtin(engine, "service-ingestion", "v")
    broken = _assets(engine, "v.v.main")["v.v.main.broken"]
    assert "unreadable" not in broken.details and broken.details["column_count"] == 2


@pytest.fixture
def mariadb() -> Iterator[str]:
    import pymysql

    require_mysql()
    name = f"dr_test_{uuid.uuid4().hex[:12]}"
    admin = pymysql.connect(**mysql_params())
    try:
        with admin.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE `{name}`")
        con = pymysql.connect(**mysql_params(name))
        with con, con.cursor() as cursor:
            for sql in (
                "CREATE TABLE keep (id INT PRIMARY KEY)",
                "CREATE TABLE gone (id INT, name VARCHAR(10))",
                "CREATE VIEW broken AS SELECT id, name FROM gone",
                "CREATE VIEW fine AS SELECT id FROM keep",
                "DROP TABLE gone",
            ):
                cursor.execute(sql)
        yield name
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        admin.close()


@pytest.mark.mysql
def test_mariadb_view_over_a_dropped_table(engine: Engine, mariadb: str) -> None:
    params = mysql_params()
    add_service(
        engine, "m", f"mysql://{params['user']}@{params['host']}:{params['port']}/{mariadb}"
    )
    _check_broken_view(engine, f"m.default.{mariadb}", "references invalid table")


@pytest.mark.postgres
def test_postgres_relations_without_columns_are_catalogued(engine: Engine) -> None:
    import psycopg

    require_postgres()
    name = f"dr_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(**pg_params(), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with psycopg.connect(**pg_params(name), autocommit=True) as con:
            con.execute("CREATE TABLE keep (id INT PRIMARY KEY)")
            con.execute("CREATE TABLE bare ()")
            con.execute("CREATE VIEW nothing AS SELECT")
        p = pg_params(name)
        add_service(engine, "p", f"postgresql://{p['user']}@{p['host']}:{p['port']}/{name}")
        run = run_builtin(engine, "service-ingestion", f"p.{name}")
        assert run.status == RunStatus.COMPLETED, run.error_message
        assets = _assets(engine, f"p.{name}.public")
        assert assets[f"p.{name}.public.bare"].details["column_count"] == 0
        assert assets[f"p.{name}.public.nothing"].asset_type == "view"
        assert f"p.{name}.public.keep.id" in assets
    finally:
        with psycopg.connect(**pg_params(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
