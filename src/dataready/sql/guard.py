"""A lexical guard for statements sent to a source through ``Connector.execute``.

Sources are opened read-only on the server side (read-only sessions or transactions,
read-only files); this guard is the second fence. It accepts one statement whose first
keyword reads data, so a caller cannot change session state (``SET``, ``BEGIN``) to lift the
server-side protection. Quotes, dollar quotes and comments are skipped so a ``;`` inside them
does not count. The lexer is best-effort: each connector also makes its driver refuse a
second statement (extended protocol, no multi-statement flag, a parser check).
"""

from __future__ import annotations

import re

from dataready.errors import QueryFailed, ReadOnlyViolation

READ_KEYWORDS = frozenset(
    {"select", "with", "values", "table", "show", "explain", "describe", "desc"}
)
# Extra reading keywords per dialect (SQLite's table-valued pragmas, DuckDB's FROM-first).
_DIALECT_KEYWORDS: dict[str, frozenset[str]] = {
    "sqlite": frozenset({"pragma"}),
    "duckdb": frozenset({"from", "summarize"}),
}

_DOLLAR_TAG = re.compile(r"\$[A-Za-z_0-9]*\$")
_WORD = re.compile(r"[A-Za-z_]+")


def split_statements(sql: str, dialect: str = "ansi") -> list[str]:
    """Split on top-level ``;``, ignoring quoted text and comments; drop empty statements."""
    hash_comments = dialect in ("mysql", "mariadb")
    statements: list[str] = []
    buf: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in ("'", '"', "`"):
            end = i + 1
            while end < n:
                if sql[end] == ch:
                    if end + 1 < n and sql[end + 1] == ch:
                        end += 2
                        continue
                    break
                if sql[end] == "\\" and ch != '"':
                    end += 1  # MySQL backslash escapes; harmless elsewhere
                end += 1
            buf.append(sql[i : end + 1])
            i = end + 1
        elif sql.startswith("--", i) or (hash_comments and ch == "#"):
            end = sql.find("\n", i)
            i = n if end < 0 else end
            buf.append(" ")
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            i = n if end < 0 else end + 2
            buf.append(" ")
        elif ch == "$" and (m := _DOLLAR_TAG.match(sql, i)):
            end = sql.find(m.group(0), m.end())
            stop = n if end < 0 else end + len(m.group(0))
            buf.append(sql[i:stop])
            i = stop
        elif ch == ";":
            statements.append("".join(buf))
            buf = []
            i += 1
        else:
            buf.append(ch)
            i += 1
    statements.append("".join(buf))
    return [s.strip() for s in statements if s.strip()]


def first_keyword(statement: str) -> str:
    """The first word of a comment-free statement, lower case, skipping opening parentheses."""
    match = _WORD.search(statement.lstrip("( \t\r\n"))
    return match.group(0).lower() if match else ""


def check_read_statement(sql: str, dialect: str = "ansi") -> str:
    """Return ``sql`` when it holds a single reading statement, else raise.

    Raises:
        QueryFailed: there is no statement, or more than one.
        ReadOnlyViolation: the statement does not start with a reading keyword.
    """
    statements = split_statements(sql, dialect)
    if not statements:
        raise QueryFailed("the SQL text is empty: send one SELECT statement")
    if len(statements) > 1:
        raise QueryFailed(
            f"the SQL text holds {len(statements)} statements: send one statement per call"
        )
    keyword = first_keyword(statements[0])
    if keyword not in READ_KEYWORDS | _DIALECT_KEYWORDS.get(dialect, frozenset()):
        raise ReadOnlyViolation(
            f"{keyword.upper() or 'this'} statements are not allowed: dataready opens sources "
            "read-only and sends only reading statements (SELECT, WITH, VALUES, SHOW, EXPLAIN)",
            statement_kind=keyword or None,
        )
    return sql
