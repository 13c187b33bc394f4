"""Include/exclude name filters (regular expressions matched against the whole name)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from dataready.errors import ValidationFailed


def _compile(patterns: object, field: str) -> tuple[re.Pattern[str], ...]:
    if patterns is None:
        return ()
    if isinstance(patterns, str):
        patterns = [patterns]
    if not isinstance(patterns, list | tuple) or not all(isinstance(p, str) for p in patterns):
        raise ValidationFailed(f"{field} must be a list of regular expressions", field=field)
    out = []
    for p in patterns:
        try:
            out.append(re.compile(p))
        except re.error as exc:
            raise ValidationFailed(
                f"{field}: {p!r} is not a valid regular expression ({exc})", field=field
            ) from exc
    return tuple(out)


@dataclass(frozen=True)
class NameFilter:
    """Keep a name when it matches an include pattern (or there are none) and no exclude."""

    include: tuple[re.Pattern[str], ...] = ()
    exclude: tuple[re.Pattern[str], ...] = ()

    @classmethod
    def from_config(cls, config: dict[str, object], kind: str) -> NameFilter:
        return cls(
            _compile(config.get(f"include_{kind}"), f"config.include_{kind}"),
            _compile(config.get(f"exclude_{kind}"), f"config.exclude_{kind}"),
        )

    def keeps(self, name: str) -> bool:
        if self.include and not any(p.fullmatch(name) for p in self.include):
            return False
        return not any(p.fullmatch(name) for p in self.exclude)

    def apply(self, names: Iterable[str]) -> list[str]:
        return [n for n in names if self.keeps(n)]
