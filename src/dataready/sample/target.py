"""Parse the URL of the database a sample is written into.

Accepted forms::

    sqlite:///relative/path.db      sqlite:////absolute/path.db
    duckdb:///relative/path.duckdb  duckdb:////absolute/path.duckdb
    postgresql://user:password@host:5432/dbname   (also postgres://, postgresql+psycopg://)
    mysql://user:password@host:3306/dbname        (also mariadb://, mysql+pymysql://)

The password is kept as a :class:`~pydantic.SecretStr` and never appears in a message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from pydantic import SecretStr

from dataready.errors import ConfigError

_SCHEMES: dict[str, str] = {
    "sqlite": "sqlite",
    "sqlite+pysqlite": "sqlite",
    "duckdb": "duckdb",
    "postgresql": "postgresql",
    "postgres": "postgresql",
    "postgresql+psycopg": "postgresql",
    "mysql": "mysql",
    "mysql+pymysql": "mysql",
    "mariadb": "mysql",
    "mariadb+pymysql": "mysql",
}
_DEFAULT_PORTS = {"postgresql": 5432, "mysql": 3306}
_FILE_DIALECTS = frozenset({"sqlite", "duckdb"})


@dataclass(frozen=True, slots=True)
class Target:
    """Where to write a sample.

    Attributes:
        dialect: ``sqlite``, ``duckdb``, ``postgresql`` or ``mysql``.
        database: File path (SQLite, DuckDB) or database name (servers).
        host: Server host, None for file databases.
        port: Server port, None for file databases.
        user: Login user, if any.
        password: Login password, if any.
    """

    dialect: str
    database: str
    host: str | None = None
    port: int | None = None
    user: str | None = None
    password: SecretStr | None = field(default=None, repr=False)

    @property
    def is_file(self) -> bool:
        """Whether the target is a local database file."""
        return self.dialect in _FILE_DIALECTS

    def redacted(self) -> str:
        """The target as a URL without its password, safe for messages and logs."""
        if self.is_file:
            return f"{self.dialect}:///{self.database}"
        user = f"{self.user}{':***' if self.password else ''}@" if self.user else ""
        return f"{self.dialect}://{user}{self.host}:{self.port}/{self.database}"


def parse_target(url: str) -> Target:
    """Parse a target URL.

    Raises:
        ConfigError: If the URL is malformed or names an unsupported database.
    """
    scheme, sep, rest = url.partition("://")
    dialect = _SCHEMES.get(scheme.lower())
    if not sep or dialect is None:
        known = ", ".join(f"{s}://" for s in ("sqlite", "duckdb", "postgresql", "mysql"))
        raise ConfigError(
            f"cannot write a sample to {scheme or url!r}: use one of {known} "
            "(for example sqlite:///sample.db or postgresql://postgres@127.0.0.1:5432/dvdrental).",
            scheme=scheme,
        )
    if dialect in _FILE_DIALECTS:
        path = rest[1:] if rest.startswith("/") else ""
        path = path.split("?", 1)[0]
        if not path:
            raise ConfigError(
                f"{dialect} URL needs a file path: {dialect}:///relative.db or "
                f"{dialect}:////absolute/path.db",
                dialect=dialect,
            )
        return Target(dialect=dialect, database=unquote(path))
    parts = urlsplit(f"{dialect}://{rest}")
    try:
        port = parts.port or _DEFAULT_PORTS[dialect]
    except ValueError:
        raise ConfigError(
            f"the port in the {dialect} URL is not a number between 0 and 65535", dialect=dialect
        ) from None
    database = unquote(parts.path.lstrip("/"))
    if not parts.hostname or not database or "/" in database:
        raise ConfigError(
            f"{dialect} URL needs a host and a database name: "
            f"{dialect}://user:password@host:{_DEFAULT_PORTS[dialect]}/dbname",
            dialect=dialect,
        )
    password = SecretStr(unquote(parts.password)) if parts.password else None
    return Target(
        dialect=dialect,
        database=database,
        host=parts.hostname,
        port=port,
        user=unquote(parts.username) if parts.username else None,
        password=password,
    )
