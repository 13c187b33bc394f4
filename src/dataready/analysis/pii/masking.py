"""Masked values: enough of a value's shape to explain a finding, never the value.

Evidence may carry one masked example per finding (``j***@e***.com``,
``**** **** **** 1111``).  Everything else in evidence is figures and names.  Profiles read
by a role below the unmasked one show the same masked forms in place of raw values
(:mod:`dataready.analysis.profile_masking`).
"""

from __future__ import annotations

import re

from dataready.analysis.pii.entities import Entity

_ALNUM_RUN = re.compile(r"[^\W_]+", re.UNICODE)


def _mask_runs(value: str) -> str:
    """Keep each word's first character; star the rest; keep separators."""
    return _ALNUM_RUN.sub(lambda m: m.group(0)[0] + "*" * min(len(m.group(0)) - 1, 6), value)


def _mask_email(value: str) -> str:
    local, _, domain = value.partition("@")
    host, _, tld = domain.rpartition(".")
    return f"{local[:1]}***@{host[:1]}***.{tld}"


def _mask_digits_keep_last(value: str, keep: int) -> str:
    total = sum(c.isdigit() for c in value)
    seen = 0
    out = []
    for c in value:
        if c.isdigit():
            seen += 1
            out.append(c if seen > total - keep else "*")
        elif c.isalpha():
            out.append("*")
        else:
            out.append(c)
    return "".join(out)


def _mask_card(value: str) -> str:
    digits = "".join(c for c in value if c.isdigit())
    groups = ["****"] * ((len(digits) - 4 + 3) // 4)
    return " ".join([*groups, digits[-4:]])


def _mask_all(value: str) -> str:
    return re.sub(r"[^\W_]", "*", value)


def mask(entity: Entity | None, value: str) -> str:
    """A masked form of ``value`` suitable for evidence shown to people; never ``value`` itself.

    ``entity`` picks the form (``None``: keep each word's first character).
    """
    if not value:
        return value
    masked = _masked(entity, value[:80])
    if masked == value:
        # one-character words ("M", "F") survive the word mask: star everything instead
        masked = _mask_all(value)[:24]
        if masked == value:
            masked = "*" * max(1, min(len(value), 24))
    return masked


def _masked(entity: Entity | None, value: str) -> str:
    if entity is Entity.EMAIL and "@" in value:
        return _mask_email(value)
    if entity is Entity.CREDIT_CARD:
        return _mask_card(value)
    if entity in {Entity.PHONE, Entity.NATIONAL_ID, Entity.BANK_ACCOUNT, Entity.PASSPORT}:
        return _mask_digits_keep_last(value, 2)
    if entity is Entity.IP_ADDRESS:
        sep = "." if "." in value else ":"
        head = value.split(sep)[0]
        return head + sep + sep.join("*" for _ in value.split(sep)[1:])
    if entity in {Entity.SECRET, Entity.DATE_OF_BIRTH, Entity.GEO_COORDINATES}:
        return _mask_all(value)[:24]
    return _mask_runs(value)
