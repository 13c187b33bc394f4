"""The read-only guard for statements sent to a source through ``Connector.execute``.

Sources are opened read-only on the server side (read-only sessions or transactions,
read-only files, a read-only role): this guard is the second fence, and the one that holds
when the engine has no read-only switch. It parses the SQL with sqlglot in the source's
dialect and accepts only what it can verify:

* exactly one statement, and a query: ``SELECT``, a set operation, ``VALUES``, ``WITH …
  SELECT``, DuckDB's ``FROM``-first form, PostgreSQL's ``TABLE t``; or ``EXPLAIN`` (without
  ``ANALYZE``, which runs the statement) of such a query. ``SHOW``, ``DESCRIBE`` and
  ``PRAGMA`` are refused: dataready sends none, and the catalogue reads as a query
  (``information_schema``, SQLite's ``pragma_*`` table functions);
* no write, DDL, DCL, transaction or session node anywhere in the tree (a ``DELETE …
  RETURNING`` in a CTE, a ``SET`` in a subquery), no ``SELECT … INTO``, no locking clause
  (``FOR UPDATE``/``FOR SHARE``, SQL Server's lock hints), no ClickHouse ``SETTINGS``;
* no call of a function with side effects (``side_effect_functions.toml``, per dialect);
* nothing the engine would read differently from sqlglot: MySQL's executable comments
  (``/*! … */``), optimizer hints (MySQL ``SET_VAR``, pg_hint_plan ``Set`` change settings),
  nested comments, a backslash before a quote inside a string literal (its meaning depends
  on ``NO_BACKSLASH_ESCAPES``/``standard_conforming_strings``), PostgreSQL ``U&"…"`` names,
  MySQL ``:=`` assignments, DuckDB's ``FROM 'file.csv'`` scans.

Anything that does not tokenize or parse is refused (fail closed), with sqlglot's reason.
The token-level checks live in :mod:`dataready.sql.guard_tokens`, the list of functions in
``side_effect_functions.toml`` (:mod:`dataready.sql.side_effects`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sqlglot.expressions.ddl as _ddl
import sqlglot.expressions.dml as _dml
from sqlglot import Token, TokenType, exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import SqlglotError

from dataready.errors import QueryFailed
from dataready.sql.guard_tokens import (
    check_comment,
    check_tokens,
    hint_refusal,
    placeholders,
    refuse,
)
from dataready.sql.side_effects import SideEffects, side_effects

SQLGLOT_DIALECTS: dict[str, str] = {
    "postgresql": "postgres",
    "postgres": "postgres",
    "mysql": "mysql",
    "mariadb": "mysql",
    "sqlite": "sqlite",
    "duckdb": "duckdb",
    "trino": "trino",
    "presto": "presto",
    "awsathena": "athena",
    "snowflake": "snowflake",
    "bigquery": "bigquery",
    "redshift": "redshift",
    "databricks": "databricks",
    "hive": "hive",
    "spark": "spark",
    "mssql": "tsql",
    "tsql": "tsql",
    "oracle": "oracle",
    "clickhouse": "clickhouse",
    "teradata": "teradata",
}
"""SQLAlchemy dialect (backend) name -> sqlglot dialect name."""

_QUERY_START = frozenset(
    {TokenType.SELECT, TokenType.WITH, TokenType.VALUES, TokenType.L_PAREN, TokenType.FROM}
)
# Plan options of EXPLAIN across engines (PostgreSQL, MySQL, SQLite, DuckDB, Trino,
# Databricks, ClickHouse, Snowflake); anything else after EXPLAIN is refused.
_EXPLAIN_OPTIONS = frozenset(
    {
        *("VERBOSE", "COSTS", "SETTINGS", "BUFFERS", "WAL", "TIMING", "SUMMARY", "MEMORY"),
        *("SERIALIZE", "GENERIC_PLAN", "FORMAT", "TEXT", "XML", "JSON", "YAML", "TREE"),
        *("TRADITIONAL", "QUERY", "PLAN", "EXTENDED", "PARTITIONS", "CODEGEN", "COST"),
        *("FORMATTED", "USING", "TYPE", "LOGICAL", "DISTRIBUTED", "IO", "VALIDATE", "AST"),
        *("SYNTAX", "PIPELINE", "ESTIMATE", "HEADER", "DESCRIPTION", "ACTIONS", "INDEXES"),
        *("GRAPH", "COMPACT", "TRUE", "FALSE", "ON", "OFF", "NONE", "BINARY"),
    }
)
_LOCK_HINTS = frozenset(
    {
        *("UPDLOCK", "XLOCK", "HOLDLOCK", "TABLOCK", "TABLOCKX", "PAGLOCK", "ROWLOCK"),
        *("SERIALIZABLE", "REPEATABLEREAD", "READCOMMITTEDLOCK"),
    }
)
_CATALOGUE_HINT = {
    "SHOW": " Read information_schema (or the engine's catalogue views) with a SELECT instead.",
    "DESCRIBE": " Read information_schema.columns with a SELECT instead.",
    "DESC": " Read information_schema.columns with a SELECT instead.",
    "PRAGMA": " Use the pragma_* table functions instead: SELECT * FROM pragma_table_info('t').",
}
_EXECUTABLE_COMMENT = re.compile(r"/\*M?!")
# Statement nodes: everything sqlglot defines as DDL/DML, plus the clauses and statements
# of other modules that write, lock, grant or change state. The few literal-like nodes that
# live in the DDL module are let through.
_HARMLESS = (_ddl.Comprehension, _ddl.CharacterSet, _ddl.Heredoc)
_STATEMENT_NODES: tuple[type[exp.Expr], ...] = (
    *(
        cls
        for module in (_ddl, _dml)
        for cls in vars(module).values()
        if isinstance(cls, type)
        and issubclass(cls, exp.Expr)
        and cls.__module__ == module.__name__
        and cls not in _HARMLESS
    ),
    exp.Grant,
    exp.Revoke,
    exp.Analyze,
    exp.Cache,
    exp.Uncache,
    exp.Refresh,
    exp.LockingStatement,
    exp.Put,
    exp.Get,
    exp.ConditionalInsert,
    exp.MultitableInserts,
    exp.StoredProcedure,
    exp.Block,
)

_INSPECTED: tuple[type[exp.Expr], ...] = (
    exp.Into,
    exp.Lock,
    exp.Hint,
    exp.WithTableHint,
    exp.Query,
    exp.Table,
    *_STATEMENT_NODES,
)


def sqlglot_dialect(name: str) -> str:
    """The sqlglot dialect for a SQLAlchemy dialect name; ``""`` (generic SQL) when unknown."""
    key = name.lower().split("+", 1)[0]
    if key in SQLGLOT_DIALECTS:
        return SQLGLOT_DIALECTS[key]
    try:
        Dialect.get_or_raise(key)
    except ValueError:
        return ""
    return key


def _tokenize(sql: str, dialect: str) -> list[Token]:
    try:
        return Dialect.get_or_raise(dialect).tokenize(sql)
    except (SqlglotError, RecursionError) as exc:
        raise refuse(
            f"the SQL could not be read as {dialect or 'standard'} SQL ({_first_line(exc)}), so "
            "it cannot be verified as read-only",
            "unparseable",
        ) from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return re.sub(r"\x1b\[[0-9;]*m", "", text.splitlines()[0])[:200]


def _statements(tokens: Sequence[Token]) -> list[list[Token]]:
    statements: list[list[Token]] = [[]]
    for token in tokens:
        if token.token_type is TokenType.SEMICOLON:
            statements.append([])
        else:
            statements[-1].append(token)
    return [s for s in statements if s]


def check_read_statement(sql: str, dialect: str = "ansi") -> str:
    """Return ``sql`` when it is one read-only query in ``dialect``, else raise.

    Args:
        sql: the statement, as it will be sent.
        dialect: the SQLAlchemy dialect name of the source (``postgresql``, ``mysql``, …).

    Raises:
        QueryFailed: the SQL text is empty.
        ReadOnlyViolation: it holds several statements, is not a query, could not be parsed,
            or contains a write, a locking clause or a function with side effects.
    """
    name = sqlglot_dialect(dialect)
    if name == "mysql" and _EXECUTABLE_COMMENT.search(sql):
        raise refuse(
            "MySQL executable comments (/*! … */, /*M! … */) are refused: the server runs "
            "their content, which a parser reads as a comment",
            "executable_comment",
        )
    if "/*+" in sql:  # wherever it stands: tokenizers keep some hints only as comments
        raise hint_refusal()
    _check(sql, name, side_effects(name), explained=False)
    return sql


def _check(sql: str, dialect: str, denied: SideEffects, *, explained: bool) -> None:
    statements = _statements(_tokenize(sql, dialect))
    if not statements:
        raise QueryFailed("the SQL text is empty: send one SELECT statement")
    if len(statements) > 1:
        raise refuse(
            f"the SQL text holds {len(statements)} statements: send one statement per call",
            "several_statements",
            statements=len(statements),
        )
    tokens = placeholders(statements[0])
    first = tokens[0]
    if first.text.upper() == "EXPLAIN" and not explained:
        for comment in first.comments:
            check_comment(comment, denied)
        _check_explain(sql[first.end + 1 :], dialect, denied)
        return
    start_tokens = _QUERY_START | ({TokenType.TABLE} if dialect == "postgres" else set())
    if first.token_type not in start_tokens:
        kind = first.text.upper()
        raise refuse(
            f"{kind or 'this'} statements are refused (only SELECT, WITH … SELECT, VALUES "
            f"and EXPLAIN without ANALYZE are sent).{_CATALOGUE_HINT.get(kind, '')}".rstrip("."),
            "not_a_query",
            statement_kind=kind or None,
        )
    check_tokens(sql, tokens, dialect, denied)
    try:
        tree = Dialect.get_or_raise(dialect).parser().parse(list(tokens), sql)[0]
    except (SqlglotError, RecursionError) as exc:
        raise refuse(
            f"the SQL could not be parsed as {dialect or 'standard'} SQL ({_first_line(exc)}), "
            "so it cannot be verified as read-only",
            "unparseable",
        ) from None
    _check_tree(tree, sql, dialect)


def _check_explain(rest: str, dialect: str, denied: SideEffects) -> None:
    """``EXPLAIN [options] <query>``: options may not include ANALYZE, the query is checked."""
    tokens = _tokenize(rest, dialect)
    for i, token in enumerate(tokens):
        word = token.text.upper()
        for comment in token.comments:  # the query below is checked without them
            check_comment(comment, denied)
        if token.token_type is TokenType.HINT:
            raise hint_refusal()
        opens_query = token.token_type in _QUERY_START - {TokenType.L_PAREN} or (
            token.token_type is TokenType.L_PAREN
            and i + 1 < len(tokens)
            and tokens[i + 1].token_type in _QUERY_START
        )
        if opens_query:
            _check(rest[token.start :], dialect, denied, explained=True)
            return
        if word in ("ANALYZE", "ANALYSE"):
            raise refuse(
                "EXPLAIN ANALYZE is refused: it runs the statement it explains", "explain_analyze"
            )
        allowed = token.token_type in (
            TokenType.L_PAREN,
            TokenType.R_PAREN,
            TokenType.COMMA,
            TokenType.EQ,
            TokenType.NUMBER,
        )
        if not allowed and word not in _EXPLAIN_OPTIONS:
            raise refuse(
                f"EXPLAIN {word} is refused: only EXPLAIN of a query, with plan options, is sent",
                "not_a_query",
                statement_kind="EXPLAIN",
            )
    raise refuse("EXPLAIN without a query is refused", "not_a_query", statement_kind="EXPLAIN")


def _check_tree(tree: exp.Expr | None, sql: str, dialect: str) -> None:
    """Checks on the parsed tree: the root is a query, and nothing in it writes or locks."""
    if not isinstance(tree, (exp.Query, exp.Values)):
        kind = tree.key.upper() if tree is not None else None
        raise refuse(
            f"{kind or 'this'} statements are refused (only SELECT, WITH … SELECT, VALUES "
            "and EXPLAIN without ANALYZE are sent)",
            "not_a_query",
            statement_kind=kind,
        )
    for node in tree.walk():
        if not isinstance(node, _INSPECTED):
            continue  # most nodes (columns, literals, calls): one check
        if isinstance(node, exp.Into):
            raise refuse(
                "SELECT … INTO is refused: it writes a table, a file or a variable", "into"
            )
        if isinstance(node, exp.Lock):
            raise refuse(
                "locking clauses (FOR UPDATE, FOR SHARE, LOCK IN SHARE MODE) are refused: a "
                "read-only query takes no row locks",
                "lock",
            )
        if isinstance(node, exp.Hint):
            raise hint_refusal()
        if isinstance(node, _STATEMENT_NODES):
            kind = "NEXT VALUE FOR" if isinstance(node, exp.NextValueFor) else node.key.upper()
            raise refuse(
                f"{kind} inside the query is refused: a read-only query may not write, change "
                "the schema, grant, or change the session or transaction",
                "write_node",
                statement_kind=kind,
            )
        if isinstance(node, exp.WithTableHint) and any(
            e.name.upper() in _LOCK_HINTS for e in node.expressions
        ):
            raise refuse("table lock hints (UPDLOCK, HOLDLOCK, …) are refused", "lock")
        if isinstance(node, exp.Query) and node.args.get("settings"):
            raise refuse(
                "a SETTINGS clause is refused: it changes settings such as the time limit",
                "settings",
            )
        if dialect == "duckdb" and isinstance(node, exp.Table) and _from_string(node, sql):
            raise refuse(
                f"reading the file {node.name!r} is refused: read tables of the database",
                "file_scan",
            )


def _from_string(table: exp.Table, sql: str) -> bool:
    """A DuckDB table written as a string literal (``FROM 'x.csv'``): a file scan."""
    start = table.this.meta.get("start") if isinstance(table.this, exp.Identifier) else None
    return isinstance(start, int) and sql[start : start + 1] == "'"
