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
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

import sqlglot.expressions.ddl as _ddl
import sqlglot.expressions.dml as _dml
from sqlglot import Token, TokenType, exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import SqlglotError

from dataready.errors import QueryFailed, ReadOnlyViolation
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
_LITERALS = frozenset(
    {
        TokenType.STRING,
        TokenType.NATIONAL_STRING,
        TokenType.BYTE_STRING,
        TokenType.UNICODE_STRING,
        TokenType.RAW_STRING,
    }
)
_NOT_NAMES = frozenset({TokenType.NUMBER, TokenType.R_PAREN, TokenType.R_BRACKET})
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
# An odd run of backslashes before a quote: where the literal ends depends on whether the
# server reads backslash escapes (MySQL NO_BACKSLASH_ESCAPES, standard_conforming_strings).
_ESCAPED_QUOTE = re.compile(r"(?<!\\)(?:\\\\)*\\['\"]")
_CALL_IN_COMMENT = re.compile(r"([A-Za-z_][\w$]*(?:\s*\.\s*[A-Za-z_][\w$]*)*)\s*\(")
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


def _refuse(message: str, reason: str, **details: object) -> ReadOnlyViolation:
    return ReadOnlyViolation(
        f"{message}; dataready sends sources only read-only queries", reason=reason, **details
    )


def _tokenize(sql: str, dialect: str) -> list[Token]:
    try:
        return Dialect.get_or_raise(dialect).tokenize(sql)
    except (SqlglotError, RecursionError) as exc:
        raise _refuse(
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


def _adjacent(tokens: Sequence[Token], i: int, *types: TokenType) -> bool:
    """``tokens[i:]`` starts with ``types``, written without space between them."""
    if i + len(types) > len(tokens):
        return False
    run = tokens[i : i + len(types)]
    return all(t.token_type is k for t, k in zip(run, types, strict=True)) and all(
        a.end + 1 == b.start for a, b in itertools.pairwise(run)
    )


def _placeholders(tokens: Sequence[Token]) -> list[Token]:
    """Read the DB-API ``pyformat`` placeholders (``%s``, ``%(name)s``, ``%%``) as such.

    PyMySQL and psycopg take them; sqlglot's parsers other than PostgreSQL's do not. The
    rewrite is narrow (no space inside, a plain name), so what the server would see without
    parameters (a modulo) hides no call.
    """
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.token_type is TokenType.MOD:
            if _adjacent(tokens, i, TokenType.MOD, TokenType.VAR) and tokens[i + 1].text == "s":
                out.append(Token(TokenType.PLACEHOLDER, "?", start=token.start, end=token.end + 1))
                i += 2
                continue
            named = (TokenType.MOD, TokenType.L_PAREN, TokenType.VAR, TokenType.R_PAREN)
            if _adjacent(tokens, i, *named, TokenType.VAR) and tokens[i + 4].text == "s":
                out.append(
                    Token(TokenType.PLACEHOLDER, "?", start=token.start, end=tokens[i + 4].end)
                )
                i += 5
                continue
            if _adjacent(tokens, i, TokenType.MOD, TokenType.MOD):
                i += 1  # "%%" is one "%" once the driver has bound the parameters
        out.append(token)
        i += 1
    return out


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
        raise _refuse(
            "MySQL executable comments (/*! … */, /*M! … */) are refused: the server runs "
            "their content, which a parser reads as a comment",
            "executable_comment",
        )
    if "/*+" in sql:  # wherever it stands: tokenizers keep some hints only as comments
        raise _hint()
    _check(sql, name, side_effects(name), explained=False)
    return sql


def _check(sql: str, dialect: str, denied: SideEffects, *, explained: bool) -> None:
    statements = _statements(_tokenize(sql, dialect))
    if not statements:
        raise QueryFailed("the SQL text is empty: send one SELECT statement")
    if len(statements) > 1:
        raise _refuse(
            f"the SQL text holds {len(statements)} statements: send one statement per call",
            "several_statements",
            statements=len(statements),
        )
    tokens = _placeholders(statements[0])
    first = tokens[0]
    if first.text.upper() == "EXPLAIN" and not explained:
        for comment in first.comments:
            _check_comment(comment, denied)
        _check_explain(sql[first.end + 1 :], dialect, denied)
        return
    start_tokens = _QUERY_START | ({TokenType.TABLE} if dialect == "postgres" else set())
    if first.token_type not in start_tokens:
        kind = first.text.upper()
        raise _refuse(
            f"{kind or 'this'} statements are refused (only SELECT, WITH … SELECT, VALUES "
            f"and EXPLAIN without ANALYZE are sent).{_CATALOGUE_HINT.get(kind, '')}".rstrip("."),
            "not_a_query",
            statement_kind=kind or None,
        )
    _check_tokens(sql, tokens, dialect, denied)
    try:
        tree = Dialect.get_or_raise(dialect).parser().parse(list(tokens), sql)[0]
    except (SqlglotError, RecursionError) as exc:
        raise _refuse(
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
            _check_comment(comment, denied)
        if token.token_type is TokenType.HINT:
            raise _hint()
        opens_query = token.token_type in _QUERY_START - {TokenType.L_PAREN} or (
            token.token_type is TokenType.L_PAREN
            and i + 1 < len(tokens)
            and tokens[i + 1].token_type in _QUERY_START
        )
        if opens_query:
            _check(rest[token.start :], dialect, denied, explained=True)
            return
        if word in ("ANALYZE", "ANALYSE"):
            raise _refuse(
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
            raise _refuse(
                f"EXPLAIN {word} is refused: only EXPLAIN of a query, with plan options, is sent",
                "not_a_query",
                statement_kind="EXPLAIN",
            )
    raise _refuse("EXPLAIN without a query is refused", "not_a_query", statement_kind="EXPLAIN")


def _dotted_name(tokens: Sequence[Token], end: int) -> str:
    """The dotted name whose last part is ``tokens[end]`` (``pg_catalog.set_config``)."""
    parts = [tokens[end].text]
    i = end
    while i >= 2 and tokens[i - 1].token_type is TokenType.DOT:
        i -= 2
        parts.append(tokens[i].text)
    return ".".join(reversed(parts))


def _check_tokens(sql: str, tokens: Sequence[Token], dialect: str, denied: SideEffects) -> None:
    """Checks on the token stream: calls, pseudo-columns, comments, hints and literals."""
    for i, token in enumerate(tokens):
        kind = token.token_type
        for comment in token.comments:
            _check_comment(comment, denied)
        if kind is TokenType.HINT:
            raise _hint()
        if kind in _LITERALS and _ESCAPED_QUOTE.search(sql, token.start + 1, token.end + 1):
            raise _refuse(
                "a backslash before a quote inside a string literal is refused: engines read "
                "it differently with backslash escapes on or off; double the quote instead",
                "ambiguous_literal",
            )
        if (
            kind is TokenType.INTO
            and i + 1 < len(tokens)
            and tokens[i + 1].text.upper() in ("OUTFILE", "DUMPFILE")
        ):
            raise _refuse(
                "SELECT … INTO OUTFILE/DUMPFILE is refused: it writes a file on the server", "into"
            )
        if kind is TokenType.COLON_EQ and dialect == "mysql":
            raise _refuse(
                "assigning a user variable (:=) is refused: it changes the session",
                "variable_assignment",
            )
        if (
            dialect == "postgres"
            and kind is TokenType.AMP
            and i > 0
            and tokens[i - 1].text.upper() == "U"
            and tokens[i - 1].end + 1 == token.start
            and i + 1 < len(tokens)
            and tokens[i + 1].token_type is TokenType.IDENTIFIER
        ):
            raise _refuse(
                'Unicode-escaped names (U&"…") are refused: write the name plainly', "escaped_name"
            )
        followed_by_call = i + 1 < len(tokens) and tokens[i + 1].token_type is TokenType.L_PAREN
        if followed_by_call and kind not in _NOT_NAMES:
            name = _dotted_name(tokens, i)
            why = denied.function_reason(name)
            if why:
                raise _refuse(
                    f"{name}() is refused: {why}", "side_effect_function", function=name.lower()
                )
        elif kind in (TokenType.VAR, TokenType.IDENTIFIER) and (
            why := denied.column_reason(token.text)
        ):
            raise _refuse(
                f"{_dotted_name(tokens, i)} is refused: {why}",
                "side_effect_function",
                function=token.text.lower(),
            )


def _hint() -> ReadOnlyViolation:
    return _refuse(
        "optimizer hints (/*+ … */) are refused: some change settings for the statement "
        "(MySQL SET_VAR, pg_hint_plan Set)",
        "hint",
    )


def _check_comment(comment: str, denied: SideEffects) -> None:
    """Refuse comments an engine may read differently, or that hide a refused call."""
    text = comment.strip()
    if text.startswith("+"):
        raise _hint()
    if "/*" in comment or "*/" in comment:
        raise _refuse(
            "nested comments are refused: engines disagree on where they end", "nested_comment"
        )
    for match in _CALL_IN_COMMENT.finditer(comment):
        name = re.sub(r"\s+", "", match.group(1))
        if denied.function_reason(name):
            raise _refuse(
                f"a comment that names {name}() is refused: it would be run by an engine that "
                "reads the comment differently",
                "side_effect_function",
                function=name.lower(),
            )


def _check_tree(tree: exp.Expr | None, sql: str, dialect: str) -> None:
    """Checks on the parsed tree: the root is a query, and nothing in it writes or locks."""
    if not isinstance(tree, (exp.Query, exp.Values)):
        kind = tree.key.upper() if tree is not None else None
        raise _refuse(
            f"{kind or 'this'} statements are refused (only SELECT, WITH … SELECT, VALUES "
            "and EXPLAIN without ANALYZE are sent)",
            "not_a_query",
            statement_kind=kind,
        )
    for node in tree.walk():
        if not isinstance(node, _INSPECTED):
            continue  # most nodes (columns, literals, calls): one check
        if isinstance(node, exp.Into):
            raise _refuse(
                "SELECT … INTO is refused: it writes a table, a file or a variable", "into"
            )
        if isinstance(node, exp.Lock):
            raise _refuse(
                "locking clauses (FOR UPDATE, FOR SHARE, LOCK IN SHARE MODE) are refused: a "
                "read-only query takes no row locks",
                "lock",
            )
        if isinstance(node, exp.Hint):
            raise _hint()
        if isinstance(node, _STATEMENT_NODES):
            kind = "NEXT VALUE FOR" if isinstance(node, exp.NextValueFor) else node.key.upper()
            raise _refuse(
                f"{kind} inside the query is refused: a read-only query may not write, change "
                "the schema, grant, or change the session or transaction",
                "write_node",
                statement_kind=kind,
            )
        if isinstance(node, exp.WithTableHint) and any(
            e.name.upper() in _LOCK_HINTS for e in node.expressions
        ):
            raise _refuse("table lock hints (UPDLOCK, HOLDLOCK, …) are refused", "lock")
        if isinstance(node, exp.Query) and node.args.get("settings"):
            raise _refuse(
                "a SETTINGS clause is refused: it changes settings such as the time limit",
                "settings",
            )
        if dialect == "duckdb" and isinstance(node, exp.Table) and _from_string(node, sql):
            raise _refuse(
                f"reading the file {node.name!r} is refused: read tables of the database",
                "file_scan",
            )


def _from_string(table: exp.Table, sql: str) -> bool:
    """A DuckDB table written as a string literal (``FROM 'x.csv'``): a file scan."""
    start = table.this.meta.get("start") if isinstance(table.this, exp.Identifier) else None
    return isinstance(start, int) and sql[start : start + 1] == "'"
