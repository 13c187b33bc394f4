"""Source connection configs: a pydantic union discriminated by ``type``.

``parse_source_url`` reads SQLAlchemy-style URLs (``postgresql+psycopg://user@host:5432/db``,
``mysql://``, ``mariadb://``, ``sqlite:///file.db``, ``duckdb:///file.duckdb``); any other
scheme (``trino://``, ``snowflake://``, ``bigquery://``, ``redshift+psycopg2://``) becomes a
generic ``sqlalchemy`` config. Passwords live in ``SecretStr`` fields only: they never show in
a repr, a message or a URL rendered with ``hide_password=True``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, TypeAdapter, model_validator
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from dataready.connectors.secrets import (
    PLACEHOLDER,
    is_secret_key,
    redact_url_text,
    split_secrets,
)
from dataready.errors import ValidationFailed

_RESERVED_PG_PARAMS = frozenset(
    {"options", "password", "user", "host", "hostaddr", "port", "dbname", "connect_timeout"}
)
_MYSQL_PARAMS = ("charset", "ssl_mode", "ssl_ca")


SslMode = Literal["disabled", "preferred", "required", "verify_ca", "verify_identity"]


class _SourceConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        # A repr may reach a log: secrets in a URL query or a nested dict read "***".
        for name, value in super().__repr_args__():
            if name == "url" and isinstance(value, str):
                yield name, redact_url_text(value)
            elif name is not None and isinstance(value, dict):
                yield name, split_secrets({name: value}).public[name]
            else:
                yield name, value


class PostgresConfig(_SourceConfig):
    """PostgreSQL through psycopg 3.

    ``database`` limits the service to that database unless ``all_databases`` is true; a
    config (or URL) naming no database sees every database of the server.
    """

    type: Literal["postgres"] = "postgres"
    host: str = "127.0.0.1"
    port: int = Field(default=5432, ge=1, le=65535)
    user: str = "postgres"
    password: SecretStr | None = None
    database: str = "postgres"
    all_databases: bool = Field(
        default=False,
        description="See every database of the server, not only `database` (the default "
        "when no database is named).",
    )
    sslmode: Literal["disable", "allow", "prefer", "require", "verify-ca", "verify-full"] | None = (
        None
    )
    params: dict[str, str] = Field(
        default_factory=dict, description="Extra libpq keywords (sslrootcert, sslcert, ...)."
    )

    @model_validator(mode="before")
    @classmethod
    def _no_database_means_all(cls, data: Any) -> Any:
        unnamed = isinstance(data, Mapping) and data.get("database") is None
        if unnamed and "all_databases" not in data:
            return {**data, "all_databases": True}
        return data

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
            url = make_source_url(data["url"])
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

NATIVE_BACKENDS = {
    "postgresql": "postgres",
    "postgres": "postgres",
    "mysql": "mysql",
    "mariadb": "mysql",
    "sqlite": "sqlite",
    "duckdb": "duckdb",
}
"""URL backends (the dialect part of a scheme) that have a native connector."""


def redact_url(url: str) -> str:
    """``url`` with its password and secret query values replaced by ``***``."""
    return redact_url_text(url)


def make_source_url(url: str) -> URL:
    """``make_url`` whose error is a ``ValidationFailed`` that never shows the password."""
    try:
        return make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise ValidationFailed(
            f"cannot read the source URL {redact_url(url)!r}: write it as "
            "dialect[+driver]://user[:password]@host[:port]/database",
            field="url",
        ) from exc


def parse_connection_config(data: Mapping[str, Any]) -> ConnectionConfig:
    """Validate a config mapping (``{"type": "postgres", ...}``) into its config class.

    A ``sqlalchemy`` config whose URL has a native connector comes back as that native
    config (see :func:`route_native`).
    """
    try:
        config = _ADAPTER.validate_python(data)
    except PydanticValidationError as exc:
        # loc starts with the union's tag ("postgres", "port"): name the field as sent.
        fields = [
            ".".join(("config", *(str(p) for p in err["loc"][1:])))
            for err in exc.errors(include_input=False)
        ]
        problems = "; ".join(
            f"{name}: {err['msg']}"
            for name, err in zip(fields, exc.errors(include_input=False), strict=True)
        )
        raise ValidationFailed(
            f"invalid source connection config: {problems}", field=fields[0] if fields else None
        ) from None
    return route_native(config)


def route_native(config: ConnectionConfig) -> ConnectionConfig:
    """``config``, or the native config when it is a generic one for a native engine.

    Raises:
        ValidationFailed: the generic config carries ``connect_args``, which the native
            connectors do not take.
    """
    if not isinstance(config, SQLAlchemyConfig):
        return config
    url = make_source_url(config.url)
    if url.get_backend_name() not in NATIVE_BACKENDS:
        return config
    if config.connect_args:
        raise ValidationFailed(
            f"{url.get_backend_name()} sources use dataready's native connector, which takes "
            "no connect_args: put driver settings in the URL query (or config.params for "
            "PostgreSQL)",
            field="config.connect_args",
        )
    if config.password is not None:
        url = url.set(password=config.password.get_secret_value())
    return parse_source_url(url.render_as_string(hide_password=False))


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
    parsed = make_source_url(url)
    backend = parsed.get_backend_name()
    query = _query(parsed)
    data: dict[str, Any]
    if backend in ("postgresql", "postgres"):  # any driver: dataready reads through psycopg
        sslmode = query.pop("sslmode", None)
        every = query.pop("all_databases", None)
        data = {"type": "postgres", "host": parsed.host or "127.0.0.1", "user": parsed.username}
        data |= {"port": parsed.port, "database": parsed.database, "sslmode": sslmode}
        if every is not None:
            data["all_databases"] = every.strip().lower() in ("1", "true", "yes", "on")
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
    """Render a config as a SQLAlchemy URL.

    With ``hide_password`` (the default) the password and every secret query value read
    ``***``.
    """
    if isinstance(config, SQLiteConfig | DuckDBConfig):
        return URL.create(config.type, database=config.path).render_as_string()
    if isinstance(config, SQLAlchemyConfig):
        base = make_url(config.url)
        password = config.password.get_secret_value() if config.password else None
        if password is not None:
            base = base.set(password=password)
        return _render(base, hide_password)
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
    return _render(url, hide_password)


def _render(url: URL, hide_password: bool) -> str:
    if hide_password:
        masked = {k: PLACEHOLDER for k in url.query if is_secret_key(k)}
        if masked:
            url = url.update_query_dict(masked)
    return url.render_as_string(hide_password=hide_password).replace("%2A%2A%2A", PLACEHOLDER)


def describe_target(config: ConnectionConfig) -> str:
    """A password-free one-liner naming what a config points at, for messages."""
    if isinstance(config, SQLiteConfig | DuckDBConfig):
        return f"{config.type} file {config.path!r}"
    if isinstance(config, SQLAlchemyConfig):
        return f"{config.dialect_name} source {to_url(config)}"
    where = f"{config.host}:{config.port}"
    db = f" database {config.database!r}" if config.database else ""
    return f"{config.type} server {where}{db} as user {config.user!r}"
