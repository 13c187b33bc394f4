"""The per-dialect list of functions with side effects, read from a versioned data file.

``side_effect_functions.toml`` (next to this module) says, per sqlglot dialect, which
functions a read-only statement may not call and why; :func:`side_effects` turns it into a
:class:`SideEffects` lookup the guard asks about every function name it finds. The file's
header explains its layout and what is left out on purpose.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

DATA_FILE = "side_effect_functions.toml"
SUPPORTED_VERSION = 1


@dataclass(frozen=True, slots=True)
class SideEffects:
    """What one dialect refuses: exact names, name prefixes and pseudo-columns, with reasons."""

    functions: dict[str, str] = field(default_factory=dict)
    prefixes: tuple[tuple[str, str], ...] = ()
    columns: dict[str, str] = field(default_factory=dict)

    def function_reason(self, dotted_name: str) -> str | None:
        """Why calling ``dotted_name`` (e.g. ``pg_catalog.set_config``) is refused, or ``None``.

        The name matches when it, or any of its trailing parts (``set_config``,
        ``utl_http.request``), is listed or starts with a listed prefix; case is ignored.
        """
        parts = dotted_name.lower().split(".")
        for i in range(len(parts)):
            candidate = ".".join(parts[i:])
            if candidate in self.functions:
                return self.functions[candidate]
            for prefix, why in self.prefixes:
                if candidate.startswith(prefix):
                    return why
        return None

    def column_reason(self, name: str) -> str | None:
        """Why referencing the pseudo-column ``name`` (``seq.NEXTVAL``) is refused, or ``None``."""
        return self.columns.get(name.lower())


def _strings(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ValueError(f"{DATA_FILE}: {where} must be a list of non-empty strings")
    return [v.lower() for v in value]


def _groups(data: dict[str, Any], dialect: str, seen: frozenset[str]) -> list[dict[str, Any]]:
    """The groups of ``dialect``, its inherited dialects' first."""
    table = data.get(dialect)
    if not isinstance(table, dict):
        raise ValueError(f"{DATA_FILE}: no table for dialect {dialect!r}")
    if dialect in seen:
        raise ValueError(f"{DATA_FILE}: {dialect!r} inherits itself")
    groups: list[dict[str, Any]] = []
    for parent in _strings(table.get("inherits", []), f"{dialect}.inherits"):
        groups.extend(_groups(data, parent, seen | {dialect}))
    for name, group in table.items():
        if name == "inherits":
            continue
        if not isinstance(group, dict) or not isinstance(group.get("why"), str):
            raise ValueError(f"{DATA_FILE}: {dialect}.{name} needs a `why` and its lists")
        unknown = set(group) - {"why", "functions", "prefixes", "columns"}
        if unknown:
            raise ValueError(f"{DATA_FILE}: {dialect}.{name} has unknown keys {sorted(unknown)}")
        groups.append(group)
    return groups


def _build(groups: list[dict[str, Any]]) -> SideEffects:
    functions: dict[str, str] = {}
    prefixes: list[tuple[str, str]] = []
    columns: dict[str, str] = {}
    for group in groups:
        why = group["why"]
        for name in _strings(group.get("functions", []), "functions"):
            functions.setdefault(name, why)
        prefixes.extend((p, why) for p in _strings(group.get("prefixes", []), "prefixes"))
        for name in _strings(group.get("columns", []), "columns"):
            columns.setdefault(name, why)
    return SideEffects(functions, tuple(prefixes), columns)


@cache
def _data() -> dict[str, Any]:
    text = resources.files("dataready.sql").joinpath(DATA_FILE).read_text(encoding="utf-8")
    data = tomllib.loads(text)
    if data.get("version") != SUPPORTED_VERSION:
        raise ValueError(
            f"{DATA_FILE} has version {data.get('version')!r}; this dataready reads version "
            f"{SUPPORTED_VERSION}"
        )
    return {k: v for k, v in data.items() if k != "version"}


def known_dialects() -> frozenset[str]:
    """The sqlglot dialect names the data file has an entry for."""
    return frozenset(_data())


@cache
def side_effects(dialect: str) -> SideEffects:
    """The functions ``dialect`` (a sqlglot dialect name) refuses.

    A dialect the file does not list gets every group of every dialect (fail closed).
    """
    data = _data()
    if dialect in data:
        return _build(_groups(data, dialect, frozenset()))
    return _build([g for name in sorted(data) for g in _groups(data, name, frozenset())])
