"""The source policy: file roots, never the store, its data directory or key (issue 8, item 1).

Real files in a temporary tree; the store-server checks use real host names and addresses
of this machine.
"""

from __future__ import annotations

import os
import socket
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from dataready.connectors.config import parse_source_url
from dataready.connectors.parts import config_from_parts
from dataready.connectors.policy import SourcePolicy, same_host
from dataready.errors import SourceNotAllowed
from dataready.settings import DbSettings, Settings, SourceSettings


def _db(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE IF NOT EXISTS t (x)")
    con.close()
    return path


@pytest.fixture
def tree(tmp_path: Path) -> dict[str, Path]:
    """data_dir with the store, the key and a sources folder; an allowed root outside it."""
    data = tmp_path / "data"
    paths = {
        "data": data,
        "store": _db(data / "dataready.db"),
        "key": data / "secret.key",
        "inside": _db(data / "other.db"),
        "sources": _db(data / "sources" / "ok.db"),
        "root": tmp_path / "srv",
        "allowed": _db(tmp_path / "srv" / "shop.db"),
        "outside": _db(tmp_path / "elsewhere" / "x.db"),
    }
    paths["key"].write_text("k" * 44)
    return paths


def _policy(tree: dict[str, Path], roots: list[Path] | None = None, **kw: object) -> SourcePolicy:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=tree["data"],
        sources=SourceSettings(file_roots=roots),
        **kw,  # type: ignore[arg-type]
    )
    return SourcePolicy.from_settings(settings)


def _refusal(policy: SourcePolicy, path: str | Path) -> str:
    with pytest.raises(SourceNotAllowed) as info:
        policy.check(config_from_parts("sqlite", {"path": str(path)}, None))
    assert info.value.details["field"] == "config.path"
    return info.value.message


def test_refusals_are_one_message_whatever_exists(tree: dict[str, Path], tmp_path: Path) -> None:
    policy = _policy(tree, [tree["root"], tree["data"] / "sources"])
    link_out = tree["root"] / "link.db"
    link_out.symlink_to(tree["outside"])  # inside the root, pointing outside
    link_store = tree["root"] / "store-link.db"
    link_store.symlink_to(tree["store"])
    hard = tree["root"] / "hard.db"
    os.link(tree["store"], hard)  # a hard link: its realpath is inside the root
    refused = [
        "/etc/passwd",
        "/nonexistent/nothing.db",
        tree["store"],
        str(tree["store"]) + "-wal",
        tree["key"],
        tree["inside"],  # data_dir outside its sources folder
        tree["data"] / "missing.db",
        tree["outside"],
        link_out,
        link_store,
        hard,
        tree["root"] / ".." / "elsewhere" / "x.db",
        "x\x00.db",
    ]
    messages = {_refusal(policy, p) for p in refused}
    assert len(messages) == 1, messages
    (message,) = messages
    assert "config.path" in message and "passwd" not in message and "exist" not in message


def test_allowed_paths_come_back_resolved(tree: dict[str, Path]) -> None:
    policy = _policy(tree, [tree["root"], tree["data"] / "sources"])
    link = tree["root"] / "alias.db"
    link.symlink_to(tree["allowed"])
    for given, real in [
        (tree["allowed"], tree["allowed"]),
        (link, tree["allowed"]),
        (tree["root"] / "sub" / ".." / "shop.db", tree["allowed"]),
        (tree["sources"], tree["sources"]),
        (tree["root"] / "not-yet.db", tree["root"] / "not-yet.db"),  # the connector says so
    ]:
        checked = policy.check(config_from_parts("sqlite", {"path": str(given)}, None))
        assert checked.path == str(real.resolve())  # type: ignore[union-attr]
    duck = policy.check(config_from_parts("duckdb", {"path": str(link)}, None))
    assert duck.path == str(tree["allowed"].resolve())  # type: ignore[union-attr]


def test_defaults_local_sources_folder_production_none(tree: dict[str, Path]) -> None:
    local = _policy(tree, None)
    assert local.file_roots == (tree["sources"].parent.resolve(),)
    local.check(parse_source_url(f"sqlite:///{tree['sources']}"))
    _refusal(local, tree["allowed"])
    production = _policy(tree, None, mode="production")
    assert production.file_roots == ()
    assert "allows none" in _refusal(production, tree["sources"])


def test_a_root_that_is_or_holds_the_data_dir_does_not_open_it(tree: dict[str, Path]) -> None:
    for root in (tree["data"], tree["data"].parent, Path("/")):
        policy = _policy(tree, [root])
        _refusal(policy, tree["store"])
        _refusal(policy, tree["inside"])
        _refusal(policy, tree["key"])
        if root != tree["data"]:
            policy.check(config_from_parts("sqlite", {"path": str(tree["allowed"])}, None))


def test_a_store_file_outside_data_dir_is_still_refused(tree: dict[str, Path]) -> None:
    store = _db(tree["root"] / "store.db")  # a store configured inside an allowed root
    policy = _policy(tree, [tree["root"]], db=DbSettings(url=f"sqlite:///{store}"))
    _refusal(policy, store)
    _refusal(policy, str(store) + "-shm")
    policy.check(config_from_parts("sqlite", {"path": str(tree["allowed"])}, None))


def test_file_roots_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DATAREADY_SOURCES__FILE_ROOTS", f'["{tmp_path}/a", "{tmp_path}/b"]')
    assert Settings(_env_file=None).sources.file_roots == [tmp_path / "a", tmp_path / "b"]  # type: ignore[call-arg]
    monkeypatch.setenv("DATAREADY_SOURCES__FILE_ROOTS", f"{tmp_path}/a{os.pathsep}{tmp_path}/c")
    assert Settings(_env_file=None).sources.file_roots == [tmp_path / "a", tmp_path / "c"]  # type: ignore[call-arg]
    monkeypatch.setenv("DATAREADY_SOURCES__FILE_ROOTS", "")
    assert Settings(_env_file=None).sources.file_roots == []  # type: ignore[call-arg]


def test_same_host_names_the_local_machine_every_way() -> None:
    local = ["127.0.0.1", "localhost", "::1", "[::1]", "127.0.1.1", "0.0.0.0", "/var/run/pg", None]
    local += [socket.gethostname(), "::ffff:127.0.0.1", "2130706433"]  # decimal 127.0.0.1
    for a in local:
        for b in ("127.0.0.1", None, "localhost"):
            assert same_host(a, b), (a, b)
    assert not same_host("192.0.2.10", "127.0.0.1")  # TEST-NET-1: documentation only
    assert not same_host("127.0.0.1", "198.51.100.7")
    assert same_host("198.51.100.7", "198.51.100.7")


def _pg_store_policy(tmp_path: Path, url: str) -> SourcePolicy:
    settings = Settings(_env_file=None, data_dir=tmp_path, db=DbSettings(url=url))  # type: ignore[call-arg]
    return SourcePolicy.from_settings(settings)


def test_the_store_database_cannot_be_a_source(tmp_path: Path) -> None:
    policy = _pg_store_policy(tmp_path, "postgresql+psycopg://postgres@127.0.0.1:5432/drstore")
    for host in ("127.0.0.1", "localhost", "::1", socket.gethostname(), "/tmp"):
        config = config_from_parts("postgres", {"host": host, "database": "drstore"}, None)
        with pytest.raises(SourceNotAllowed, match=r"config\.database") as info:
            policy.check(config)
        assert info.value.details["field"] == "config.database"
    # the same server, another database: allowed, with the store's database out of reach
    other = config_from_parts("postgres", {"host": "localhost", "database": "shop"}, None)
    assert policy.check(other) == other
    assert policy.forbidden_databases(other) == {"drstore"}
    # another port or host: another server
    for cfg in (
        {"port": 5433, "database": "drstore"},
        {"host": "192.0.2.1", "database": "drstore"},
    ):
        elsewhere = config_from_parts("postgres", cfg, None)
        policy.check(elsewhere)
        assert policy.forbidden_databases(elsewhere) == frozenset()
    # a URL given as generic SQLAlchemy goes native and is refused the same way
    with pytest.raises(SourceNotAllowed):
        policy.check(config_from_parts("sqlalchemy", {"url": "postgresql://u@[::1]/drstore"}, None))
    with pytest.raises(SourceNotAllowed):
        policy.check(parse_source_url("redshift+psycopg2://u@localhost:5432/drstore"))
    # MySQL on the store's server would read every schema it is granted
    with pytest.raises(SourceNotAllowed, match=r"config\.host"):
        policy.check(config_from_parts("mysql", {"port": 5432, "database": "shop"}, None))
    # a store behind a Unix socket (no host) is this machine too
    socket_policy = _pg_store_policy(tmp_path, "postgresql+psycopg:///drstore?host=/run/pg")
    with pytest.raises(SourceNotAllowed):
        socket_policy.check(config_from_parts("postgres", {"database": "drstore"}, None))


def test_admin_only_sources(tree: dict[str, Path]) -> None:
    policy = _policy(tree, [tree["root"]])
    assert policy.requires_admin(parse_source_url("trino://u@h:8080/hive")) is not None
    assert policy.requires_admin(parse_source_url("postgresql://u@h/db")) is None
    duck = config_from_parts("duckdb", {"path": "x", "allow_external_access": True}, None)
    assert policy.requires_admin(duck) is not None


@pytest.mark.postgres
def test_a_connector_on_the_store_server_never_opens_the_store(
    tmp_path: Path, pg_source_database: str
) -> None:
    from dataready.connectors.registry import connect

    store = make_url(pg_source_database)  # plays the store's database here
    policy = _pg_store_policy(tmp_path, pg_source_database)
    config = config_from_parts(
        "postgres",
        {
            "host": "localhost",
            "port": store.port or 5432,
            "database": "postgres",
            "all_databases": True,
        },
        {"username": store.username or "postgres"},
    )
    with connect(config, policy=policy) as connector:
        assert store.database not in connector.list_databases()
        assert "postgres" in connector.list_databases()
        for call in (
            lambda: connector.list_schemas(str(store.database)),
            lambda: connector.execute("SELECT 1", database=str(store.database)),
            lambda: connector.list_tables(str(store.database).upper(), "public"),
        ):
            with pytest.raises(SourceNotAllowed, match="own store"):
                call()
    # without the policy (library use), nothing is filtered
    with connect(config) as connector:
        assert store.database in connector.list_databases()
