"""Token-level checks of the read-only guard (:mod:`dataready.sql.guard`).

What the token stream shows and a parse tree hides: calls of functions with side effects
however they are spelled (quoted, qualified, spaced), pseudo-columns (``seq.NEXTVAL``),
comments and hints, string literals whose end depends on the server's escape mode,
PostgreSQL ``U&"…"`` names and MySQL ``:=`` assignments; and the DB-API ``pyformat``
placeholders, read as placeholders before the parse.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from sqlglot import Token, TokenType

from dataready.errors import ReadOnlyViolation
from dataready.sql.side_effects import SideEffects

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
# An odd run of backslashes before a quote: where the literal ends depends on whether the
# server reads backslash escapes (MySQL NO_BACKSLASH_ESCAPES, standard_conforming_strings).
_ESCAPED_QUOTE = re.compile(r"(?<!\\)(?:\\\\)*\\['\"]")
_CALL_IN_COMMENT = re.compile(r"([A-Za-z_][\w$]*(?:\s*\.\s*[A-Za-z_][\w$]*)*)\s*\(")


def refuse(message: str, reason: str, **details: object) -> ReadOnlyViolation:
    """The guard's refusal; ``details["reason"]`` says which check refused (stable names)."""
    return ReadOnlyViolation(
        f"{message}; dataready sends sources only read-only queries", reason=reason, **details
    )


def adjacent(tokens: Sequence[Token], i: int, *types: TokenType) -> bool:
    """``tokens[i:]`` starts with ``types``, written without space between them."""
    if i + len(types) > len(tokens):
        return False
    run = tokens[i : i + len(types)]
    return all(t.token_type is k for t, k in zip(run, types, strict=True)) and all(
        a.end + 1 == b.start for a, b in itertools.pairwise(run)
    )


def placeholders(tokens: Sequence[Token]) -> list[Token]:
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
            if adjacent(tokens, i, TokenType.MOD, TokenType.VAR) and tokens[i + 1].text == "s":
                out.append(Token(TokenType.PLACEHOLDER, "?", start=token.start, end=token.end + 1))
                i += 2
                continue
            named = (TokenType.MOD, TokenType.L_PAREN, TokenType.VAR, TokenType.R_PAREN)
            if adjacent(tokens, i, *named, TokenType.VAR) and tokens[i + 4].text == "s":
                out.append(
                    Token(TokenType.PLACEHOLDER, "?", start=token.start, end=tokens[i + 4].end)
                )
                i += 5
                continue
            if adjacent(tokens, i, TokenType.MOD, TokenType.MOD):
                i += 1  # "%%" is one "%" once the driver has bound the parameters
        out.append(token)
        i += 1
    return out


def dotted_name(tokens: Sequence[Token], end: int) -> str:
    """The dotted name whose last part is ``tokens[end]`` (``pg_catalog.set_config``)."""
    parts = [tokens[end].text]
    i = end
    while i >= 2 and tokens[i - 1].token_type is TokenType.DOT:
        i -= 2
        parts.append(tokens[i].text)
    return ".".join(reversed(parts))


def check_tokens(sql: str, tokens: Sequence[Token], dialect: str, denied: SideEffects) -> None:
    """Checks on the token stream: calls, pseudo-columns, comments, hints and literals."""
    for i, token in enumerate(tokens):
        kind = token.token_type
        for comment in token.comments:
            check_comment(comment, denied)
        if kind is TokenType.HINT:
            raise hint_refusal()
        if kind in _LITERALS and _ESCAPED_QUOTE.search(sql, token.start + 1, token.end + 1):
            raise refuse(
                "a backslash before a quote inside a string literal is refused: engines read "
                "it differently with backslash escapes on or off; double the quote instead",
                "ambiguous_literal",
            )
        if (
            kind is TokenType.INTO
            and i + 1 < len(tokens)
            and tokens[i + 1].text.upper() in ("OUTFILE", "DUMPFILE")
        ):
            raise refuse(
                "SELECT … INTO OUTFILE/DUMPFILE is refused: it writes a file on the server", "into"
            )
        if kind is TokenType.COLON_EQ and dialect == "mysql":
            raise refuse(
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
            raise refuse(
                'Unicode-escaped names (U&"…") are refused: write the name plainly', "escaped_name"
            )
        followed_by_call = i + 1 < len(tokens) and tokens[i + 1].token_type is TokenType.L_PAREN
        if followed_by_call and kind not in _NOT_NAMES:
            name = dotted_name(tokens, i)
            why = denied.function_reason(name)
            if why:
                raise refuse(
                    f"{name}() is refused: {why}", "side_effect_function", function=name.lower()
                )
        elif kind in (TokenType.VAR, TokenType.IDENTIFIER) and (
            why := denied.column_reason(token.text)
        ):
            raise refuse(
                f"{dotted_name(tokens, i)} is refused: {why}",
                "side_effect_function",
                function=token.text.lower(),
            )


def hint_refusal() -> ReadOnlyViolation:
    return refuse(
        "optimizer hints (/*+ … */) are refused: some change settings for the statement "
        "(MySQL SET_VAR, pg_hint_plan Set)",
        "hint",
    )


def check_comment(comment: str, denied: SideEffects) -> None:
    """Refuse comments an engine may read differently, or that hide a refused call."""
    text = comment.strip()
    if text.startswith("+"):
        raise hint_refusal()
    if "/*" in comment or "*/" in comment:
        raise refuse(
            "nested comments are refused: engines disagree on where they end", "nested_comment"
        )
    for match in _CALL_IN_COMMENT.finditer(comment):
        name = re.sub(r"\s+", "", match.group(1))
        if denied.function_reason(name):
            raise refuse(
                f"a comment that names {name}() is refused: it would be run by an engine that "
                "reads the comment differently",
                "side_effect_function",
                function=name.lower(),
            )
