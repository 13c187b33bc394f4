"""Source connection configs: a pydantic union discriminated by ``type``.

``parse_source_url`` reads SQLAlchemy-style URLs (``postgresql+psycopg://user@host:5432/db``,
``mysql://``, ``mariadb://``, ``sqlite:///file.db``, ``duckdb:///file.duckdb``); any other
scheme (``trino://``, ``snowflake://``, ``bigquery://``, ``redshift+psycopg2://``) becomes a
generic ``sqlalchemy`` config. Passwords live in ``SecretStr`` fields only: they never show in
a repr, a message or a URL rendered with ``hide_password=True``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, TypeAdapter, model_validator
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from dataready.errors import ValidationFailed

_RESERVED_PG_PARAMS = frozenset(
    {"options", "password", "user", "host", "hostaddr", "port", "dbname", "connect_timeout"}
)
_MYSQL_PARAMS = ("charset", "ssl_mode", "ssl_ca")


SslMode = Literal["disabled", "preferred", "required", "verify_ca", "verify_identity"]


class _SourceConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PostgresConfig(_SourceConfig):
    """PostgreSQL through psycopg 3."""

    type: Literal["postgres"] = "postgres"
    host: str = "127.0.0.1"
    port: int = Field(default=5432, ge=1, le=65535)
    user: str = "postgres"
    password: SecretStr | None = None
    database: str = "postgres"
    sslmode: Literal["disable", "allow", "prefer", "require", "verify-ca", "verify-full"] | None = (
        None
    )
    params: dict[str, str] = Field(
        default_factory=dict, description="Extra libpq keywords (sslrootcert, sslcert, ...)."
    )

    @model_validator(mode="after")
    def _no_reserved_params(self) -> PostgresConfig:
        clash = sorted(_RESERVED_PG_PARAMS & set(self.params))
        if clash:
            raise ValueError(f"params may not set {', '.join(clash)}: use the config fields")
        return self


class MySQLConfig(_SourceConfig):
    """MySQL or MariaDB through PyMySQL. ``database`` limits the schemas listed to that one."""

    type: Literal["mysql"] = "mysql"
    host: str = "127.0.0.1"
    port: int = Field(default=3306, ge=1, le=65535)
    user: str = "root"
    password: SecretStr | None = None
    database: str | None = None
    charset: str = "utf8mb4"
    ssl_mode: (
        Literal["disabled", "preferred", "required", "verify_ca", "verify_identity"] | None
    ) = None
    ssl_ca: str | None = None
    flavor: Literal["mysql", "mariadb"] | None = Field(
        default=None, description="Only a hint from the URL scheme; detected on connect."
    )


class SQLiteConfig(_SourceConfig):
    """A SQLite file, opened read-only."""

    type: Literal["sqlite"] = "sqlite"
    path: str


class DuckDBConfig(_SourceConfig):
    """A DuckDB file, opened read-only; external file access is off unless allowed."""

    type: Literal["duckdb"] = "duckdb"
    path: str
    allow_external_access: bool = False


class SQLAlchemyConfig(_SourceConfig):
    """Any engine with a SQLAlchemy dialect (warehouses). ``url`` carries no password."""

    type: Literal["sqlalchemy"] = "sqlalchemy"
    url: str
    password: SecretStr | None = None
    connect_args: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _split_password(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and isinstance(data.get("url"), str):
            url = _make_url(data["url"])
            if url.password is not None:
                data = dict(data)
                data.setdefault("password", str(url.password))
                data["url"] = _without_password(url).render_as_string(hide_password=False)
        return data

    @property
    def dialect_name(self) -> str:
        """The dialect part of the scheme (``snowflake`` in ``snowflake://``)."""
        return make_url(self.url).get_backend_name()


ConnectionConfig = Annotated[
    PostgresConfig | MySQLConfig | SQLiteConfig | DuckDBConfig | SQLAlchemyConfig,
    Field(discriminator="type"),
]
_ADAPTER: TypeAdapter[ConnectionConfig] = TypeAdapter(ConnectionConfig)

_URL_PASSWORD = re.compile(r"(://[^:/@]*:)[^/]*@")  # greedy: up to the authority's last @


def redact_url(url: str) -> str:
    """``url`` with any password replaced by ``***`` (for messages about unparsable URLs)."""
    return _URL_PASSWORD.sub(r"\1***@", url)


def _make_url(url: str) -> URL:
    try:
        return make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise ValidationFailed(
            f"cannot read the source URL {redact_url(url)!r}: write it as "
            "dialect[+driver]://user[:password]@host[:port]/database",
            field="url",
        ) from exc


def parse_connection_config(data: Mapping[str, Any]) -> ConnectionConfig:
    """Validate a config mapping (``{"type": "postgres", ...}``) into its config class."""
    try:
        return _ADAPTER.validate_python(data)
    except PydanticValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'config'}: {err['msg']}"
            for err in exc.errors(include_input=False)
        )
        raise ValidationFailed(f"invalid source connection config: {problems}") from None


def _without_password(url: URL) -> URL:
    # URL.set(password=None) means "leave unchanged", so rebuild the URL instead.
    return URL.create(
        url.drivername,
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    )


def _password(url: URL) -> SecretStr | None:
    return None if url.password is None else SecretStr(str(url.password))


def _query(url: URL) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in url.query.items():
        out[key] = value if isinstance(value, str) else value[-1]
    return out


def parse_source_url(url: str) -> ConnectionConfig:
    """Read a SQLAlchemy-style source URL into a connection config.

    Raises:
        ValidationFailed: the URL does not parse or misses a required part; the message
            never shows the password.
    """
    parsed = _make_url(url)
    backend = parsed.get_backend_name()
    query = _query(parsed)
    data: dict[str, Any]
    if backend in ("postgresql", "postgres") and parsed.get_driver_name() in (
        "psycopg",
        "psycopg2",
        "pg8000",
        "asyncpg",
        "postgresql",
        "postgres",
        "",
    ):
        sslmode = query.pop("sslmode", None)
        data = {"type": "postgres", "host": parsed.host or "127.0.0.1", "user": parsed.username}
        data |= {"port": parsed.port, "database": parsed.database, "sslmode": sslmode}
        data |= {"password": _password(parsed), "params": query}
    elif backend in ("mysql", "mariadb"):
        unknown = sorted(set(query) - set(_MYSQL_PARAMS))
        if unknown:
            raise ValidationFailed(
                f"unknown MySQL URL parameter(s) {', '.join(unknown)}; known: "
                f"{', '.join(_MYSQL_PARAMS)}",
                field="url",
            )
        data = {"type": "mysql", "host": parsed.host or "127.0.0.1", "user": parsed.username}
        data |= {"port": parsed.port, "database": parsed.database, "password": _password(parsed)}
        data |= {"flavor": backend, **query}
        if "ssl_mode" in data:
            data["ssl_mode"] = data["ssl_mode"].lower()
    elif backend in ("sqlite", "duckdb"):
        if not parsed.database:
            raise ValidationFailed(
                f"{backend} URL {redact_url(url)!r} names no file: write "
                f"{backend}:///relative/path or {backend}:////absolute/path",
                field="url",
            )
        data = {"type": backend, "path": parsed.database}
    else:
        bare = _without_password(parsed).render_as_string(hide_password=False)
        data = {"type": "sqlalchemy", "url": bare}
        data |= {"password": _password(parsed)}
    return parse_connection_config({k: v for k, v in data.items() if v is not None})


def to_url(config: ConnectionConfig, *, hide_password: bool = True) -> str:
    """Render a config as a SQLAlchemy URL (password shown as ``***`` unless asked)."""
    if isinstance(config, SQLiteConfig | DuckDBConfig):
        return URL.create(config.type, database=config.path).render_as_string()
    if isinstance(config, SQLAlchemyConfig):
        base = make_url(config.url)
        password = config.password.get_secret_value() if config.password else None
        if password is not None:
            base = base.set(password=password)
        return base.render_as_string(hide_password=hide_password)
    query: dict[str, str]
    if isinstance(config, PostgresConfig):
        driver = "postgresql+psycopg"
        query = dict(config.params)
        if config.sslmode:
            query["sslmode"] = config.sslmode
    else:
        driver = f"{config.flavor or 'mysql'}+pymysql"
        query = {"charset": config.charset}
        query |= {k: v for k in ("ssl_mode", "ssl_ca") if (v := getattr(config, k))}
    url = URL.create(
        driver,
        username=config.user,
        password=config.password.get_secret_value() if config.password else None,
        host=config.host,
        port=config.port,
        database=config.database,
        query=query,
    )
    return url.render_as_string(hide_password=hide_password)


def describe_target(config: ConnectionConfig) -> str:
    """A password-free one-liner naming what a config points at, for messages."""
    if isinstance(config, SQLiteConfig | DuckDBConfig):
        return f"{config.type} file {config.path!r}"
    if isinstance(config, SQLAlchemyConfig):
        return f"{config.dialect_name} source {to_url(config)}"
    where = f"{config.host}:{config.port}"
    db = f" database {config.database!r}" if config.database else ""
    return f"{config.type} server {where}{db} as user {config.user!r}"


NATIVE_TYPES = ("postgres", "mysql", "sqlite", "duckdb")
_TYPE_ALIASES = {"postgresql": "postgres", "mariadb": "mysql", "sqlalchemy": "sqlalchemy"}
_CREDENTIAL_KEYS = {"password": "password", "username": "user", "user": "user"}


def config_from_parts(
    connection_type: str, config: Mapping[str, Any], credentials: Mapping[str, Any] | None
) -> ConnectionConfig:
    """Build a connection config from the API's ``connection_type`` / ``config`` /
    ``credentials`` triple.

    Native types take the config fields directly; any other type (``trino``, ``snowflake``,
    ``bigquery``, ``redshift``, …) becomes a generic SQLAlchemy config whose URL is either
    ``config.url`` or built from ``host``/``port``/``database``.

    Raises:
        ValidationFailed: an unknown credential key or an invalid field; messages never
            contain secrets.
    """
    kind = _TYPE_ALIASES.get(connection_type, connection_type)
    creds: dict[str, Any] = {}
    for key, value in (credentials or {}).items():
        if key not in _CREDENTIAL_KEYS:
            raise ValidationFailed(
                f"credentials.{key} is not a known credential; use "
                f"{', '.join(sorted(_CREDENTIAL_KEYS))}",
                field=f"credentials.{key}",
            )
        creds[_CREDENTIAL_KEYS[key]] = value
    if kind in NATIVE_TYPES:
        return parse_connection_config({**dict(config), **creds, "type": kind})
    if "url" in config:
        url = str(config["url"])
    else:
        try:
            url = URL.create(
                kind,
                username=creds.get("user") or config.get("user"),
                host=config.get("host"),
                port=config.get("port"),
                database=config.get("database"),
            ).render_as_string(hide_password=False)
        except (TypeError, ValueError) as exc:
            raise ValidationFailed(f"invalid {kind} config: {exc}", field="config") from None
    data: dict[str, Any] = {"type": "sqlalchemy", "url": url}
    if creds.get("password") is not None:
        data["password"] = creds["password"]
    if "connect_args" in config:
        data["connect_args"] = config["connect_args"]
    return parse_connection_config(data)
