"""Fully qualified asset names: ``service.database.schema.table[.column]``.

A part that holds a dot or a double quote is written in double quotes with inner quotes
doubled: ``PostgreSQL.sales."eu.west".orders``.  Parsing never uses a plain ``split('.')``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from dataready.errors import InvalidFQN

MAX_PARTS = 5
MAX_FQN_LENGTH = 4096


class FQNLevel(StrEnum):
    SERVICE = "service"
    DATABASE = "database"
    SCHEMA = "schema"
    TABLE = "table"
    COLUMN = "column"


_LEVELS = [FQNLevel.SERVICE, FQNLevel.DATABASE, FQNLevel.SCHEMA, FQNLevel.TABLE, FQNLevel.COLUMN]


def split_fqn(text: str, *, field: str = "asset_fqn") -> list[str]:
    """Split an FQN into its unquoted parts.

    Raises:
        InvalidFQN: on an empty part, an unterminated quote, stray characters after a
            closing quote, or more than five parts.
    """
    if not text or not text.strip():
        raise InvalidFQN(
            f"{field} is empty: give an FQN such as service.database.schema.table", field=field
        )
    if len(text) > MAX_FQN_LENGTH:
        raise InvalidFQN(f"{field} is longer than {MAX_FQN_LENGTH} characters", field=field)
    parts: list[str] = []
    i, n = 0, len(text)
    while True:
        if i < n and text[i] == '"':
            i += 1
            buf: list[str] = []
            while True:
                if i >= n:
                    raise InvalidFQN(
                        f"{field} {text!r} has an unterminated double quote; close it, and double "
                        "any quote inside a quoted part",
                        field=field,
                    )
                ch = text[i]
                if ch == '"':
                    if i + 1 < n and text[i + 1] == '"':
                        buf.append('"')
                        i += 2
                        continue
                    i += 1
                    break
                buf.append(ch)
                i += 1
            part = "".join(buf)
            if i < n and text[i] != ".":
                raise InvalidFQN(
                    f"{field} {text!r}: unexpected {text[i]!r} after a quoted part at position {i}",
                    field=field,
                )
        else:
            start = i
            while i < n and text[i] != ".":
                if text[i] == '"':
                    raise InvalidFQN(
                        f"{field} {text!r}: a double quote inside an unquoted part at position "
                        f"{i}; quote the whole part and double the inner quote",
                        field=field,
                    )
                i += 1
            part = text[start:i]
        if part == "":
            raise InvalidFQN(f"{field} {text!r} has an empty part", field=field)
        parts.append(part)
        if i >= n:
            break
        i += 1  # skip the dot
        if i >= n:
            raise InvalidFQN(f"{field} {text!r} ends with a dot", field=field)
    if len(parts) > MAX_PARTS:
        raise InvalidFQN(
            f"{field} {text!r} has {len(parts)} parts; at most {MAX_PARTS} "
            "(service.database.schema.table.column)",
            field=field,
        )
    return parts


def quote_part(part: str) -> str:
    """Quote one FQN part when it needs it."""
    if "." in part or '"' in part or part == "" or part != part.strip():
        return '"' + part.replace('"', '""') + '"'
    return part


@dataclass(frozen=True, slots=True)
class FQN:
    """A parsed FQN; ``None`` for the parts it does not reach."""

    service: str
    database: str | None = None
    schema: str | None = None
    table: str | None = None
    column: str | None = None

    @classmethod
    def parse(cls, text: str, *, field: str = "asset_fqn") -> FQN:
        parts = split_fqn(text, field=field)
        return cls(*parts)

    @classmethod
    def from_parts(cls, *parts: str) -> FQN:
        return cls(*parts)

    @property
    def parts(self) -> list[str]:
        return [
            p
            for p in (self.service, self.database, self.schema, self.table, self.column)
            if p is not None
        ]

    @property
    def level(self) -> FQNLevel:
        return _LEVELS[len(self.parts) - 1]

    def child(self, name: str) -> FQN:
        parts = [*self.parts, name]
        if len(parts) > MAX_PARTS:
            raise InvalidFQN(f"{self} is a column FQN and has no children")
        return FQN(*parts)

    def __str__(self) -> str:
        return ".".join(quote_part(p) for p in self.parts)
