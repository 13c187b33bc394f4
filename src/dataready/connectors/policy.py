"""Where a source may point: the operator's file roots, and never dataready itself.

A tenant who could register the store as a source would read every other tenant's rows
through ingestion and profiling. So:

- file sources (SQLite, DuckDB, later Parquet/CSV) are read only under the directories the
  operator allows (``DATAREADY_SOURCES__FILE_ROOTS``; local mode: ``data_dir/sources``,
  production: none). Paths are resolved (symlinks followed) before the check, and the store
  file, its journals, the credential key and everything else under ``data_dir`` (outside an
  allowed root inside it) are refused, also through hard links. A refused path gets one
  answer, whatever is or is not there: the refusal is no existence oracle.
- a server source whose host and port are the store's server (loopback, ``localhost``, this
  host's own names and addresses and Unix sockets count as one host) may not name the
  store's database, and the connector will not open or list it. A MySQL source there is
  refused (one MySQL session reads every schema it is granted); a generic one must name
  another database.

:meth:`SourcePolicy.check` runs when a service is created or changed, on verify, and again
each time a connector is opened for a run (the settings may have changed since).
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from dataready.connectors.config import (
    ConnectionConfig,
    DuckDBConfig,
    MySQLConfig,
    PostgresConfig,
    SQLAlchemyConfig,
    SQLiteConfig,
    route_native,
)
from dataready.errors import SourceNotAllowed
from dataready.settings import Settings

SOURCES_DIR = "sources"
"""The folder of ``data_dir`` that local mode allows for file sources."""

_DEFAULT_PORTS = {"postgresql": 5432, "postgres": 5432, "mysql": 3306, "mariadb": 3306}
_JOURNALS = ("", "-wal", "-shm", "-journal")


def default_file_roots(settings: Settings) -> list[Path]:
    """The file roots when none are configured: ``data_dir/sources`` locally, else none."""
    return [settings.data_dir / SOURCES_DIR] if settings.mode == "local" else []


@dataclass(frozen=True)
class StoreServer:
    """Where the store's own database lives, when it is a server."""

    host: str | None
    port: int
    database: str


def _real(path: Path | str) -> Path:
    return Path(os.path.realpath(os.path.expanduser(str(path))))


def _within(path: Path, root: Path) -> bool:
    return path == root or path.is_relative_to(root)


def _inode(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except (OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino)


def _is_socket_host(host: str | None) -> bool:
    return not host or host.startswith(("/", "@"))


def _addresses(host: str) -> frozenset[str]:
    """The IP addresses ``host`` names (itself, when it does not resolve)."""
    name = host.strip().strip("[]").lower()
    try:
        return frozenset({_normal_ip(name)})
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(name, None)
    except (OSError, UnicodeError, ValueError):  # unresolvable, or not a host name at all
        return frozenset({name})
    return frozenset(_normal_ip(str(info[4][0])) for info in infos)


def _normal_ip(text: str) -> str:
    ip = ipaddress.ip_address(text.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return str(ip)


def _is_local_address(address: str, own: frozenset[str]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address in ("localhost", socket.gethostname().lower())
    return ip.is_loopback or ip.is_unspecified or address in own


def _own_addresses() -> frozenset[str]:
    name = socket.gethostname()
    return _addresses(name) | {name.lower()}


def same_host(a: str | None, b: str | None) -> bool:
    """Whether two host names reach the same machine (as far as this machine can tell)."""
    if _is_socket_host(a) and _is_socket_host(b):
        return True
    own = _own_addresses()
    local_a = _is_socket_host(a) or any(_is_local_address(x, own) for x in _addresses(a or ""))
    local_b = _is_socket_host(b) or any(_is_local_address(x, own) for x in _addresses(b or ""))
    if local_a or local_b:
        return local_a and local_b
    return bool(_addresses(a or "") & _addresses(b or ""))


class SourcePolicy:
    """The checks of one server's settings; build it with :meth:`from_settings`."""

    def __init__(
        self,
        *,
        file_roots: Sequence[Path],
        protected_files: Sequence[Path] = (),
        data_dir: Path | None = None,
        store: StoreServer | None = None,
    ) -> None:
        self.file_roots = tuple(dict.fromkeys(_real(r) for r in file_roots))
        self.protected_files = tuple(_real(p) for p in protected_files)
        self.data_dir = _real(data_dir) if data_dir is not None else None
        self.store = store

    @classmethod
    def from_settings(cls, settings: Settings) -> SourcePolicy:
        roots = settings.sources.file_roots
        protected = [settings.data_dir / "secret.key"]
        store: StoreServer | None = None
        url = make_url(settings.database_url)
        backend = url.get_backend_name()
        if backend == "sqlite":
            if url.database and url.database != ":memory:":
                protected += [Path(url.database + suffix) for suffix in _JOURNALS]
        elif url.database:
            host = url.host or _query_host(url.query.get("host"))
            store = StoreServer(host, url.port or _DEFAULT_PORTS.get(backend, 0), url.database)
        return cls(
            file_roots=default_file_roots(settings) if roots is None else roots,
            protected_files=protected,
            data_dir=settings.data_dir,
            store=store,
        )

    # -- the checks -------------------------------------------------------------------------

    def check(self, config: ConnectionConfig) -> ConnectionConfig:
        """The config to open, with a file path resolved to the file actually checked.

        Raises:
            SourceNotAllowed: the source is outside the file roots, or is dataready itself.
        """
        config = route_native(config)
        if isinstance(config, SQLiteConfig | DuckDBConfig):
            return config.model_copy(update={"path": str(self.allowed_path(config.path))})
        if isinstance(config, PostgresConfig):
            if self._is_store_server(config.host, config.port):
                self._refuse_store_database(config.database)
        elif isinstance(config, MySQLConfig):
            # One MySQL session reads every schema it is granted, whatever config.database
            # says: no MySQL source on the store's own server.
            if self._is_store_server(config.host, config.port):
                raise SourceNotAllowed(
                    "config.host and config.port are the server of dataready's own store; a "
                    "MySQL source there could read the store, so it cannot be registered",
                    field="config.host",
                )
        elif isinstance(config, SQLAlchemyConfig):
            self._check_url(config.url)
        return config

    def forbidden_databases(self, config: ConnectionConfig) -> frozenset[str]:
        """Databases a connector for ``config`` must neither open nor list."""
        store = self.store
        if (
            isinstance(config, PostgresConfig)
            and store is not None
            and self._is_store_server(config.host, config.port)
        ):
            return frozenset({store.database.casefold()})
        return frozenset()

    def allowed_path(self, raw: str) -> Path:
        """``raw`` resolved, when it lies under a file root and is not dataready's own."""
        try:
            real = _real(raw)
        except (OSError, ValueError):  # a NUL byte, an unreadable cwd
            raise self._refused_path() from None
        if not any(_within(real, root) for root in self.file_roots):
            raise self._refused_path()
        if real in self.protected_files:
            raise self._refused_path()
        inode = _inode(real)
        if inode is not None and inode in {_inode(p) for p in self.protected_files}:
            raise self._refused_path()  # a hard link to the store or the key
        if self.data_dir is not None and _within(real, self.data_dir):
            inside = [
                r for r in self.file_roots if r != self.data_dir and _within(r, self.data_dir)
            ]
            if not any(_within(real, r) for r in inside):
                raise self._refused_path()
        return real

    def _refused_path(self) -> SourceNotAllowed:
        # One message for every refusal: it must not tell a missing file from a present one.
        if not self.file_roots:
            where = "this server allows none (the operator sets DATAREADY_SOURCES__FILE_ROOTS)"
        else:
            where = "allowed: " + ", ".join(str(r) for r in self.file_roots)
        return SourceNotAllowed(
            "config.path is not in a directory this server allows file sources to be read "
            f"from ({where}); put the file there, or ask the operator to allow its directory",
            field="config.path",
        )

    def _is_store_server(self, host: str | None, port: int | None) -> bool:
        store = self.store
        if store is None or (port is not None and port != store.port):
            return False
        return same_host(host, store.host)

    def _refuse_store_database(self, database: str | None, *, lists_others: bool = False) -> None:
        assert self.store is not None
        if database is None and lists_others:
            raise SourceNotAllowed(
                "config.database is required for a source on the server of dataready's own "
                "store: name the database to read (the store's database is not allowed)",
                field="config.database",
            )
        if database is not None and database.casefold() == self.store.database.casefold():
            raise SourceNotAllowed(
                f"config.database {database!r} on this server is dataready's own store and "
                "cannot be registered as a source",
                field="config.database",
            )

    def _check_url(self, text: str) -> None:
        try:
            url = make_url(text)
        except (ArgumentError, ValueError):
            return  # the connector reports an unreadable URL
        if self._is_store_server(url.host, url.port):
            self._refuse_store_database(url.database, lists_others=True)

    def requires_admin(self, config: ConnectionConfig) -> str | None:
        """Why registering ``config`` needs the admin role, or ``None``."""
        config = route_native(config)
        if isinstance(config, SQLAlchemyConfig):
            return (
                "a generic SQLAlchemy source runs a third-party dialect and may not be "
                "read-only on its engine"
            )
        if isinstance(config, DuckDBConfig) and config.allow_external_access:
            return "a DuckDB source with allow_external_access can read any file of the server"
        return None


def _query_host(value: str | tuple[str, ...] | None) -> str | None:
    if isinstance(value, tuple):
        return value[0] if value else None
    return value
