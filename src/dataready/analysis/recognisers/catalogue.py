"""The recognisers of ``recognisers.toml``, loaded once and compiled.

A :class:`Recogniser` answers two questions about a whole value: does it have the *shape*
(``shaped``: pattern, digit count, exclusions) and is it *recognised* (``matches``: shaped and
passes its check).  The profiler reports, per format, the share of values a recogniser
``matches``; the classifier's detectors count ``shaped`` values as matched and ``matches`` as
validated.  Both read the same objects, so they cannot disagree.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from typing import Any

from dataready.analysis.recognisers.checks import Check, get_check
from dataready.errors import ConfigError, UnknownName

DATA_FILE = "recognisers.toml"
SUPPORTED_VERSION = 1

_KNOWN_KEYS = frozenset(
    {
        "name", "description", "pattern", "ignore_case", "max_length", "strip", "digits",
        "exclude", "exclude_recognisers", "check", "params", "report", "entity", "standalone",
        "standalone_pattern", "label", "search", "group",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Recogniser:
    """One recogniser of the data file (see its header for what each field means)."""

    name: str
    pattern: re.Pattern[str]
    description: str = ""
    max_length: int | None = None
    strip: re.Pattern[str] | None = None
    digits: tuple[int, int] | None = None
    exclude: tuple[re.Pattern[str], ...] = ()
    exclude_recognisers: tuple[str, ...] = ()
    check: Check | None = None
    check_name: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    settings: Mapping[str, Any] = field(default_factory=dict)
    report: bool = True
    entity: str | None = None
    standalone: bool = False
    standalone_pattern: re.Pattern[str] | None = None
    label: str = ""
    search: re.Pattern[str] | None = None
    group: str | None = None

    @cached_property
    def _excluded(self) -> tuple[Recogniser, ...]:
        return tuple(recogniser(name) for name in self.exclude_recognisers)

    def _shape(self, value: str) -> tuple[str, re.Match[str]] | None:
        if self.max_length is not None and len(value) > self.max_length:
            return None
        match = self.pattern.fullmatch(value)
        if match is None:
            return None
        core = self.strip.sub("", value) if self.strip is not None else value
        if self.digits is not None:
            low, high = self.digits
            if not low <= sum(c.isdigit() for c in core) <= high:
                return None
        if any(p.fullmatch(value) for p in self.exclude):
            return None
        if any(other.matches(value) for other in self._excluded):
            return None
        return core, match

    def shaped(self, value: str) -> bool:
        """``value`` (already stripped) has this recogniser's shape; its check may still fail."""
        return self._shape(value) is not None

    def matches(self, value: str) -> bool:
        """``value`` (already stripped) has the shape and passes the check."""
        shape = self._shape(value)
        if shape is None:
            return False
        return self.check is None or self.check(shape[0], shape[1], self.params, self.settings)

    def stands_alone(self, value: str) -> bool:
        """A recognised ``value`` that is specific enough for its entity without a name."""
        if not self.standalone and self.standalone_pattern is None:
            return False
        if not self.matches(value):
            return False
        return (
            self.standalone
            or (self.standalone_pattern is not None and self.standalone_pattern.fullmatch(value))
            is not None
        )

    def find(self, text: str) -> bool:
        """Some candidate that ``search`` finds inside ``text`` is recognised."""
        if self.search is None:
            return False
        return any(self.matches(m.group(0)) for m in self.search.finditer(text))


@dataclass(frozen=True)
class Catalogue:
    """Every recogniser of the data file, in its order, and the file's settings."""

    version: int
    settings: Mapping[str, Any]
    recognisers: tuple[Recogniser, ...]

    @cached_property
    def by_name(self) -> dict[str, Recogniser]:
        return {r.name: r for r in self.recognisers}

    @cached_property
    def reported(self) -> tuple[Recogniser, ...]:
        """The recognisers the profiler reports as formats, in the file's order."""
        return tuple(r for r in self.recognisers if r.report)


def _pattern(raw: Any, flags: int, where: str) -> re.Pattern[str]:
    text = "|".join(raw) if isinstance(raw, list) else raw
    if not isinstance(text, str):
        raise ConfigError(f"{DATA_FILE}: {where} must be a string or a list of strings")
    try:
        return re.compile(text, flags)
    except re.error as exc:
        raise ConfigError(f"{DATA_FILE}: {where} is not a valid regular expression: {exc}") from exc


def _build(entry: Mapping[str, Any], settings: Mapping[str, Any]) -> Recogniser:
    name = entry.get("name")
    if not isinstance(name, str) or not name:
        raise ConfigError(f"{DATA_FILE}: every [[recogniser]] needs a name")
    unknown = set(entry) - _KNOWN_KEYS
    if unknown:
        raise ConfigError(f"{DATA_FILE}: recogniser {name!r} has unknown keys {sorted(unknown)}")
    flags = re.IGNORECASE if entry.get("ignore_case") else 0
    check_name = entry.get("check")
    try:
        check = get_check(check_name) if check_name is not None else None
    except UnknownName as exc:
        raise ConfigError(f"{DATA_FILE}: recogniser {name!r}: {exc}") from exc
    digits = entry.get("digits")
    optional = {
        key: _pattern(entry[key], flags, f"{name}.{key}")
        for key in ("strip", "standalone_pattern", "search")
        if key in entry
    }
    return Recogniser(
        name=name,
        pattern=_pattern(entry.get("pattern"), flags, f"{name}.pattern"),
        description=str(entry.get("description", "")),
        max_length=entry.get("max_length"),
        strip=optional.get("strip"),
        digits=(int(digits[0]), int(digits[1])) if digits is not None else None,
        exclude=tuple(_pattern(p, flags, f"{name}.exclude") for p in entry.get("exclude", ())),
        exclude_recognisers=tuple(entry.get("exclude_recognisers", ())),
        check=check,
        check_name=check_name,
        params=dict(entry.get("params", {})),
        settings=settings,
        report=bool(entry.get("report", True)),
        entity=entry.get("entity"),
        standalone=bool(entry.get("standalone", False)),
        standalone_pattern=optional.get("standalone_pattern"),
        label=str(entry.get("label", name)),
        search=optional.get("search"),
        group=entry.get("group"),
    )


def parse_catalogue(text: str) -> Catalogue:
    """A catalogue from the text of a recogniser data file (checked, compiled)."""
    data = tomllib.loads(text)
    if data.get("version") != SUPPORTED_VERSION:
        raise ConfigError(
            f"{DATA_FILE} has version {data.get('version')!r}; this dataready reads version "
            f"{SUPPORTED_VERSION}"
        )
    settings = dict(data.get("settings", {}))
    built = tuple(_build(entry, settings) for entry in data.get("recogniser", []))
    names = [r.name for r in built]
    if len(set(names)) != len(names):
        raise ConfigError(f"{DATA_FILE}: recogniser names must be unique")
    for r in built:
        missing = set(r.exclude_recognisers) - set(names)
        if missing:
            raise ConfigError(f"{DATA_FILE}: {r.name} excludes unknown {sorted(missing)}")
    return Catalogue(int(data["version"]), settings, built)


@cache
def catalogue() -> Catalogue:
    """The recognisers shipped with dataready (read once)."""
    text = resources.files("dataready.analysis.recognisers").joinpath(DATA_FILE)
    return parse_catalogue(text.read_text(encoding="utf-8"))


def recogniser(name: str) -> Recogniser:
    """The recogniser called ``name``; an unknown name lists the known ones."""
    try:
        return catalogue().by_name[name]
    except KeyError:
        known = ", ".join(sorted(catalogue().by_name))
        raise UnknownName(f"unknown recogniser {name!r}; known recognisers: {known}") from None


def recognised(value: str, candidates: Iterable[Recogniser] | None = None) -> list[str]:
    """The names of the recognisers (default: the reported ones) that recognise ``value``.

    Surrounding whitespace is ignored; names come in the data file's order.
    """
    text = value.strip()
    if not text:
        return []
    pool = catalogue().reported if candidates is None else candidates
    return [r.name for r in pool if r.matches(text)]


def recognisers_version() -> int:
    """The version of the recogniser data file (recorded with the evidence it produced)."""
    return catalogue().version
