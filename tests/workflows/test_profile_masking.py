"""Profile masking over a real table on every engine: no raw personal or secret value survives.

The table holds known personal values (e-mails, phone numbers, dates of birth, coordinates,
names) and secrets (bcrypt hashes under a neutral name, a token under a secret name).  The
profiler profiles it for real; the masked document must not contain any of those values
anywhere — whatever field the profiler emits now or later — while the unmasked one shows
the personal values, which proves the check can fail.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.workflows.profile_sources import ENGINES, Source, make_source

from dataready.analysis.pii.entities import Entity
from dataready.analysis.profile_masking import (
    COLUMN_DERIVED,
    MASK_KEY,
    ColumnTags,
    Exposure,
    mask_profile,
    profile_policies,
)
from dataready.connectors import connect
from dataready.workflows.profiler import profile_table

TAGS = {
    "email": {"PII.Email", "PII.Sensitive"},
    "phone": {"PII.Phone"},
    "birth_date": {"PII.DateOfBirth"},
    "lat": {"PII.GeoCoordinates"},
    "full_name": {"PII.PersonName"},
    "postcode": {"PII.PostalCode", "PII.NonSensitive"},
}
PERSONAL = set(TAGS)
SECRET = {"pw_h", "api_token"}  # by values (bcrypt) and by name: no tag yet
CLEAR = {"id", "note"}


def _rows() -> list[tuple[Any, ...]]:
    rnd = random.Random(7)
    rows = []
    for i in range(60):
        j = i % 40  # repeats: top values with counts above one
        born = dt.date(1940, 1, 1) + dt.timedelta(days=1000 + 523 * j)
        rows.append(
            (
                i + 1,
                f"person.number{j}@example.org",
                4155550100 + j * 7919,
                born,
                48.8566137 + j * 0.0012345 + (30.5 if j == 39 else 0.0),  # one far outlier
                f"Firstname{j} Lastname{j}",
                f"{70000 + j * 37}",
                "$2b$12$"
                + "".join(rnd.choice("abcdefghijklmnopqrstuvwxyz0123") for _ in range(53)),
                "".join(rnd.choice("0123456789abcdef") for _ in range(40)),
                "a note" if i % 2 else None,
            )
        )
    return rows


COLUMNS = [
    "id",
    "email",
    "phone",
    "birth_date",
    "lat",
    "full_name",
    "postcode",
    "pw_h",
    "api_token",
    "note",
]


@pytest.fixture(params=ENGINES)
def source(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Source]:
    yield from make_source(request.param, tmp_path)


def _create(source: Source) -> list[tuple[Any, ...]]:
    text = "VARCHAR(200)"
    types = ["INTEGER", text, "BIGINT", "DATE", "DOUBLE PRECISION" if source.engine == "postgres"
             else "DOUBLE" if source.engine in ("duckdb", "mysql") else "REAL",
             text, text, text, text, text]  # fmt: skip
    cols = ", ".join(f"{source.q(c)} {t}" for c, t in zip(COLUMNS, types, strict=True))
    source.write(f"CREATE TABLE {source.q('people')} ({cols})")
    rows = _rows()
    source.insert("people", COLUMNS, rows)
    return rows


def _texts(doc: Any) -> str:
    return json.dumps(doc, default=str)


def _numbers(doc: Any) -> list[float]:
    if isinstance(doc, bool):
        return []
    if isinstance(doc, int | float):
        return [float(doc)]
    if isinstance(doc, dict):
        return [n for v in doc.values() for n in _numbers(v)]
    if isinstance(doc, list):
        return [n for v in doc for n in _numbers(v)]
    return []


def leaks(doc: dict[str, Any], rows: list[tuple[Any, ...]], columns: set[str]) -> set[str]:
    """The columns of ``columns`` one of whose raw values appears anywhere in ``doc``."""
    text = _texts(doc)
    numbers = set(_numbers(doc))
    found = set()
    for name in columns:
        i = COLUMNS.index(name)
        for row in rows:
            value = row[i]
            if isinstance(value, int | float):
                if float(value) in numbers or str(value) in text:
                    found.add(name)
            elif isinstance(value, dt.date):
                if value.isoformat() in text:
                    found.add(name)
            elif isinstance(value, str) and len(value) >= 4 and value in text:
                found.add(name)
    return found


def test_no_raw_personal_or_secret_value_survives_masking(source: Source) -> None:
    rows = _create(source)
    with connect(source.config) as connector:
        doc = profile_table(connector, source.database, source.schema, "people").to_dict()
    tags = {name: ColumnTags(frozenset(t)) for name, t in TAGS.items()}
    policies = profile_policies(doc, tags)
    assert {n for n, p in policies.items() if p.exposure is Exposure.SECRET} == SECRET
    assert {n for n, p in policies.items() if p.exposure is Exposure.PERSONAL} == PERSONAL
    assert policies["email"].entity is Entity.EMAIL

    # the raw profile holds every value-bearing column's values: the check below can fail
    assert leaks(doc, rows, PERSONAL | SECRET) == PERSONAL | SECRET
    assert doc["freshness_column"] == "birth_date"  # the table's newest is a birthday

    viewer = mask_profile(doc, policies, unmasked=False)
    assert leaks(viewer, rows, PERSONAL | SECRET) == set()
    admin = mask_profile(doc, policies, unmasked=True)
    assert leaks(admin, rows, SECRET) == set()
    assert leaks(admin, rows, PERSONAL) == PERSONAL

    by_name = {c["name"]: c for c in viewer["columns"]}
    email = by_name["email"]
    assert email[MASK_KEY] == "personal" and email["formats"]["email"] == 1.0
    assert all(t["value"].endswith("***.org") for t in email["top_values"])
    assert [t["count"] for t in email["top_values"]][:1] == [2]  # counts stay
    assert email["patterns"] and email["null_ratio"] == 0.0  # shapes and figures stay
    for name in PERSONAL:  # figures that pinpoint a value (now minus the newest birthday…)
        assert {k: by_name[name][k] for k in COLUMN_DERIVED} == dict.fromkeys(COLUMN_DERIVED)
    assert viewer["freshness_seconds"] is None and viewer["newest"] == "****-**-**"
    lat = by_name["lat"]
    assert lat["quantiles"] is None and lat["histogram"] is None and lat["outliers"] is None
    assert lat["mean"] is None and lat["min"] is not None  # masked, not the raw number
    for name in SECRET:
        col = by_name[name]
        assert col[MASK_KEY] == "secret" and col["top_values"] == [] and col["patterns"] is None
        assert col["distinct_count"] == 60 and col["max_length"] is not None
    assert {c["name"]: c for c in admin["columns"]}["note"] == {
        **{c["name"]: c for c in doc["columns"]}["note"],
        MASK_KEY: None,
    }
