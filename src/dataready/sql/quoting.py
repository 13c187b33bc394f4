"""Quote identifiers per dialect.

Names are never pasted raw into SQL: every table, schema and column name goes through
:func:`quote_identifier`, which always quotes (so reserved words, dots, spaces, quotes and
semicolons are inert) and doubles the closing quote character inside the name.
"""

from __future__ import annotations

from dataready.errors import ValidationFailed

# Dialect name -> (opening quote, closing quote). The closing quote is doubled inside a name.
_QUOTES: dict[str, tuple[str, str]] = {
    "postgresql": ('"', '"'),
    "sqlite": ('"', '"'),
    "duckdb": ('"', '"'),
    "mysql": ("`", "`"),
    "mariadb": ("`", "`"),
    "mssql": ("[", "]"),
    "snowflake": ('"', '"'),
    "trino": ('"', '"'),
    "redshift": ('"', '"'),
    "oracle": ('"', '"'),
    "ansi": ('"', '"'),
}


def quote_identifier(name: str, dialect: str) -> str:
    """Quote one identifier for ``dialect`` (unknown dialects get ANSI double quotes).

    Raises:
        ValidationFailed: the name is empty or holds a NUL character, which no engine accepts.
    """
    if name == "" or "\x00" in name:
        raise ValidationFailed(
            f"identifier {name!r} is empty or holds a NUL character", field="identifier"
        )
    opening, closing = _QUOTES.get(dialect, _QUOTES["ansi"])
    return opening + name.replace(closing, closing + closing) + closing


def qualify(*parts: str | None, dialect: str) -> str:
    """Quote and join the non-empty parts of a dotted name: ``"db"."schema"."table"``."""
    return ".".join(quote_identifier(p, dialect) for p in parts if p is not None)


def quote_string(value: str) -> str:
    """An ANSI string literal (single quotes doubled) for the rare spot a bind is impossible."""
    if "\x00" in value:
        raise ValidationFailed("string literal holds a NUL character", field="value")
    return "'" + value.replace("'", "''") + "'"
