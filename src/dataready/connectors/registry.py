"""The connector registry: ``type`` name -> ``Connector`` class.

Built-in connectors register themselves with :func:`register_connector` when their module
is imported, exactly as a plugin would; the registry imports the built-in modules on first
use. A name still unknown after that is looked up in the ``dataready.connectors``
entry-point group before :class:`UnknownName` is raised with the list of known names.
"""

from __future__ import annotations

import importlib
import threading
from importlib.metadata import entry_points
from typing import TYPE_CHECKING

from dataready.errors import UnknownName
from dataready.settings import SourceSettings

if TYPE_CHECKING:
    from dataready.connectors.base import Connector
    from dataready.connectors.config import ConnectionConfig
    from dataready.connectors.policy import SourcePolicy

ENTRY_POINT_GROUP = "dataready.connectors"

BUILTIN_MODULES: tuple[str, ...] = (
    "dataready.connectors.postgres",
    "dataready.connectors.mysql",
    "dataready.connectors.sqlite",
    "dataready.connectors.duckdb",
    "dataready.connectors.sqlalchemy_generic",
)

_CONNECTORS: dict[str, type[Connector]] = {}
_builtins_loaded = False


def register_connector(type_name: str, cls: type[Connector], *, replace: bool = False) -> None:
    """Register ``cls`` under ``type_name`` (a config's ``type``).

    Raises:
        ValueError: the name is taken by another class and ``replace`` is false.
    """
    existing = _CONNECTORS.get(type_name)
    if existing is not None and existing is not cls and not replace:
        raise ValueError(
            f"connector type {type_name!r} is already registered to {existing.__name__}"
        )
    _CONNECTORS[type_name] = cls


_load_lock = threading.RLock()


def _load_builtins() -> None:
    global _builtins_loaded
    if _builtins_loaded:
        return
    with _load_lock:  # threads asking at once must all wait for the imports to finish
        if _builtins_loaded:
            return
        for module in BUILTIN_MODULES:
            importlib.import_module(module)
        _builtins_loaded = True


def _load_entry_point(type_name: str) -> None:
    for entry in entry_points(group=ENTRY_POINT_GROUP, name=type_name):
        cls = entry.load()
        register_connector(type_name, cls)


def known_connector_types() -> list[str]:
    """Registered type names, sorted."""
    _load_builtins()
    return sorted(_CONNECTORS)


def get_connector_class(type_name: str) -> type[Connector]:
    """The class registered for ``type_name``.

    Raises:
        UnknownName: nothing is registered under that name; the message lists known ones.
    """
    _load_builtins()
    if type_name not in _CONNECTORS:
        _load_entry_point(type_name)
    try:
        return _CONNECTORS[type_name]
    except KeyError:
        raise UnknownName(
            f"unknown source type {type_name!r}; known types: {', '.join(sorted(_CONNECTORS))}",
            name=type_name,
            known=sorted(_CONNECTORS),
        ) from None


def connect(
    config: ConnectionConfig,
    settings: SourceSettings | None = None,
    *,
    policy: SourcePolicy | None = None,
) -> Connector:
    """An open connector for ``config`` (close it, or use it as a context manager).

    Args:
        policy: the server's source policy. Every caller that acts for a user (the API, the
            CLI, the runner) passes one: the source is checked, a file path is opened as the
            resolved path that was checked, and the store's own database is kept out of
            reach. Without it, ``config`` is opened as given (tests, library use).

    Raises:
        SourceNotAllowed: ``policy`` refuses the source.
        ConnectorError: the connection failed.
    """
    forbidden: frozenset[str] = frozenset()
    if policy is not None:
        config = policy.check(config)
        forbidden = policy.forbidden_databases(config)
    connector = get_connector_class(config.type)(config, settings or SourceSettings())
    connector.forbidden_databases = forbidden
    connector.open()
    return connector
