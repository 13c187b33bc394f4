"""Settings, read from ``DATAREADY_*`` environment variables (nested groups use ``__``).

Examples: ``DATAREADY_DB__URL=postgresql+psycopg://postgres@127.0.0.1/dataready``,
``DATAREADY_AUTH__SECRET=...``, ``DATAREADY_EXECUTOR__MAX_WORKERS=8``.
Read through :func:`get_settings`; tests build their own :class:`Settings`.
"""

from __future__ import annotations

import ipaddress
import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from dataready.domain.enums import Role

DEFAULT_AUTH_SECRET = "dataready-local-development-secret-change-me"


class DbSettings(BaseModel):
    """The metadata store."""

    url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the metadata store; default: SQLite file in data_dir.",
    )
    echo: bool = False

    pool_size: int = 10
    max_overflow: int = 20
    connect_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        description="Longest wait for a connection to a PostgreSQL store (connect, or a free "
        "connection of the API's read pool) before the request answers 503.",
    )


class ApiSettings(BaseModel):
    """The HTTP server."""

    host: str = "127.0.0.1"
    port: int = 8000
    max_page_size: int = 500
    default_page_size: int = 50
    run_executor: bool = Field(
        default=True, description="Run workflows inside the server process (local executor)."
    )
    max_body_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        description="Largest request body accepted, in bytes; a larger one answers 413 before "
        "it is read in full (DATAREADY_API__MAX_BODY_BYTES).",
    )


class AuthSettings(BaseModel):
    """Bearer-token verification."""

    secret: SecretStr = SecretStr(DEFAULT_AUTH_SECRET)
    algorithms: list[str] = ["HS256"]
    jwks_url: str | None = None
    jwks_cache_seconds: int = 300
    issuer: str | None = None
    audience: str | None = None
    require_exp: bool = True
    leeway_seconds: int = 0
    token_ttl_seconds: int = 86400
    default_role: Role = Field(
        default=Role.VIEWER,
        description="The role of a token that names none: no `roles` claim and none of "
        "dataready's roles in Keycloak's realm_access/resource_access.",
    )

    @field_validator("default_role", mode="before")
    @classmethod
    def _known_role(cls, value: Any) -> Any:
        if isinstance(value, Role) or not isinstance(value, str):
            return value
        name = value.strip().lower()
        if name not in {r.value for r in Role}:
            known = ", ".join(r.value for r in Role)
            raise ValueError(f"unknown role {value!r}; known roles: {known}")
        return name

    @property
    def uses_default_secret(self) -> bool:
        """HMAC tokens are accepted and verified with the built-in (public) development secret.

        A deployment that takes only JWKS-verified tokens (``jwks_url`` and RS/ES/PS
        algorithms) does not use the secret at all.
        """
        hmac = any(a.upper().startswith("HS") for a in self.algorithms)
        return hmac and self.secret.get_secret_value() == DEFAULT_AUTH_SECRET

    unmasked_role: Role = Field(
        default=Role.ADMIN,
        description="The lowest role that reads personal values in profiles unmasked "
        "(secret columns keep no values for anyone).",
    )


class ExecutorSettings(BaseModel):
    """How runs are executed."""

    kind: Literal["local"] = "local"
    max_workers: int = Field(default=4, ge=1, le=256)
    task_concurrency: int = Field(default=2, ge=1, le=256)
    max_attempts: int = Field(default=3, ge=1, le=20)
    backoff_seconds: float = Field(default=1.0, ge=0)
    backoff_max_seconds: float = Field(default=30.0, ge=0)
    heartbeat_seconds: float = Field(default=5.0, gt=0)
    orphan_after_seconds: float = Field(
        default=60.0,
        gt=0,
        description="A running run whose heartbeat is older than this is failed by the sweep "
        "of any live process; also how long a worker rides out a store outage before it gives "
        "up on its runs.",
    )
    sweep_interval_seconds: float | None = Field(
        default=None,
        gt=0,
        description="How often every engine looks for stale running runs and unclaimed "
        "pending ones; default a quarter of orphan_after_seconds.",
    )
    shutdown_grace_seconds: float = Field(
        default=10.0,
        ge=0,
        description="On SIGTERM, how long running tasks have to stop after being signalled; "
        "what has not stopped by then goes back to pending for another process.",
    )

    @property
    def sweep_every(self) -> float:
        """Seconds between two sweeps."""
        return self.sweep_interval_seconds or self.orphan_after_seconds / 4


class SourceSettings(BaseModel):
    """How dataready talks to source databases."""

    statement_timeout_seconds: float = Field(default=60.0, gt=0)
    connect_timeout_seconds: float = Field(default=10.0, gt=0)
    sample_rows: int = Field(default=1000, ge=1)
    max_concurrent_per_service: int = Field(
        default=4, ge=1, le=256, description="Heavy queries one process sends a source at once."
    )
    file_roots: list[Path] | None = Field(
        default=None,
        description="Directories file-based sources (SQLite, DuckDB) may live under. Unset: "
        "data_dir/sources in local mode, none (file sources refused) in production mode. "
        "Set as a JSON list or an os.pathsep-separated string; an empty string allows none.",
    )

    @field_validator("file_roots", mode="before")
    @classmethod
    def _split_roots(cls, value: object) -> object:
        # DATAREADY_SOURCES__FILE_ROOTS=/srv/a:/srv/b reads like PATH does.
        if isinstance(value, str):
            return [part for part in value.split(os.pathsep) if part.strip()]
        return value


class LocalSettings(BaseModel):
    """The tenant the CLI acts as on the local store."""

    client_id: str = "local"
    project_id: str = "default"


class Settings(BaseSettings):
    """Root settings."""

    model_config = SettingsConfigDict(
        env_prefix="DATAREADY_", env_nested_delimiter="__", extra="ignore"
    )

    mode: Literal["local", "production"] = "local"
    secret_key: SecretStr | None = Field(
        default=None,
        description="Key that encrypts stored credentials (a Fernet key or any long passphrase)."
        " Local mode without one keeps a generated key in data_dir/secret.key; production "
        "mode refuses to start without one.",
    )
    data_dir: Path = Path.home() / ".dataready"
    db: DbSettings = DbSettings()
    api: ApiSettings = ApiSettings()
    auth: AuthSettings = AuthSettings()
    executor: ExecutorSettings = ExecutorSettings()
    sources: SourceSettings = SourceSettings()
    local: LocalSettings = LocalSettings()

    @property
    def database_url(self) -> str:
        """The store URL: the configured one, or a SQLite file under ``data_dir``."""
        if self.db.url:
            return self.db.url
        return f"sqlite:///{self.data_dir / 'dataready.db'}"


def check_startup(settings: Settings) -> None:
    """Refuse to run outside local mode with development defaults.

    Raises:
        ConfigError: production mode with the default token secret or no credential key.
    """
    from dataready.errors import ConfigError

    if settings.mode != "production":
        return
    if settings.auth.uses_default_secret:
        raise ConfigError(
            "production mode with the default token secret: set DATAREADY_AUTH__SECRET, or "
            "accept only an identity provider's tokens (DATAREADY_AUTH__JWKS_URL with RS/ES "
            "algorithms in DATAREADY_AUTH__ALGORITHMS)"
        )
    if settings.secret_key is None:
        raise ConfigError(
            "production mode without a credential key: set DATAREADY_SECRET_KEY (generate one "
            "with `python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'`)"
        )


def is_loopback(host: str) -> bool:
    """``host`` names only this machine: ``localhost``, 127.0.0.0/8 or ``::1``."""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False  # another host name: it may resolve to a public interface


def check_bind_host(settings: Settings, host: str) -> None:
    """Refuse to serve beyond this machine while anyone could mint a valid token.

    With the built-in development secret every token signed with it is valid, admin
    included, and the secret is public: the server then binds to loopback only. Once
    ``DATAREADY_AUTH__SECRET`` is set (or only JWKS-verified tokens are accepted:
    ``DATAREADY_AUTH__JWKS_URL`` with ``DATAREADY_AUTH__ALGORITHMS='["RS256"]'``), any
    interface is allowed.

    Raises:
        ConfigError: ``host`` is not a loopback address while the default secret is in use.
    """
    from dataready.errors import ConfigError

    if not settings.auth.uses_default_secret or is_loopback(host):
        return
    raise ConfigError(
        f"refusing to listen on {host!r}: the default token secret is in use, so anyone who "
        "reaches the port could sign an admin token with it. Listen on 127.0.0.1 (the "
        'default), or set a secret first: export DATAREADY_AUTH__SECRET="$(python -c '
        "'import secrets; print(secrets.token_urlsafe(32))')\" (or accept only an identity "
        "provider's tokens: DATAREADY_AUTH__JWKS_URL and DATAREADY_AUTH__ALGORITHMS), and mint "
        "tokens with the same secret (dataready token)",
        host=host,
    )


_SECRET_WORDS = ("secret", "key", "password", "token", "url")
"""A variable whose name holds one of these never has its value repeated in an error."""


def settings_error_message(exc: ValidationError) -> str:
    """One line per bad variable: its name, its value (unless secret) and what it takes."""
    problems = []
    for err in exc.errors(include_url=False):
        loc = [str(p) for p in err["loc"] if not str(p).isdigit()]
        variable = "DATAREADY_" + "__".join(p.upper() for p in loc)
        secret = any(word in variable.lower() for word in _SECRET_WORDS)
        shown = "" if secret or err.get("input") is None else f"={err['input']!r}"
        message = str(err["msg"]).removeprefix("Value error, ")
        problems.append(f"{variable}{shown} is not valid: {message[:1].lower()}{message[1:]}")
    return "; ".join(problems) + " (fix or unset the variable)"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment.

    Raises:
        ConfigError: a ``DATAREADY_*`` variable holds a value that is not valid; the
            message names the variable.
    """
    from dataready.errors import ConfigError

    try:
        return Settings()
    except ValidationError as exc:
        raise ConfigError(settings_error_message(exc)) from None
