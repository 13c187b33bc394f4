"""What the API accepts as input: text both stores can keep, and JSON of a bounded size.

PostgreSQL refuses a NUL character in ``text`` and ``jsonb``, and every driver refuses text
that is not valid Unicode (an unpaired UTF-16 surrogate such as ``"\\ud800"``, which JSON can
spell and Python's parser lets through).  Python's parser also accepts ``NaN`` and
``Infinity``, which are not JSON and which ``jsonb`` refuses.  Such input is refused on both
stores alike, with the field that holds it named, before anything is written.

Free-form JSON objects (run ``parameters``, configuration ``config``, service ``config`` and
``credentials``) are bounded in serialised size, nesting depth and keys per object: they are
stored, and come back on every read of their resource (a run's ``input`` on every poll).
"""

from __future__ import annotations

import json
import math
from typing import Annotated, Any

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

MAX_JSON_DEPTH = 16
"""Nesting levels below a field (``{"a": {"b": 1}}`` is two)."""
MAX_JSON_KEYS = 1000
"""Keys of one JSON object, and items of one JSON array."""
MAX_JSON_BYTES = 64 * 1024
"""Serialised size (compact UTF-8 JSON) of one free-form JSON field."""

_KEY_SHOWN = 40


def text_problem(text: str) -> str | None:
    """Why the store cannot keep ``text``, or ``None`` when it can."""
    if "\x00" in text:
        return "holds a NUL character (\\u0000), which cannot be stored; remove it"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return (
            "holds an unpaired UTF-16 surrogate (such as \\ud800), which is not valid "
            "Unicode text; send the character as a surrogate pair or remove it"
        )
    return None


def _step(path: str, key: str) -> str:
    shown = key if len(key) <= _KEY_SHOWN else key[:_KEY_SHOWN] + "…"
    if shown.isidentifier():
        return f"{path}.{shown}" if path else shown
    return f"{path}[{shown!r}]"


def value_problem(value: Any, name: str) -> str | None:
    """Why ``value`` (a field named ``name``) cannot be accepted, or ``None``.

    Walks strings, numbers, keys and items at any depth (iteratively: a deep value cannot
    exhaust the stack) and names where the first problem is, e.g. ``parameters.a[2]``.
    """
    stack: list[tuple[Any, str, int]] = [(value, name, 0)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, str):
            problem = text_problem(item)
            if problem:
                return f"{path} {problem}"
        elif isinstance(item, float):
            if not math.isfinite(item):
                return f"{path} is {item}: NaN and Infinity are not JSON numbers"
        elif isinstance(item, dict | list | tuple):
            if depth >= MAX_JSON_DEPTH:
                return f"{path} is nested deeper than {MAX_JSON_DEPTH} levels"
            if len(item) > MAX_JSON_KEYS:
                what = "keys" if isinstance(item, dict) else "items"
                return f"{path} has {len(item)} {what}; at most {MAX_JSON_KEYS}"
            if isinstance(item, dict):
                for key, child in item.items():
                    if isinstance(key, str):
                        problem = text_problem(key)
                        if problem:
                            return f"a key of {path} {problem}"
                    stack.append((child, _step(path, str(key)), depth + 1))
            else:
                stack.extend((child, f"{path}[{i}]", depth + 1) for i, child in enumerate(item))
    return None


def check_value(value: Any, name: str) -> Any:
    """Pydantic: refuse a value :func:`value_problem` finds fault with (422 naming it)."""
    problem = value_problem(value, name)
    if problem:
        raise PydanticCustomError("unstorable_value", "{problem}", {"problem": problem})
    return value


def json_size(value: Any) -> int:
    """Bytes of ``value`` as compact UTF-8 JSON."""
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


def _bounded(value: Any) -> Any:
    size = json_size(value)
    if size > MAX_JSON_BYTES:
        raise PydanticCustomError(
            "json_too_large",
            "{size} bytes of JSON; at most {limit} bytes: keep large data in the source and "
            "refer to it",
            {"size": size, "limit": MAX_JSON_BYTES},
        )
    return value


_BOUNDS = (
    f"At most {MAX_JSON_BYTES} bytes as JSON, {MAX_JSON_DEPTH} levels deep, "
    f"{MAX_JSON_KEYS} keys per object; no NUL characters, NaN or Infinity."
)

JsonObject = Annotated[
    dict[str, Any],
    Field(max_length=MAX_JSON_KEYS, description=_BOUNDS),
    AfterValidator(_bounded),
]
"""A free-form JSON object, bounded (see the module docstring)."""
MAX_JSON_LIST = 100
JsonList = Annotated[
    list[Any],
    Field(max_length=MAX_JSON_LIST, description=f"At most {MAX_JSON_LIST} items. {_BOUNDS}"),
    AfterValidator(_bounded),
]
"""A free-form JSON array of at most 100 items, bounded like :data:`JsonObject`."""
