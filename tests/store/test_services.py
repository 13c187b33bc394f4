"""Services in the store: secrets sealed, legacy rows resealed, re-pointing (item 3, 16)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from dataready.connectors.config import PostgresConfig, parse_source_url
from dataready.domain.tenant import Tenant
from dataready.settings import Settings
from dataready.store import services as services_q
from dataready.store.crypto import CredentialCipher
from dataready.store.db import Store
from dataready.store.orm import Service
from dataready.workflows.engine import prepare_store

T = Tenant("c", "p")
S = "legacy-s3cret-Qw"


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    st = Store(settings)
    prepare_store(st)
    yield st
    st.dispose()


def test_rows_with_secrets_in_clear_are_resealed_and_still_connect(store: Store) -> None:
    cipher = CredentialCipher(store.settings)
    with store.session() as s:  # what an older version wrote: params kept in clear
        s.add(
            Service(
                client_id=T.client_id,
                project_id=T.project_id,
                name="old",
                connection_type="postgres",
                config={"type": "postgres", "host": "h", "params": {"sslpassword": S}},
                credentials_encrypted=cipher.encrypt({"password": "pw"}),
            )
        )
    with store.session() as s:
        row = s.scalars(select(Service)).one()
        assert services_q.public_config(row)["params"] == {"sslpassword": "***"}
        config = services_q.connection_config(row, cipher)
        assert isinstance(config, PostgresConfig) and config.params == {"sslpassword": S}
    prepare_store(store)  # every start reseals
    with store.session() as s:
        row = s.scalars(select(Service)).one()
        assert S not in json.dumps(row.config)
        config = services_q.connection_config(row, cipher)
        assert config.params == {"sslpassword": S}  # type: ignore[union-attr]
        assert config.password is not None and config.password.get_secret_value() == "pw"  # type: ignore[union-attr]
        assert services_q.reseal_services(s, lambda: cipher) == 0


def test_put_service_on_the_same_target_keeps_secrets_elsewhere_drops_them(
    store: Store,
) -> None:
    cipher = CredentialCipher(store.settings)
    url = f"postgresql://u:{S}@192.0.2.1/db?sslpassword={S}2"
    with store.session() as s:
        services_q.put_service(
            s, T, cipher, name="pg", config=parse_source_url(url), description=None, created_by=None
        )
    with store.session() as s:  # the same target from a URL without secrets: kept
        change = services_q.put_service_change(
            s,
            T,
            cipher,
            name="pg",
            config=parse_source_url("postgresql://u@192.0.2.1/db?sslpassword=***"),
            description=None,
            created_by=None,
        )
        assert not change.retargeted and not change.credentials_cleared
        config = services_q.connection_config(change.service, cipher)
        assert config.password.get_secret_value() == S  # type: ignore[union-attr]
        assert config.params == {"sslpassword": S + "2"}  # type: ignore[union-attr]
    with store.session() as s:
        change = services_q.put_service_change(
            s,
            T,
            cipher,
            name="pg",
            config=parse_source_url("postgresql://u@192.0.2.2/db?sslpassword=***"),
            description=None,
            created_by=None,
        )
        assert change.retargeted and change.credentials_cleared
        assert "password" in change.notices[0] and "params.sslpassword" in change.notices[0]
        config = services_q.connection_config(change.service, cipher)
        assert config.password is None and config.params == {}  # type: ignore[union-attr]
        assert change.service.credentials_encrypted is None


def test_credentials_saved_under_a_lost_key_can_be_replaced(store: Store) -> None:
    from pydantic import SecretStr

    old_key = CredentialCipher(store.settings)
    new_key = CredentialCipher(
        store.settings.model_copy(update={"secret_key": SecretStr("another-key-" * 4)})
    )
    url = f"postgresql://u:{S}@192.0.2.1/db"
    with store.session() as s:
        row = services_q.create_service(
            s,
            T,
            old_key,
            name="pg",
            config=parse_source_url(url),
            description=None,
            created_by=None,
        )
        service_id = row.id
    with store.session() as s:
        change = services_q.update_service(
            s, T, new_key, service_id, config=parse_source_url("postgresql://u:fresh@192.0.2.1/db")
        )
        assert change.credentials_cleared and "could not be decrypted" in change.notices[0]
        config = services_q.connection_config(change.service, new_key)
        assert config.password.get_secret_value() == "fresh"  # type: ignore[union-attr]
