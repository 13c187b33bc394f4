"""Encryption of stored credentials (Fernet: AES-128-CBC with HMAC-SHA256).

The key comes from ``DATAREADY_SECRET_KEY`` — a Fernet key, or any passphrase, which is
stretched with SHA-256.  Local mode without a key generates one once into
``data_dir/secret.key`` (mode 0600); production mode refuses to start without one.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from dataready.errors import ConfigError
from dataready.settings import Settings


def _fernet_key(secret: str) -> bytes:
    raw = secret.encode()
    try:
        if len(base64.urlsafe_b64decode(raw)) == 32:
            return raw
    except ValueError:
        pass
    return base64.urlsafe_b64encode(hashlib.sha256(raw).digest())


def _local_key(data_dir: Path) -> str:
    path = data_dir / "secret.key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key().decode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


class CredentialCipher:
    """Encrypts and decrypts credential mappings."""

    def __init__(self, settings: Settings) -> None:
        if settings.secret_key is not None:
            secret = settings.secret_key.get_secret_value()
        elif settings.mode == "local":
            secret = _local_key(settings.data_dir)
        else:
            raise ConfigError("set DATAREADY_SECRET_KEY to store credentials in production mode")
        self._fernet = Fernet(_fernet_key(secret))

    def encrypt(self, credentials: dict[str, Any]) -> str:
        return self._fernet.encrypt(json.dumps(credentials).encode()).decode()

    def decrypt(self, token: str) -> dict[str, Any]:
        try:
            value: dict[str, Any] = json.loads(self._fernet.decrypt(token.encode()))
        except InvalidToken as exc:
            raise ConfigError(
                "stored credentials cannot be decrypted with the configured key: set "
                "DATAREADY_SECRET_KEY to the key they were saved with, or re-enter them"
            ) from exc
        return value
