"""The manual tag endpoints with derived tags: through the API, the real workflows and a real
store — derived tags follow a person's change, and a person's decision is an input to every
later run."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from tests.api.conftest import ADMIN_A, BASE, as_role
from tests.api.test_api_tagging import CUSTOMER, api, run, source, tags_of, template

__all__ = ["api", "source", "template"]

LAST = f"{CUSTOMER}.last_name"
EMAIL = f"{CUSTOMER}.email"
STORE_ID = f"{CUSTOMER}.store_id"
DEVELOPER = as_role("developer")


def levels(api: TestClient, fqn: str) -> set[str]:
    return {t for t in tags_of(api, fqn) if t.startswith("Sensitivity.")}


def test_manual_tags_carry_their_lineage_and_runs_respect_them(
    api: TestClient, source: Path
) -> None:
    for workflow_type in ("generate-pii-tags", "generate-sensitivity-tags"):
        assert run(api, workflow_type, CUSTOMER, save_all=True)["status"] == "completed"
    last = tags_of(api, LAST)
    assert last["PII.LastName"]["label_type"] == "Automated"
    assert last["PII.LastName"]["derived_from"] == []
    for tag in ("PII.Sensitive", "Sensitivity.Confidential", "PrivacyCategory.QuasiIdentifier"):
        assert last[tag]["label_type"] == "Derived"
        assert last[tag]["derived_from"] == [{"asset_fqn": LAST, "tag": "PII.LastName"}]

    r = api.delete(f"{BASE}/assets/{LAST}/tags/PII.LastName", headers=DEVELOPER)
    assert r.status_code == 200, r.text
    assert (r.json()["label_type"], r.json()["state"]) == ("Manual", "removed")
    assert set(tags_of(api, LAST)) == {"Sensitivity.Internal", "PrivacyCategory.None"}
    sensitive = tags_of(api, CUSTOMER)["PII.Sensitive"]
    assert {"asset_fqn": LAST, "tag": "PII.Sensitive"} not in sensitive["derived_from"]

    r = api.put(f"{BASE}/assets/{EMAIL}/tags/Sensitivity.Restricted", headers=DEVELOPER)
    assert r.status_code == 200 and r.json()["label_type"] == "Manual", r.text
    r = api.put(f"{BASE}/assets/{STORE_ID}/tags/PII.Sensitive", headers=DEVELOPER)
    assert r.status_code == 200, r.text
    assert levels(api, STORE_ID) == {"Sensitivity.Confidential"}  # derived at once

    for workflow_type in ("generate-pii-tags", "generate-sensitivity-tags"):
        assert run(api, workflow_type, CUSTOMER, save_all=True)["status"] == "completed"
    assert set(tags_of(api, LAST)) == {"Sensitivity.Internal", "PrivacyCategory.None"}
    assert levels(api, EMAIL) == {"Sensitivity.Restricted"}  # not downgraded
    assert levels(api, CUSTOMER) == {"Sensitivity.Restricted"}  # the table takes it
    store_id = tags_of(api, STORE_ID)
    assert store_id["PII.Sensitive"]["label_type"] == "Manual"  # not overridden
    assert levels(api, STORE_ID) == {"Sensitivity.Confidential"}
    assert store_id["Sensitivity.Confidential"]["derived_from"] == [
        {"asset_fqn": STORE_ID, "tag": "PII.Sensitive"}
    ]

    # setting the tag again undoes the removal, and its derived tags come back
    r = api.put(f"{BASE}/assets/{LAST}/tags/PII.LastName", headers=DEVELOPER)
    assert r.status_code == 200, r.text
    last = tags_of(api, LAST)
    assert last["PII.LastName"]["label_type"] == "Manual"
    assert levels(api, LAST) == {"Sensitivity.Confidential"}
    assert last["PII.Sensitive"]["derived_from"] == [{"asset_fqn": LAST, "tag": "PII.LastName"}]


def test_manual_tag_errors_are_clear_4xx(api: TestClient, source: Path) -> None:
    r = api.delete(f"{BASE}/assets/{LAST}/tags/PII.LastName", headers=DEVELOPER)
    assert r.status_code == 404 and r.json()["error"]["code"], r.text  # nothing to remove
    r = api.put(f"{BASE}/assets/{LAST}/tags/PII.Email", headers=as_role("viewer"))
    assert r.status_code == 403, r.text
    r = api.put(f"{BASE}/assets/{CUSTOMER}.nosuch/tags/PII.Email", headers=ADMIN_A)
    assert r.status_code == 404, r.text
