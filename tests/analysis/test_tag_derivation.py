"""The one derivation of derived tags, with a person's decisions as inputs (pure)."""

from __future__ import annotations

from dataready.analysis.pii.entities import Entity
from dataready.analysis.tag_derivation import Decisions, derive_column, derive_table


def test_decisions_are_inputs_of_the_derivation() -> None:
    col = "s.d.x.t.c"
    plain = derive_column(col, {Entity.LAST_NAME: 0.9})
    assert {t.tag for t in plain.tags} == {
        "PII.Sensitive",
        "Sensitivity.Confidential",
        "PrivacyCategory.QuasiIdentifier",
    }
    removed = derive_column(
        col, {Entity.LAST_NAME: 0.9}, decisions=Decisions(removed=frozenset({"PII.LastName"}))
    )
    assert {t.tag for t in removed.tags} == {"Sensitivity.Internal", "PrivacyCategory.None"}
    assert all(t.derived_from == () for t in removed.tags)
    hand = derive_column(col, {}, decisions=Decisions(applied=frozenset({"PII.Sensitive"})))
    assert {t.tag for t in hand.tags} == {
        "Sensitivity.Confidential",
        "PrivacyCategory.SensitiveAttribute",
    }
    assert hand.state.sensitive
    assert all(
        [(r.asset_fqn, r.tag) for r in t.derived_from] == [(col, "PII.Sensitive")]
        for t in hand.tags
    )
    # a person's PII.Sensitive lifts a level, never lowers one
    restricted = derive_column(
        col, {Entity.NATIONAL_ID: 0.99}, decisions=Decisions(applied=frozenset({"PII.Sensitive"}))
    )
    assert "Sensitivity.Restricted" in {t.tag for t in restricted.tags}
    by_name = derive_column(col, {}, column="salary")
    assert "Sensitivity.Confidential" in {t.tag for t in by_name.tags}


def test_table_derivation_leaves_out_columns_without_a_level() -> None:
    high = derive_column("t.d.s.t.a", {Entity.PASSPORT: 0.9}).state
    low = derive_column("t.d.s.t.b", {Entity.CITY: 0.9}).state
    table = {t.tag: t for t in derive_table("t.d.s.t", [low, high])}
    assert set(table) == {"PII.Sensitive", "Sensitivity.Restricted", "PrivacyCategory.Identifier"}
    assert [r.asset_fqn for r in table["Sensitivity.Restricted"].derived_from] == ["t.d.s.t.a"]
    assert derive_table("t.d.s.t", []) == []
    person = derive_table(
        "t.d.s.t", [high], decisions=Decisions(applied=frozenset({"Sensitivity.Public"}))
    )
    assert {t.tag for t in person} == {"PII.Sensitive", "PrivacyCategory.Identifier"}
