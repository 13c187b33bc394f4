"""The read-only guard (dataready.sql.guard): what it lets through and what it refuses.

Dialects are SQLAlchemy names, as connectors pass them. The statements dataready itself
builds are checked in test_guard_generated.py; the guard in front of real servers in
tests/connectors/test_guard_servers.py.
"""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest

from dataready.errors import QueryFailed, ReadOnlyViolation
from dataready.sql.guard import check_read_statement, sqlglot_dialect
from dataready.sql.side_effects import _build, _groups, side_effects

NATIVE = ("postgresql", "mysql", "sqlite", "duckdb")
WAREHOUSES = (
    "trino",
    "snowflake",
    "bigquery",
    "redshift",
    "databricks",
    "mssql",
    "oracle",
    "clickhouse",
)
EVERY = (*NATIVE, "mariadb", *WAREHOUSES, "ansi")


def refused(sql: str, dialect: str) -> ReadOnlyViolation:
    with pytest.raises(ReadOnlyViolation, match="read-only") as info:
        check_read_statement(sql, dialect)
    return info.value


# -- the bypasses found by the audit (issue 8, item 5) -------------------------------------


@pytest.mark.parametrize(
    ("dialect", "sql"),
    [
        ("postgresql", "WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d"),
        ("postgresql", "WITH d AS (UPDATE t SET a = 1 RETURNING a) SELECT count(*) FROM d"),
        ("postgresql", "WITH d AS (INSERT INTO t VALUES (1) RETURNING *) SELECT * FROM d"),
        ("postgresql", "with D as (delete from T returning *) select * from D"),
        ("postgresql", "SELECT * FROM (WITH d AS (DELETE FROM t RETURNING 1) SELECT * FROM d) s"),
        ("postgresql", "SELECT (WITH d AS (DELETE FROM t RETURNING 1) SELECT 1)"),
        ("postgresql", "SELECT 1 WHERE EXISTS (WITH d AS (DELETE FROM t RETURNING 1) SELECT 1)"),
        ("postgresql", "WITH a AS (SELECT 1), b AS (DELETE FROM t RETURNING 1) SELECT * FROM a"),
        ("postgresql", "WITH d AS (SELECT 1) DELETE FROM t"),
        ("sqlite", "WITH c AS (SELECT 1) DELETE FROM t"),
        ("duckdb", "WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d"),
        ("redshift", "WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d"),
    ],
)
def test_writes_inside_a_query_are_refused(dialect: str, sql: str) -> None:
    error = refused(sql, dialect)
    assert error.details["reason"] in ("write_node", "not_a_query")


@pytest.mark.parametrize("dialect", ["postgresql", "mysql", "duckdb", "redshift", "trino"])
@pytest.mark.parametrize(
    "sql",
    [
        "EXPLAIN ANALYZE DELETE FROM t",
        "EXPLAIN ANALYZE SELECT 1",
        "explain analyze select 1",
        "EXPLAIN /* x */ ANALYZE SELECT 1",
        "EXPLAIN VERBOSE ANALYZE SELECT 1",
    ],
)
def test_explain_analyze_is_refused(dialect: str, sql: str) -> None:
    assert refused(sql, dialect).details["reason"] == "explain_analyze"


@pytest.mark.parametrize(
    "sql",
    [
        "EXPLAIN (ANALYZE) SELECT 1",
        "EXPLAIN (ANALYZE, FORMAT JSON) DELETE FROM t",
        "EXPLAIN (FORMAT JSON, ANALYSE true) SELECT 1",
        "EXPLAIN (ANALYZE false) SELECT 1",  # refused too: never worth the doubt
    ],
)
def test_explain_analyze_in_an_option_list_is_refused(sql: str) -> None:
    assert refused(sql, "postgresql").details["reason"] == "explain_analyze"


@pytest.mark.parametrize(
    ("dialect", "sql"),
    [
        ("postgresql", "EXPLAIN DELETE FROM t"),
        ("postgresql", "EXPLAIN EXPLAIN SELECT 1"),
        ("postgresql", "EXPLAIN SELECT 1; DELETE FROM t"),
        ("postgresql", "EXPLAIN WITH d AS (DELETE FROM t RETURNING 1) SELECT 1"),
        ("postgresql", "EXPLAIN SELECT set_config('statement_timeout', '0', false)"),
        ("mysql", "EXPLAIN FOR CONNECTION 7"),
        ("mysql", "EXPLAIN t"),
        ("oracle", "EXPLAIN PLAN FOR SELECT 1 FROM dual"),  # writes PLAN_TABLE
        ("postgresql", "EXPLAIN"),
    ],
)
def test_explain_of_anything_but_a_query_is_refused(dialect: str, sql: str) -> None:
    refused(sql, dialect)


@pytest.mark.parametrize(
    ("dialect", "sql"),
    [
        ("postgresql", "SELECT * INTO x FROM t"),
        ("postgresql", "SELECT * INTO TEMP x FROM t"),
        ("postgresql", "SELECT a FROM (SELECT * INTO x FROM t) s"),
        ("mssql", "SELECT * INTO #x FROM t"),
        ("mssql", "SELECT * INTO dbo.copy FROM t"),
        ("mysql", "SELECT 1 INTO @a"),
        ("mysql", "SELECT * FROM t INTO OUTFILE '/tmp/x'"),
        ("mysql", "SELECT 1 INTO DUMPFILE '/tmp/x'"),
        ("mariadb", "SELECT * FROM t INTO OUTFILE '/tmp/x'"),
        ("duckdb", "SELECT * INTO x FROM t"),
        ("snowflake", "SELECT * INTO x FROM t"),
    ],
)
def test_select_into_is_refused(dialect: str, sql: str) -> None:
    assert refused(sql, dialect).details["reason"] in ("into", "unparseable")


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT set_config('transaction_read_only', 'off', false)",
        "SELECT set_config('default_transaction_read_only', 'off', false)",
        "SELECT * FROM set_config('statement_timeout', '0', false)",
        "SELECT pg_catalog.set_config('statement_timeout', '0', false)",
        "SELECT \"set_config\"('statement_timeout', '0', false)",
        "SELECT SET_CONFIG('statement_timeout', '0', false)",
        "SELECT set_config /* a comment */ ('statement_timeout', '0', false)",
        "SELECT set_config\n  ('statement_timeout', '0', false)",
        "SELECT 1 WHERE (SELECT set_config('a.b', 'c', false)) IS NOT NULL",
        "SELECT nextval('s')",
        "SELECT NextVal('public.s'::regclass)",
        "SELECT setval('s', 1)",
        "SELECT id, nextval('s') FROM t ORDER BY 1",
    ],
)
def test_set_config_and_nextval_are_refused_on_postgres(sql: str) -> None:
    error = refused(sql, "postgresql")
    assert error.details["reason"] == "side_effect_function"
    assert error.details["function"].rsplit(".", 1)[-1] in ("set_config", "nextval", "setval")


@pytest.mark.parametrize(
    ("dialect", "sql"),
    [
        ("mariadb", "SELECT NEXTVAL(s)"),
        ("mariadb", "SELECT SETVAL(s, 10)"),
        ("mariadb", "SELECT NEXT VALUE FOR s"),
        ("mssql", "SELECT NEXT VALUE FOR dbo.s"),
        ("oracle", "SELECT s.NEXTVAL FROM dual"),
        ("snowflake", "SELECT s.nextval"),
        ("duckdb", "SELECT nextval('s')"),
        ("redshift", "SELECT set_config('a', 'b', false)"),
    ],
)
def test_sequences_and_settings_are_refused_elsewhere(dialect: str, sql: str) -> None:
    refused(sql, dialect)


@pytest.mark.parametrize("dialect", EVERY)
@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 1; SELECT 2",
        "SELECT 1; DELETE FROM t",
        "SELECT 1;DROP TABLE t;",
        "SELECT 1;\n;\nSELECT 2",
        "SELECT 1 /* ; */; SELECT 2",
    ],
)
def test_several_statements_are_refused(dialect: str, sql: str) -> None:
    error = refused(sql, dialect)
    assert error.details == {"reason": "several_statements", "statements": 2}
    assert isinstance(error, QueryFailed)  # callers catching QueryFailed still see it


# -- statement kinds -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dialect", "sql", "kind"),
    [
        ("postgresql", "DELETE FROM t", "DELETE"),
        ("postgresql", "-- c\nDROP TABLE t", "DROP"),
        ("postgresql", "/* hide */ UPDATE t SET a = 1", "UPDATE"),
        ("postgresql", "INSERT INTO t VALUES (1)", "INSERT"),
        ("postgresql", "MERGE INTO t USING s ON true WHEN MATCHED THEN DELETE", "MERGE"),
        ("postgresql", "TRUNCATE t", "TRUNCATE"),
        ("postgresql", "CREATE TABLE x AS SELECT 1", "CREATE"),
        ("postgresql", "ALTER TABLE t ADD COLUMN b int", "ALTER"),
        ("postgresql", "GRANT ALL ON t TO u", "GRANT"),
        ("postgresql", "REVOKE ALL ON t FROM u", "REVOKE"),
        ("postgresql", "COPY t TO '/tmp/x'", "COPY"),
        ("postgresql", "SET x = 1", "SET"),
        ("postgresql", "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE", "SET"),
        ("postgresql", "RESET ALL", "RESET"),
        ("postgresql", "BEGIN", "BEGIN"),
        ("postgresql", "COMMIT", "COMMIT"),
        ("postgresql", "START TRANSACTION READ WRITE", "START"),
        ("postgresql", "CALL p()", "CALL"),
        ("postgresql", "DO $$ BEGIN DELETE FROM t; END $$", "DO"),
        ("postgresql", "PREPARE p AS SELECT 1", "PREPARE"),
        ("postgresql", "EXECUTE p", "EXECUTE"),
        ("postgresql", "LISTEN x", "LISTEN"),
        ("postgresql", "NOTIFY x", "NOTIFY"),
        ("postgresql", "VACUUM t", "VACUUM"),
        ("postgresql", "ANALYZE t", "ANALYZE"),
        ("postgresql", "LOCK TABLE t", "LOCK"),
        ("postgresql", "REFRESH MATERIALIZED VIEW v", "REFRESH"),
        ("postgresql", "DISCARD ALL", "DISCARD"),
        ("postgresql", "SHOW search_path", "SHOW"),
        ("mysql", "SHOW TABLES", "SHOW"),
        ("mysql", "DESCRIBE t", "DESCRIBE"),
        ("mysql", "DO SLEEP(1)", "DO"),
        ("mysql", "HANDLER t OPEN", "HANDLER"),
        ("mysql", "LOAD DATA INFILE '/etc/passwd' INTO TABLE t", "LOAD"),
        ("mysql", "REPLACE INTO t VALUES (1)", "REPLACE"),
        ("mariadb", "ANALYZE SELECT 1", "ANALYZE"),
        ("mariadb", "SET STATEMENT max_statement_time = 0 FOR SELECT 1", "SET"),
        ("sqlite", "PRAGMA query_only = OFF", "PRAGMA"),
        ("sqlite", "PRAGMA table_info('t')", "PRAGMA"),
        ("sqlite", "ATTACH 'x.db' AS x", "ATTACH"),
        ("sqlite", "DETACH x", "DETACH"),
        ("duckdb", "INSTALL httpfs", "INSTALL"),
        ("duckdb", "LOAD httpfs", "LOAD"),
        ("duckdb", "USE other", "USE"),
        ("duckdb", "CHECKPOINT", "CHECKPOINT"),
        ("duckdb", "EXPORT DATABASE '/tmp/x'", "EXPORT"),
        ("duckdb", "SUMMARIZE t", "SUMMARIZE"),
        ("duckdb", "DESCRIBE t", "DESCRIBE"),
        ("mssql", "EXEC xp_cmdshell 'dir'", "EXEC"),
        ("snowflake", "EXECUTE IMMEDIATE 'DELETE FROM t'", "EXECUTE"),
        ("trino", "CALL system.runtime.kill_query('x')", "CALL"),
        ("ansi", "DELETE FROM t", "DELETE"),
    ],
)
def test_statements_that_are_not_queries_are_refused(dialect: str, sql: str, kind: str) -> None:
    error = refused(sql, dialect)
    assert error.details["reason"] == "not_a_query"
    assert error.details["statement_kind"] == kind


def test_catalogue_statements_point_at_a_query() -> None:
    assert "pragma_table_info" in refused("PRAGMA table_info('t')", "sqlite").message
    assert "information_schema" in refused("SHOW TABLES", "mysql").message


@pytest.mark.parametrize(
    ("dialect", "sql"),
    [
        ("postgresql", "SELECT 1 FROM t FOR UPDATE"),
        ("postgresql", "SELECT 1 FROM t FOR NO KEY UPDATE SKIP LOCKED"),
        ("postgresql", "SELECT 1 FROM t FOR SHARE"),
        ("postgresql", "SELECT 1 FROM t FOR KEY SHARE NOWAIT"),
        ("postgresql", "SELECT * FROM (SELECT * FROM t FOR UPDATE) s"),
        ("mysql", "SELECT 1 FROM t LOCK IN SHARE MODE"),
        ("mysql", "SELECT 1 FROM t FOR UPDATE"),
        ("oracle", "SELECT 1 FROM t FOR UPDATE"),
        ("mssql", "SELECT * FROM t WITH (UPDLOCK)"),
        ("mssql", "SELECT * FROM t WITH (NOLOCK, HOLDLOCK)"),
    ],
)
def test_locking_clauses_are_refused(dialect: str, sql: str) -> None:
    assert refused(sql, dialect).details["reason"] == "lock"


# -- what passes --------------------------------------------------------------------------


@pytest.mark.parametrize("dialect", EVERY)
@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 1",
        "SELECT 1;",
        "  select 1  ",
        "SeLeCt 1 AS x",
        "/* lead */ SELECT 1 -- tail",
        "SELECT ';' AS a",
        "SELECT 'DELETE FROM t; DROP TABLE t' AS a",
        "SELECT a FROM t WHERE b = 'DROP TABLE t'",
        "WITH x AS (SELECT 1 AS a) SELECT a FROM x",
        "(SELECT 1) UNION ALL SELECT 2",
        "SELECT 1 UNION ALL SELECT 2 UNION DISTINCT SELECT 3",
        "SELECT a FROM t WHERE a IN (SELECT a FROM (SELECT a FROM u WHERE a > 1) v)",
        "SELECT count(*), max(a), min(b) FROM t GROUP BY c HAVING count(*) > 1",
        "SELECT a FROM t WHERE description LIKE '%delete%'",
    ],
)
def test_reading_statements_pass(dialect: str, sql: str) -> None:
    assert check_read_statement(sql, dialect) == sql


@pytest.mark.parametrize(
    ("dialect", "sql"),
    [
        ("postgresql", "VALUES (1), (2)"),
        ("postgresql", "SELECT 'it''s; DELETE FROM t' AS a"),
        ("mysql", "SELECT 'it''s; DELETE FROM t' AS a"),
        ("postgresql", "(SELECT 1) UNION SELECT 2 EXCEPT SELECT 3"),
        ("postgresql", "TABLE t"),
        ("postgresql", 'SELECT 1 AS "a;b"'),
        ("postgresql", "SELECT $$;$$"),
        ("postgresql", "SELECT $tag$ ; DELETE FROM t; $tag$"),
        ("postgresql", "SELECT 1 -- ; DELETE FROM t\n"),
        ("postgresql", "SELECT E'it\\\\s' AS a"),
        ("postgresql", "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT 1"),
        ("postgresql", "SELECT * FROM t TABLESAMPLE BERNOULLI (10)"),
        ("postgresql", "SELECT pg_sleep(5)"),
        ("postgresql", "SELECT current_setting('transaction_read_only'), currval('s')"),
        ("postgresql", "SELECT * FROM pg_stat_activity"),
        ("postgresql", "SELECT func(a := 1)"),
        ("postgresql", "SELECT 2 # 3"),
        ("postgresql", "EXPLAIN SELECT 1"),
        ("postgresql", "EXPLAIN (FORMAT JSON, COSTS OFF) SELECT * FROM t"),
        ("postgresql", "EXPLAIN VERBOSE SELECT 1"),
        ("mysql", "SELECT 1 # ; DELETE FROM t"),
        ("mysql", "SELECT `a;b` FROM `t`"),
        ("mysql", "SELECT SLEEP(5)"),
        ("mysql", "SELECT BENCHMARK(10, MD5('x'))"),
        ("mysql", "SELECT IS_FREE_LOCK('x'), LASTVAL(s)"),
        ("mysql", "SELECT 1 FROM t WHERE a = @x"),
        ("mysql", "EXPLAIN FORMAT=JSON SELECT 1"),
        ("mysql", "SELECT 'a\\\\' AS backslash"),
        ("sqlite", "SELECT * FROM pragma_table_info('t')"),
        ("sqlite", "SELECT [a;b] FROM t"),
        ("sqlite", "EXPLAIN QUERY PLAN SELECT * FROM t"),
        ("sqlite", "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT 1"),
        ("duckdb", "FROM t"),
        ("duckdb", 'SELECT * FROM "x.csv"'),
        ("duckdb", "SELECT count(*) FROM range(10) a, range(10) b"),
        ("duckdb", "SELECT [x FOR x IN [1, 2]]"),
        ("duckdb", "SELECT * FROM t USING SAMPLE 10 PERCENT (bernoulli)"),
        ("duckdb", "EXPLAIN SELECT 1"),
        (
            "trino",
            "SELECT * FROM TABLE(exclude_columns(input => TABLE(t), columns => DESCRIPTOR(a)))",
        ),
        ("mssql", "SELECT TOP 5 * FROM [t] WITH (NOLOCK)"),
        ("oracle", "SELECT s.CURRVAL, sysdate FROM dual"),
        ("clickhouse", "SELECT sleepEachRow(1) FROM t FORMAT JSON"),
        ("clickhouse", "EXPLAIN PIPELINE header = 1 SELECT 1"),
    ],
)
def test_dialect_reads_pass(dialect: str, sql: str) -> None:
    assert check_read_statement(sql, dialect) == sql


@pytest.mark.parametrize(
    ("dialect", "sql"),
    [
        ("postgresql", "SELECT a FROM t WHERE b = %s AND c = %(name)s"),
        ("postgresql", "SELECT a FROM t WHERE b = $1"),
        ("mysql", "SELECT a FROM t WHERE b = %s AND c LIKE 'x%%' AND d = 7 %% 2"),
        ("mysql", "SELECT a FROM t WHERE b = %(name)s"),
        ("sqlite", "SELECT a FROM t WHERE b = ? AND c = :name"),
        ("duckdb", "SELECT a FROM t WHERE b = ? AND c = $1"),
        ("mssql", "SELECT a FROM t WHERE b = ?"),
        ("snowflake", "SELECT a FROM t WHERE b = %s"),
    ],
)
def test_driver_placeholders_pass(dialect: str, sql: str) -> None:
    check_read_statement(sql, dialect)


# -- tricks: comments, quoting, escapes, hints ----------------------------------------------


@pytest.mark.parametrize(
    ("dialect", "sql", "reason"),
    [
        ("mysql", "SELECT 1 /*! , GET_LOCK('x', 0) */", "executable_comment"),
        ("mysql", "SELECT 1 /*!50000 ; DROP TABLE t */", "executable_comment"),
        ("mariadb", "SELECT 1 /*M!100000 , GET_LOCK('x', 0) */", "executable_comment"),
        ("mariadb", "/*!*/ SELECT 1", "executable_comment"),
        ("mysql", "SELECT /*+ SET_VAR(max_execution_time = 0) */ 1", "hint"),
        ("mysql", "SELECT /*+ MAX_EXECUTION_TIME(0) */ 1", "hint"),
        ("postgresql", "SELECT /*+ Set(statement_timeout 0) */ 1", "hint"),
        ("oracle", "SELECT /*+ FULL(t) */ 1 FROM t", "hint"),
        ("postgresql", "SELECT 1 /* /* nested */ , pg_advisory_lock(1) */", "nested_comment"),
        ("mysql", "SELECT 1 /* /* */ , GET_LOCK('x', 0) -- */", "nested_comment"),
        ("duckdb", "SELECT 1 /* /* */ , 2 */", "nested_comment"),
        ("postgresql", "SELECT 1 -- pg_advisory_lock(1)", "side_effect_function"),
        ("mysql", "SELECT 1 -- GET_LOCK('x', 0)", "side_effect_function"),
        ("postgresql", "SELECT '\\', pg_advisory_lock(1), '' AS a", "ambiguous_literal"),
        ("postgresql", "SELECT '\\', ' , pg_advisory_lock(1) --' AS a", "ambiguous_literal"),
        ("mysql", "SELECT 'a\\', GET_LOCK('l', 0), '' AS x -- '", "ambiguous_literal"),
        ("mysql", 'SELECT "it\\"s"', "ambiguous_literal"),
        ("postgresql", "SELECT U&\"set\\005fconfig\"('a', 'b', false)", "escaped_name"),
        ("postgresql", 'SELECT u&"pg_sl\\0065ep"(1)', "escaped_name"),
        ("mysql", "SELECT @a := 1", "variable_assignment"),
        ("mysql", "SELECT a FROM t WHERE (@n := @n + 1) > 0", "variable_assignment"),
        ("duckdb", "SELECT * FROM '/etc/passwd'", "file_scan"),
        ("duckdb", "FROM 'data/*.parquet'", "file_scan"),
        ("duckdb", "SELECT * FROM t JOIN 'x.csv' USING (id)", "file_scan"),
        ("clickhouse", "SELECT 1 SETTINGS max_execution_time = 0", "settings"),
        ("clickhouse", "SELECT * FROM (SELECT 1 SETTINGS readonly = 0)", "settings"),
        ("postgresql", "EXPLAIN /* /* */ SELECT 1", "unparseable"),  # PostgreSQL nests
        ("sqlite", "EXPLAIN /* /* */ SELECT 1", "nested_comment"),
        ("mysql", "SELECT 1 -- /*+ SET_VAR(max_execution_time = 0) */", "hint"),
        ("postgresql", "/* pg_advisory_lock(1) */ EXPLAIN SELECT 1", "side_effect_function"),
        ("postgresql", "EXPLAIN /*+ Set(statement_timeout 0) */ SELECT 1", "hint"),
        ("mysql", "EXPLAIN /*+ SET_VAR(max_execution_time = 0) */ SELECT 1", "hint"),
        ("mysql", "EXPLAIN SELECT 1 /*! , GET_LOCK('l', 0) */", "executable_comment"),
    ],
)
def test_tricks_are_refused(dialect: str, sql: str, reason: str) -> None:
    assert refused(sql, dialect).details["reason"] == reason


def test_mysql_dash_dash_needs_a_space_to_be_a_comment() -> None:
    # MySQL reads "--x" as minus minus x: what follows is SQL, not a comment.
    assert refused("SELECT 1 --x; DROP TABLE t", "mysql").details["reason"] == "several_statements"
    refused("SELECT 1 --x\n, GET_LOCK('x', 0)", "mysql")


@pytest.mark.parametrize(
    ("dialect", "sql"),
    [
        ("postgresql", "SELECT FROM WHERE ("),
        ("postgresql", "SELECT 'unterminated"),
        ("postgresql", "SELECT 1 /* unterminated"),
        ("mysql", "SELECT * FROM t WHERE"),
        ("postgresql", "SELECT " + "(" * 5000 + "1" + ")" * 5000),
    ],
)
def test_unparseable_sql_is_refused(dialect: str, sql: str) -> None:
    error = refused(sql, dialect)
    assert error.details["reason"] == "unparseable"
    assert "could not be" in error.message


@pytest.mark.parametrize("sql", ["", "   ", ";", " ; ;", "-- only a comment"])
def test_empty_sql_is_a_query_failure(sql: str) -> None:
    with pytest.raises(QueryFailed, match="empty") as info:
        check_read_statement(sql, "postgresql")
    assert not isinstance(info.value, ReadOnlyViolation)


# -- functions with side effects: every entry of the data file ----------------------------


def _data() -> dict[str, object]:
    text = resources.files("dataready.sql").joinpath("side_effect_functions.toml").read_text()
    return tomllib.loads(text)


_SQLGLOT_TO_SQLALCHEMY = {"postgres": "postgresql", "tsql": "mssql", "athena": "awsathena"}


def _entries() -> list[tuple[str, str]]:
    """(SQLAlchemy dialect, statement calling one listed name) for every entry of the file."""
    out: list[tuple[str, str]] = []
    for dialect, table in _data().items():
        if not isinstance(table, dict):
            continue
        name = _SQLGLOT_TO_SQLALCHEMY.get(dialect, dialect)
        for group in table.values():
            if not isinstance(group, dict):
                continue
            for function in group.get("functions", []):
                out.append((name, f"SELECT {function}(1) AS a"))
            for prefix in group.get("prefixes", []):
                out.append((name, f"SELECT {prefix}x(1) AS a"))
            for column in group.get("columns", []):
                out.append((name, f"SELECT s.{column.upper()} AS a FROM t"))
    return out


@pytest.mark.parametrize(("dialect", "sql"), _entries())
def test_every_listed_function_is_refused(dialect: str, sql: str) -> None:
    assert refused(sql, dialect).details["reason"] == "side_effect_function"


@pytest.mark.parametrize(
    ("dialect", "sql"),
    [
        ("postgresql", "SELECT pg_advisory_lock(1)"),
        ("postgresql", "SELECT pg_try_advisory_xact_lock(1)"),
        ("postgresql", "SELECT pg_terminate_backend(123)"),
        ("postgresql", "SELECT pg_read_file('/etc/passwd')"),
        ("postgresql", "SELECT * FROM pg_ls_dir('.')"),
        ("postgresql", "SELECT lo_import('/etc/passwd')"),
        ("postgresql", "SELECT * FROM dblink('host=x', 'DELETE FROM t') AS r(a int)"),
        ("postgresql", "SELECT query_to_xml('DELETE FROM t RETURNING 1', true, true, '')"),
        ("postgresql", "SELECT pg_current_xact_id()"),
        ("postgresql", "SELECT pg_notify('c', 'x')"),
        ("mysql", "SELECT GET_LOCK('x', 0)"),
        ("mysql", "SELECT get_lock ('x', 0)"),
        ("mysql", "SELECT \"GET_LOCK\"('x', 0)"),
        ("mysql", "SELECT LOAD_FILE('/etc/passwd')"),
        ("mysql", "SELECT sys_exec('id')"),
        ("mysql", "SELECT LAST_INSERT_ID(42)"),
        ("sqlite", "SELECT load_extension('/tmp/evil.so')"),
        ("sqlite", "SELECT writefile('/tmp/x', 'y')"),
        ("sqlite", "SELECT * FROM fsdir('/')"),
        ("duckdb", "SELECT * FROM read_csv('/etc/passwd')"),
        ("duckdb", "SELECT * FROM read_parquet('s3://bucket/x.parquet')"),
        ("duckdb", "SELECT * FROM glob('/*')"),
        ("duckdb", "SELECT * FROM query('SELECT 1')"),
        ("duckdb", "SELECT * FROM duckdb_secrets()"),
        ("duckdb", "SELECT * FROM postgres_scan('host=x', 'public', 't')"),
        ("trino", "SELECT * FROM TABLE(system.query(query => 'DELETE FROM t'))"),
        ("snowflake", "SELECT SYSTEM$CANCEL_QUERY('x')"),
        ("bigquery", "SELECT * FROM EXTERNAL_QUERY('conn', 'DELETE FROM t')"),
        ("databricks", "SELECT * FROM read_files('/mnt/x')"),
        ("databricks", "SELECT reflect('java.lang.Runtime', 'getRuntime')"),
        ("mssql", "SELECT * FROM OPENROWSET('SQLNCLI', 'x', 'SELECT 1')"),
        ("mssql", "SELECT * FROM OPENQUERY(srv, 'DELETE FROM t')"),
        ("oracle", "SELECT UTL_HTTP.REQUEST('http://x') FROM dual"),
        ("oracle", "SELECT sys.dbms_pipe.receive_message('x') FROM dual"),
        ("clickhouse", "SELECT * FROM url('http://x', CSV)"),
        ("clickhouse", "SELECT * FROM file('/etc/passwd')"),
        ("clickhouse", "SELECT * FROM executable('id', TabSeparated, 'x String')"),
    ],
)
def test_side_effect_functions_are_refused(dialect: str, sql: str) -> None:
    assert refused(sql, dialect).details["reason"] == "side_effect_function"


def test_the_message_says_why() -> None:
    message = refused("SELECT pg_advisory_lock(1)", "postgresql").message
    assert "pg_advisory_lock() is refused" in message and "lock" in message


def test_an_engine_without_an_entry_gets_every_list() -> None:
    # Generic connectors for engines the file does not know fail closed.
    for sql in ("SELECT nextval('s')", "SELECT GET_LOCK('x', 0)", "SELECT * FROM url('x')"):
        refused(sql, "ansi")
        refused(sql, "teradata")
        refused(sql, "some-new-engine")
    assert side_effects("no-such-dialect").function_reason("pg_advisory_lock") is not None


def test_dialect_names() -> None:
    assert sqlglot_dialect("postgresql") == "postgres"
    assert sqlglot_dialect("mariadb") == sqlglot_dialect("mysql") == "mysql"
    assert sqlglot_dialect("mssql") == "tsql"
    assert sqlglot_dialect("awsathena") == "athena"
    assert sqlglot_dialect("ansi") == sqlglot_dialect("no-such-engine") == ""
    assert sqlglot_dialect("Snowflake") == "snowflake"
    assert {sqlglot_dialect(d) for d in WAREHOUSES} == {
        "trino",
        "snowflake",
        "bigquery",
        "redshift",
        "databricks",
        "tsql",
        "oracle",
        "clickhouse",
    }


def test_the_data_file_is_validated() -> None:
    data = {
        "a": {"inherits": ["b"], "g": {"why": "x", "functions": ["F"]}},
        "b": {"h": {"why": "y", "prefixes": ["p_"], "columns": ["nextval"]}},
    }
    built = _build(_groups(data, "a", frozenset()))
    assert built.function_reason("s.f") == "x"
    assert built.function_reason("p_anything") == "y"
    assert built.column_reason("NEXTVAL") == "y"
    assert built.function_reason("other") is None
    with pytest.raises(ValueError, match="inherits itself"):
        _groups({"a": {"inherits": ["a"]}}, "a", frozenset())
    with pytest.raises(ValueError, match="why"):
        _groups({"a": {"g": {"functions": ["f"]}}}, "a", frozenset())
    with pytest.raises(ValueError, match="unknown keys"):
        _groups({"a": {"g": {"why": "x", "function": ["f"]}}}, "a", frozenset())
    with pytest.raises(ValueError, match="non-empty strings"):
        _build(_groups({"a": {"g": {"why": "x", "functions": "f"}}}, "a", frozenset()))
    assert _data()["version"] == 1
