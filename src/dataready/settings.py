"""Settings, read from ``DATAREADY_*`` environment variables (nested groups use ``__``).

Examples: ``DATAREADY_DB__URL=postgresql+psycopg://postgres@127.0.0.1/dataready``,
``DATAREADY_AUTH__SECRET=...``, ``DATAREADY_EXECUTOR__MAX_WORKERS=8``.
Read through :func:`get_settings`; tests build their own :class:`Settings`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

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
    if settings.auth.secret.get_secret_value() == DEFAULT_AUTH_SECRET and not (
        settings.auth.jwks_url
    ):
        raise ConfigError(
            "production mode with the default token secret: set DATAREADY_AUTH__SECRET or "
            "DATAREADY_AUTH__JWKS_URL"
        )
    if settings.secret_key is None:
        raise ConfigError(
            "production mode without a credential key: set DATAREADY_SECRET_KEY (generate one "
            "with `python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'`)"
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
