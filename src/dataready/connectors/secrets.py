"""Which connection settings are secrets, and moving them in and out of a config.

A source config is public (shown in API answers, CLI output and messages) except for its
secrets: ``password`` and every other key a driver treats as one — at any depth of
``params`` and ``connect_args``, and in the query string of a URL. :func:`is_secret_key` is
the one place that decides; everything else asks it.

On write, :func:`split_secrets` takes a config document apart into a public document, where
each secret value reads ``***`` (:data:`PLACEHOLDER`), and the secret values by path, which
the store keeps encrypted. They are merged back (:func:`merge_secrets`) only to build a
connector. A ``***`` sent back by a client (a read-modify-write of the public document)
means "keep the stored value", so it is reported as *kept*, never stored as a secret.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

PLACEHOLDER = "***"
"""How a secret value reads wherever a config is shown."""

URL_QUERY = "?"
"""Path element between ``url`` and a query parameter: ``("url", "?", "token")``."""

SECRET_NAMES = frozenset(
    {
        "password",
        "passwd",
        "pwd",
        "pass",
        "passphrase",
        "sslpassword",
        "ssl_password",
        "private_key",
        "private_key_passphrase",
        "private_key_password",
        "private_key_content",
        "private_key_file_pwd",
        "pkey",
        "token",
        "access_token",
        "refresh_token",
        "id_token",
        "session_token",
        "auth_token",
        "security_token",
        "bearer_token",
        "client_secret",
        "api_key",
        "apikey",
        "api_secret",
        "secret",
        "secret_key",
        "secret_access_key",
        "aws_secret_access_key",
        "aws_session_token",
        "account_key",
        "sas_token",
        "credentials",
        "credentials_json",
        "credentials_info",
        "credentials_base64",
        "service_account_json",
        "service_account_info",
        "keyfile_json",
        "oauth_token",
        "jwt",
    }
)
"""Key names (lower case, ``-`` read as ``_``) whose values are secrets."""

SECRET_SUFFIXES = (
    "_password",
    "_passwd",
    "_passphrase",
    "_secret",
    "_token",
    "_api_key",
    "_apikey",
    "_private_key",
    "_credentials",
)
"""A key ending in one of these is a secret too (``ssl_key_password``, ``oauth_client_secret``)."""

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_PEM_PRIVATE = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")

Path = tuple[str, ...]


def _normal(name: str) -> str:
    return _CAMEL.sub("_", name.strip()).lower().replace("-", "_").replace(" ", "_")


def is_secret_key(name: str) -> bool:
    """Whether a config, params, connect_args or URL-query key holds a secret.

    Case-insensitive; ``camelCase`` and ``kebab-case`` read as ``snake_case``
    (``privateKey``, ``client-secret``).
    """
    key = _normal(name)
    return key in SECRET_NAMES or key.endswith(SECRET_SUFFIXES)


def is_secret_value(value: Any) -> bool:
    """Whether a value is a secret whatever its key: inline private-key content (PEM)."""
    return isinstance(value, str) and _PEM_PRIVATE.search(value) is not None


@dataclass(frozen=True)
class SplitConfig:
    """A config document taken apart by :func:`split_secrets`."""

    public: dict[str, Any]
    """The document with every secret value replaced by ``***`` (top-level ``password``
    left out: ``has_credentials`` tells whether there is one)."""
    secrets: dict[Path, Any] = field(default_factory=dict)
    """Secret values given in the document, by path."""
    kept: frozenset[Path] = frozenset()
    """Paths whose value was ``***``: the caller asks to keep the stored secret."""


def _walk(node: Any, path: Path, secrets: dict[Path, Any], kept: set[Path]) -> Any:
    if isinstance(node, Mapping):
        out: dict[str, Any] = {}
        for key, value in node.items():
            sub = (*path, str(key))
            if value is None:
                out[str(key)] = None
            elif value == PLACEHOLDER:  # sent back as shown: keep what is stored there
                kept.add(sub)
                out[str(key)] = PLACEHOLDER
            elif (is_secret_key(str(key)) and not isinstance(value, bool)) or is_secret_value(
                value
            ):
                secrets[sub] = value
                out[str(key)] = PLACEHOLDER
            else:
                out[str(key)] = _walk(value, sub, secrets, kept)
        return out
    if isinstance(node, list):
        return [_walk(v, (*path, str(i)), secrets, kept) for i, v in enumerate(node)]
    return node


def _split_url(url: str, secrets: dict[Path, Any], kept: set[Path]) -> str:
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return redact_url_text(url)
    masked: dict[str, str | tuple[str, ...]] = {}
    for key, value in parsed.query.items():
        if is_secret_key(key) or is_secret_value(value):
            path = ("url", URL_QUERY, key)
            if value == PLACEHOLDER:
                kept.add(path)
            else:
                secrets[path] = value
            masked[key] = PLACEHOLDER
    if not masked:
        return url
    return _unquote_placeholder(parsed.update_query_dict(masked).render_as_string(False))


def _unquote_placeholder(url: str) -> str:
    # render_as_string() percent-encodes "***"; shown and sent back, it reads better plain.
    return url.replace("%2A%2A%2A", PLACEHOLDER)


def split_secrets(data: Mapping[str, Any]) -> SplitConfig:
    """Take a config document apart into its public part and its secrets.

    Args:
        data: a config as plain JSON-able data with its secret values in clear.
    """
    secrets: dict[Path, Any] = {}
    kept: set[Path] = set()
    public: dict[str, Any] = {}
    for key, value in data.items():
        if key == "password":
            if value == PLACEHOLDER:
                kept.add((key,))
            elif value is not None:
                secrets[(key,)] = value
            continue
        if key == "url" and isinstance(value, str):
            public[key] = _split_url(value, secrets, kept)
            continue
        public[key] = _walk({key: value}, (), secrets, kept)[key]
    return SplitConfig(public, secrets, frozenset(kept))


def _set_path(node: Any, path: Path, value: Any) -> bool:
    for i, part in enumerate(path):
        last = i == len(path) - 1
        if isinstance(node, dict):
            if last:
                node[part] = value
                return True
            if part not in node:
                return False
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            if last:
                node[int(part)] = value
                return True
            node = node[int(part)]
        else:
            return False
    return False


def _copy(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _copy(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_copy(v) for v in node]
    return node


def merge_secrets(public: Mapping[str, Any], secrets: Mapping[Path, Any]) -> dict[str, Any]:
    """The config document with its secrets back in place (for building a connector).

    A placeholder whose secret is missing is removed (its key left out), so a connector
    never sends ``***`` as a password.
    """
    data: dict[str, Any] = _copy(dict(public))
    query: dict[str, Any] = {}
    for path, value in secrets.items():
        if path[:2] == ("url", URL_QUERY) and len(path) == 3:
            query[path[2]] = value
        elif len(path) == 1:
            data[path[0]] = value
        else:
            _set_path(data, path, value)
    if isinstance(data.get("url"), str):
        data["url"] = _url_with_query(data["url"], query)
    merged: dict[str, Any] = _drop_placeholders(data)
    return merged


def _url_with_query(url: str, values: Mapping[str, Any]) -> str:
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return url
    query = {k: v for k, v in parsed.query.items() if v != PLACEHOLDER}
    query.update({k: str(v) for k, v in values.items()})
    rebuilt = parsed.set(query=query)
    return rebuilt.render_as_string(hide_password=False)


def _drop_placeholders(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _drop_placeholders(v) for k, v in node.items() if v != PLACEHOLDER}
    if isinstance(node, list):
        return [_drop_placeholders(v) for v in node if v != PLACEHOLDER]
    return node


def secret_strings(secrets: Mapping[Path, Any]) -> list[str]:
    """Every string inside the secret values (to scrub them from driver messages)."""

    def leaves(value: Any) -> Iterator[str]:
        if isinstance(value, Mapping):
            for v in value.values():
                yield from leaves(v)
        elif isinstance(value, list):
            for v in value:
                yield from leaves(v)
        elif value is not None and not isinstance(value, bool):
            text = str(value)
            if len(text) >= 3:  # replacing "a" everywhere would garble the message
                yield text

    found = {s for value in secrets.values() for s in leaves(value)}
    return sorted(found, key=len, reverse=True)  # longest first: no partial leftovers


_URL_PASSWORD = re.compile(r"(://[^:/@]*:)[^/]*@")  # greedy: up to the authority's last @
_QUERY_PAIR = re.compile(r"([?&;])([^=&#;]+)=([^&#;]*)")


def redact_url_text(url: str) -> str:
    """``url`` with its password and secret query values shown as ``***``.

    Works on text that does not parse as a URL too (for messages about bad input).
    """
    text = _URL_PASSWORD.sub(r"\1***@", url)

    def mask(m: re.Match[str]) -> str:
        key = m.group(2)
        secret = is_secret_key(key) or is_secret_value(m.group(3))
        return f"{m.group(1)}{key}={PLACEHOLDER}" if secret else m.group(0)

    return _QUERY_PAIR.sub(mask, text)
