"""Profile masking, the pure part: every field classified, policies from tags and names."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import pytest

from dataready.analysis.pii.entities import Entity
from dataready.analysis.pii.masking import mask
from dataready.analysis.profile_masking import (
    COLUMN_DERIVED,
    COLUMN_FIGURES,
    COLUMN_SHAPES,
    COLUMN_VALUES,
    MASK_KEY,
    TABLE_FIGURES,
    TABLE_FRESHNESS,
    ColumnPolicy,
    ColumnTags,
    Exposure,
    column_policy,
    holds_password_hashes,
    mask_column,
    mask_profile,
    secret_by_name,
)
from dataready.analysis.profiling.results import ColumnProfile, TableProfile

BCRYPT = "$2b$12$" + "a" * 53


def test_every_column_field_is_classified_exactly_once() -> None:
    """A field added to ColumnProfile fails here until it is put in one class."""
    classes = [COLUMN_FIGURES, COLUMN_SHAPES, COLUMN_VALUES, COLUMN_DERIVED]
    emitted = {f.name for f in fields(ColumnProfile)} | {MASK_KEY}
    assert set().union(*classes) == emitted
    assert sum(len(c) for c in classes) == len(emitted)  # no field in two classes


def test_every_table_field_is_classified_exactly_once() -> None:
    emitted = {f.name for f in fields(TableProfile)}
    assert emitted == TABLE_FIGURES | TABLE_FRESHNESS
    assert not TABLE_FIGURES & TABLE_FRESHNESS


def test_an_unclassified_field_is_withheld_from_masked_and_secret_columns() -> None:
    column = {"name": "email", "top_values": [], "new_sketch": ["ann@example.org"]}
    for exposure in (Exposure.PERSONAL, Exposure.SECRET):
        assert mask_column(column, exposure, Entity.EMAIL)["new_sketch"] is None
    assert mask_column(column, Exposure.CLEAR, None)["new_sketch"] == ["ann@example.org"]


@pytest.mark.parametrize(
    "name",
    ["password", "passwd", "user_password", "password_hash", "api_key", "access_token",
     "secret", "pin", "ClientSecret", "refresh_token"],
)  # fmt: skip
def test_secret_names_follow_the_classifier(name: str) -> None:
    assert secret_by_name(name)


@pytest.mark.parametrize(
    "name",
    ["email", "password_changed_at", "token_expires", "pin_code", "passenger", "username",
     "password_length", "token_count", "last_update"],
)  # fmt: skip
def test_names_the_classifier_vetoes_are_not_secrets(name: str) -> None:
    assert not secret_by_name(name)


def test_password_hashes_make_a_secret_by_values() -> None:
    assert holds_password_hashes({"top_values": [{"value": BCRYPT, "count": 3}]})
    assert not holds_password_hashes({"top_values": [{"value": "a" * 40, "count": 1}]})
    assert not holds_password_hashes({"top_values": []})


def test_policy_from_tags() -> None:
    col = {"name": "email"}
    assert column_policy(col, ColumnTags()).exposure is Exposure.CLEAR
    policy = column_policy(col, ColumnTags(frozenset({"PII.Sensitive", "PII.Email"})))
    assert policy == ColumnPolicy(Exposure.PERSONAL, Entity.EMAIL, "PII.Email")
    restricted = column_policy(
        {"name": "diagnosis"}, ColumnTags(frozenset({"Sensitivity.Restricted"}))
    )
    assert restricted.exposure is Exposure.PERSONAL and restricted.entity is None
    internal = column_policy({"name": "city"}, ColumnTags(frozenset({"Sensitivity.Internal"})))
    assert internal.exposure is Exposure.CLEAR  # the default level of every column
    secret = column_policy(col, ColumnTags(frozenset({"PII.Secret", "PII.Email"})))
    assert secret.exposure is Exposure.SECRET


def test_a_person_who_removed_the_secret_tag_wins_over_the_name_rule() -> None:
    col = {"name": "password"}
    assert column_policy(col, ColumnTags()).exposure is Exposure.SECRET
    removed = ColumnTags(removed_by_person=frozenset({"PII.Secret"}))
    assert column_policy(col, removed).exposure is Exposure.CLEAR
    # ...but a PII.Secret applied now wins over everything
    both = ColumnTags(frozenset({"PII.Secret"}), frozenset({"PII.Secret"}))
    assert column_policy(col, both).exposure is Exposure.SECRET


def _doc() -> dict[str, Any]:
    born = {
        "name": "born",
        "kind": "temporal",
        "top_values": [{"value": "1985-03-12", "count": 2}],
        "min": "1941-07-30",
        "max": "2004-11-02",
        "freshness_seconds": 1.0e8,
        MASK_KEY: None,
    }
    return {"table": "people", "newest": "2004-11-02", "freshness_seconds": 1.0e8,
            "freshness_column": "born", "columns": [born]}  # fmt: skip


def test_a_personal_freshness_column_masks_the_table_newest() -> None:
    policies = {"born": ColumnPolicy(Exposure.PERSONAL, Entity.DATE_OF_BIRTH, "PII.DateOfBirth")}
    masked = mask_profile(_doc(), policies, unmasked=False)
    assert masked["newest"] == "****-**-**" and masked["freshness_seconds"] is None
    col = masked["columns"][0]
    assert (col["min"], col["max"], col["freshness_seconds"]) == ("****-**-**", "****-**-**", None)
    assert col[MASK_KEY] == "personal"
    clear = mask_profile(_doc(), policies, unmasked=True)
    assert clear["newest"] == "2004-11-02" and clear["columns"][0][MASK_KEY] is None
    secret = {"born": ColumnPolicy(Exposure.SECRET, Entity.SECRET, "PII.Secret")}
    stripped = mask_profile(_doc(), secret, unmasked=True)
    assert stripped["newest"] is None and stripped["columns"][0]["top_values"] == []


def test_values_dropped_at_write_time_stay_marked_secret() -> None:
    stored = {"name": "password", "top_values": [], MASK_KEY: "secret"}
    assert mask_column(stored, Exposure.CLEAR, None)[MASK_KEY] == "secret"
    assert mask_column(stored, Exposure.PERSONAL, None)[MASK_KEY] == "secret"


def test_mask_input_is_never_returned() -> None:
    for value in ["M", "F", "42", "A-B", "---", "Jo", "1234"]:
        for entity in [None, Entity.GENDER, Entity.PHONE, Entity.CREDIT_CARD, Entity.EMAIL]:
            assert mask(entity, value) != value, (entity, value)
    assert mask(None, "") == ""
