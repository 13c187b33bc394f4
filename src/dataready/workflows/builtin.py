"""Registration of the built-in workflow types (each family module registers itself here)."""

from __future__ import annotations


def register_builtins() -> None:
    """Register every built-in workflow implementation.

    Each workflow family adds its registration here as it lands.
    """
