"""The config schemas of the workflow types, and how CLI text values are typed by them."""

from __future__ import annotations

import pytest

from dataready.connectors.config import PostgresConfig, parse_source_url
from dataready.domain.definitions import BUILTIN_DEFINITIONS
from dataready.domain.services import check_service_name
from dataready.errors import InvalidConfig, ValidationFailed
from dataready.workflows.config_schemas import (
    BUILTIN_CONFIG_MODELS,
    ProfilingConfig,
    check_config,
    coerce_text_values,
)
from dataready.workflows.registry import config_model_for, get_workflow, is_implemented


def test_every_builtin_type_has_a_schema_that_takes_its_default_config() -> None:
    for d in BUILTIN_DEFINITIONS:
        model = config_model_for(d.workflow_type.value)
        assert model is not None, d.workflow_type
        check_config(model, d.workflow_type.value, d.default_config, field="default_config")
        if is_implemented(d.workflow_type.value):  # the implementation names the same model
            assert get_workflow(d.workflow_type.value).config_model is model
        else:
            assert model is BUILTIN_CONFIG_MODELS[d.workflow_type.value]


def test_unknown_keys_are_refused_with_the_known_ones() -> None:
    with pytest.raises(InvalidConfig) as caught:
        check_config(ProfilingConfig, "profiling", {"nosuchkey": 1, "top_n": "x"}, field="config")
    err = caught.value
    assert err.code == "INVALID_CONFIG" and err.status == 422
    fields = {e["field"]: e["message"] for e in err.details["errors"]}
    assert fields["config.nosuchkey"] == "unknown key" and "config.top_n" in fields
    assert "sample_rows" in err.details["known_keys"]
    assert "known keys: " in err.message and "\n" not in err.message


def test_parameters_are_named_as_parameters() -> None:
    with pytest.raises(InvalidConfig, match=r"parameters\.sample_rows"):
        check_config(
            ProfilingConfig,
            "profiling",
            {"top_n": 3, "sample_rows": 0},
            field="config",
            field_of={"sample_rows": "parameters"},
        )


def test_text_values_are_typed_by_the_schema() -> None:
    raw = {
        "sample_rows": "5000",
        "allow_estimates": "false",
        "sample_percent": "2.5",
        "include_views": "true",
    }
    assert coerce_text_values(ProfilingConfig, "profiling", raw, field="config") == {
        "sample_rows": 5000,
        "allow_estimates": False,
        "sample_percent": 2.5,
        "include_views": True,
    }
    ingestion = config_model_for("service-ingestion")
    got = coerce_text_values(
        ingestion, "service-ingestion", {"include_schemas": '["a", "b"]'}, field="config"
    )
    assert got == {"include_schemas": ["a", "b"]}
    llm = config_model_for("generate-table-description")
    assert coerce_text_values(llm, "x", {"llm": "123"}, field="config") == {"llm": "123"}
    with pytest.raises(InvalidConfig, match="sample_rows"):
        coerce_text_values(ProfilingConfig, "profiling", {"sample_rows": "abc"}, field="config")
    # no schema (a plugin that declares none): JSON when it parses, else the text
    assert coerce_text_values(None, "x", {"a": "1", "b": "abc"}, field="config") == {
        "a": 1,
        "b": "abc",
    }


@pytest.mark.parametrize(
    ("url", "database", "every"),
    [
        ("postgresql://u@h/dvdrental", "dvdrental", False),
        ("postgresql://u@h", "postgres", True),
        ("postgresql://u@h/dvdrental?all_databases=true", "dvdrental", True),
        ("postgresql+psycopg://u@h/db?all_databases=0&sslmode=require", "db", False),
    ],
)
def test_a_postgres_url_names_its_scope(url: str, database: str, every: bool) -> None:
    config = parse_source_url(url)
    assert isinstance(config, PostgresConfig)
    assert (config.database, config.all_databases) == (database, every)
    assert "all_databases" not in config.params  # never sent to libpq


def test_a_postgres_config_naming_no_database_sees_them_all() -> None:
    assert PostgresConfig().all_databases is True
    assert PostgresConfig(database="x").all_databases is False
    assert PostgresConfig(database="x", all_databases=True).all_databases is True


@pytest.mark.parametrize("name", ["PostgreSQL", "dvd_rental", "eu-west-1", "a", "x" * 64])
def test_good_service_names(name: str) -> None:
    assert check_service_name(name) == name


@pytest.mark.parametrize(
    "name",
    [
        "",
        "a.b",
        "a b",
        "a[1]",
        'a"b',
        "x" * 65,
        "é",
        "123e4567-e89b-12d3-a456-426614174000",
        "123e4567e89b12d3a456426614174000",
    ],
)
def test_bad_service_names(name: str) -> None:
    with pytest.raises(ValidationFailed, match="is not allowed"):
        check_service_name(name)
